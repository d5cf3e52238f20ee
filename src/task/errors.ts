import type { z } from 'zod';
import { TASK_KINDS } from './schema.js';

/** One problem found in an input file, located precisely enough to fix it by hand. */
export interface InputIssue {
  file: string;
  /** 1-based line number; absent for whole-file JSON documents without a line. */
  line?: number;
  /** Dotted path of the offending field, when there is one. */
  field?: string;
  message: string;
}

export function formatIssue(issue: InputIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  const field = issue.field ? ` ${issue.field}:` : '';
  return `${where}:${field} ${issue.message}`;
}

/** Thrown when an input file cannot be used; carries every issue found, not just the first. */
export class InputError extends Error {
  override readonly name: string = 'InputError';
  constructor(readonly issues: readonly InputIssue[]) {
    const shown = issues.slice(0, 20).map(formatIssue);
    if (issues.length > 20) shown.push(`... and ${issues.length - 20} more`);
    super(shown.join('\n'));
  }
}

const A_AN = (word: string): string => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);
const TYPE_WORDS: Record<string, string> = { nan: 'not a number', null: 'null', undefined: 'nothing', array: 'a list', object: 'an object' };
const typeWord = (t: string): string => TYPE_WORDS[t] ?? A_AN(t);
const quoteAll = (values: readonly unknown[]): string => values.map((v) => JSON.stringify(v)).join(', ');

/**
 * A zod issue in plain words: `expected an object, got a string` rather than `Invalid input:
 * expected object, received string`; `must be one of` the kinds rather than
 * `Invalid discriminator value`. Messages the schemas wrote themselves are kept as they are.
 */
export function plainZodMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const received = /received (\w+)/.exec(issue.message)?.[1];
      if (received === 'undefined') return `required, but missing (expected ${typeWord(issue.expected)})`;
      return `expected ${typeWord(issue.expected)}${received ? `, got ${typeWord(received)}` : ''}`;
    }
    case 'invalid_value':
      return `must be ${issue.values.length === 1 ? quoteAll(issue.values) : `one of ${quoteAll(issue.values)}`}`;
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (Array.isArray(options) && options.length > 0) return `must be one of ${quoteAll(options)}`;
      return /^Invalid input$/.test(issue.message) ? 'matches none of the accepted forms' : issue.message;
    }
    case 'too_small':
      // An empty id, model or name: the schema's own wording is `Too small: expected string to have >=1 characters`.
      if (issue.origin === 'string' && Number(issue.minimum) === 1 && /^Too small/.test(issue.message)) return 'empty, but required';
      return issue.message.replace(/^Invalid input: /, '');
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${quoteAll(issue.keys)}`;
    default:
      return issue.message.replace(/^Invalid input: /, '');
  }
}

export function zodIssues(file: string, line: number | undefined, error: z.ZodError): InputIssue[] {
  return error.issues.map((i) => ({
    file,
    ...(line === undefined ? {} : { line }),
    ...(i.path.length > 0 ? { field: i.path.join('.') } : {}),
    message: plainZodMessage(i),
  }));
}

/**
 * Thrown when a task names a kind this version cannot handle yet (a kind the data format knows
 * but the tools do not); an InputError, so the CLI reports it as invalid input (exit 2).
 */
export class UnsupportedKindError extends InputError {
  override readonly name = 'UnsupportedKindError';
  constructor(
    readonly file: string,
    readonly kind: string,
  ) {
    super([{ file, field: 'kind', message: `kind "${kind}" is not supported yet by this version of llm-fusion (supported: ${Object.values(TASK_KINDS).join(', ')})` }]);
  }
}
