import type { z } from 'zod';

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

export function zodIssues(file: string, line: number | undefined, error: z.ZodError): InputIssue[] {
  return error.issues.map((i) => ({
    file,
    ...(line === undefined ? {} : { line }),
    ...(i.path.length > 0 ? { field: i.path.join('.') } : {}),
    message: i.message,
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
    super([{ file, field: 'kind', message: `kind "${kind}" is not supported yet by this version of llm-fusion (supported: classification, qa)` }]);
  }
}
