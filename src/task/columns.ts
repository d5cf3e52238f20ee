import type { ZodType } from 'zod';
import type { InputIssue } from './errors.js';
import { isNumeral } from './numeral.js';
import type { InputRow } from './table-rows.js';

/**
 * Which input column holds each field an item is read from (`--id-column`, `--text-column`,
 * `--question-column`, `--label-column`); unset: the field's own name.
 */
export interface ColumnChoice {
  id?: string;
  text?: string;
  question?: string;
  label?: string;
}

/** Fields a delimited cell holds as a JSON array (QA gold answers, choices); a plain cell is one answer. */
const LIST_FIELDS = new Set(['answers', 'choices']);
/** Fields of a recorded response a delimited cell holds as a number, a boolean or JSON. */
const NUMBER_FIELDS = new Set(['sample', 'cost', 'latencyMs']);
const BOOLEAN_FIELDS = new Set(['correct']);
const JSON_FIELDS = new Set(['logprobs', 'tokens']);
/** Fields that hold an id: a number there is the id it spells (JSON written by pandas). */
const ID_FIELDS = new Set(['id', 'item']);

export interface MappedRow {
  /** The item's fields under the names its schema reads, for the schema to validate. */
  value?: Record<string, unknown>;
  /** Every other input column, in input order: passed through to the output row. */
  passthrough: Record<string, unknown>;
  /** The input row as read (delimited rows keep every column for the output). */
  raw?: Record<string, unknown>;
  /** Fields whose delimited cell is there but empty (read as absent, so that an optional field may be left blank). */
  empty?: string[];
  issues: InputIssue[];
}

/**
 * The schema's issues on a mapped row, where a required field read as absent because its cell was
 * empty is said to be empty, not missing: the column is there, the cell is blank.
 */
function blankCells(issues: readonly InputIssue[], mapped: Pick<MappedRow, 'empty'>): InputIssue[] {
  const empty = new Set(mapped.empty ?? []);
  return issues.map((i) => (i.field !== undefined && empty.has(i.field) && i.message.startsWith('required, but missing') ? { ...i, message: 'empty, but required' } : i));
}

/** A cell quoted in a message: whole when short, else its start (a long text says nothing more). */
function quoted(cell: string): string {
  return JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}...` : cell);
}

/**
 * The schema's issues on a mapped row as the user reads their file: under the column the field was
 * read from (`--label-column score`: `score`, not `label`), a blank cell said to be empty, and a cell
 * of the wrong type quoted (`expected a number, got "1,5"`), since the column and the cell are what
 * the user can find and fix.
 */
export function cellIssues(issues: readonly InputIssue[], mapped: Pick<MappedRow, 'empty' | 'raw'>, choice: ColumnChoice): InputIssue[] {
  return blankCells(issues, mapped).map((i) => {
    if (i.field === undefined) return i;
    const [field = '', ...rest] = i.field.split('.');
    const column = (choice as Record<string, string | undefined>)[field] ?? field;
    const cell = rest.length === 0 ? mapped.raw?.[column] : undefined;
    const message = typeof cell === 'string' && / got a string$/.test(i.message) ? i.message.replace(/ got a string$/, ` got ${quoted(cell)}`) : i.message;
    return { ...i, field: [column, ...rest].join('.'), message };
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Fields that name something (an item, a model) rather than hold what the user wrote for a model to
 * read: in a delimited cell, spaces around them are the habit of typing `1, gpt-4` (Python's csv
 * `skipinitialspace`), not part of the name, so `" gpt-4"` and `"gpt-4"` are one model and `" 7"`
 * is item 7. Texts and answers are kept as written; the row as read still passes through whole.
 */
const NAME_FIELDS = new Set([...ID_FIELDS, 'model']);

function cell(field: string, written: unknown, delimited: boolean): unknown {
  if (!delimited || typeof written !== 'string') return written;
  const value = NAME_FIELDS.has(field) ? written.trim() : written;
  if (value === '' && !ID_FIELDS.has(field) && field !== 'text' && field !== 'question' && field !== 'output') return undefined;
  if (NUMBER_FIELDS.has(field) && isNumeral(value)) return Number(value);
  if (BOOLEAN_FIELDS.has(field) && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  if (JSON_FIELDS.has(field)) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value; // the schema says what is wrong
    }
  }
  if (LIST_FIELDS.has(field)) {
    if (value.trimStart().startsWith('[')) {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return value; // the schema says what is wrong
      }
    }
    return field === 'answers' ? [value] : value;
  }
  return value;
}

/**
 * A first line read as JSON Lines that is a CSV or TSV header (a table piped in without --format):
 * said once, on that line, with the flag that reads it, since every later row fails the same way.
 */
function tableHint(text: string): string {
  if (/^\s*[{["]/.test(text)) return '';
  const format = text.includes('\t') ? 'tsv' : text.includes(',') ? 'csv' : undefined;
  return format ? `; a ${format.toUpperCase()} header? give --format ${format} (or --input FILE.${format})` : '';
}

/**
 * An input row (a JSON Lines object or a delimited row) as the fields an item schema reads, chosen
 * by `choice`, with every other column passed through. Without an id column the row number is the
 * id; a number is an id too (JSON Lines written by pandas). Pure.
 */
export function mapRow(file: string, row: Exclude<InputRow, { issue: InputIssue }>, fields: readonly string[], choice: ColumnChoice, rowNumber: number): MappedRow {
  const line = row.line;
  let raw: Record<string, unknown>;
  if (row.fields) raw = row.fields;
  else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.text);
    } catch (e) {
      return { passthrough: {}, issues: [{ file, line, message: `invalid JSON (${(e as Error).message})${rowNumber === 1 ? tableHint(row.text) : ''}` }] };
    }
    if (!isRecord(parsed)) return { passthrough: {}, issues: [{ file, line, message: 'expected a JSON object' }] };
    raw = parsed;
  }
  const delimited = row.fields !== undefined;
  const value: Record<string, unknown> = {};
  const used = new Set<string>();
  const issues: InputIssue[] = [];
  const empty: string[] = [];
  for (const field of fields) {
    const chosen = (choice as Record<string, string | undefined>)[field];
    const source = chosen ?? field;
    if (!(source in raw)) {
      if (chosen !== undefined) issues.push({ file, line, field: source, message: missingColumn(field, chosen, Object.keys(raw), 'row') });
      else if (field === 'id') value.id = String(rowNumber);
      continue;
    }
    used.add(source);
    const v = cell(field, raw[source], delimited);
    if (v !== undefined) value[field] = typeof v === 'number' && ID_FIELDS.has(field) ? String(v) : v;
    else if (raw[source] === '') empty.push(field);
  }
  const passthrough: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (!used.has(k)) passthrough[k] = v;
  const blanks = empty.length > 0 ? { empty } : {};
  return issues.length > 0 ? { passthrough, raw, issues, ...blanks } : { value, passthrough, raw, issues, ...blanks };
}

/** The fields an object schema reads, which a table's columns are mapped onto (none for a schema that is not an object). */
export function schemaFields(schema: ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

/** Whether an object schema needs `field` (an absent value fails it): the fields headerIssues insists on. */
export function requiredBy(schema: ZodType): (field: string) => boolean {
  const shape = (schema as unknown as { shape?: Record<string, ZodType> }).shape ?? {};
  return (field) => !shape[field]?.safeParse(undefined).success;
}

/**
 * A header read as one column that another separator would split (a spreadsheet saved with `;` in
 * a locale whose decimal mark is the comma, a tab-separated file named `.csv`, a comma-separated one
 * named `.tsv`): the separator it holds and how this tool reads such a file, if at all.
 */
function separatorHint(columns: readonly string[]): string {
  if (columns.length !== 1) return '';
  const only = columns[0] as string;
  if (only.includes('\t')) return ': a tab-separated table? name it .tsv (or give --format tsv)';
  if (only.includes(';')) return ': a table separated by ";"? save it with commas (CSV) or tabs (TSV): only those separators are read';
  if (only.includes(',')) return ': a comma-separated table? name it .csv (or give --format csv)';
  return '';
}

/** The fields with a flag that names their column. */
const FLAGGED = new Set(['id', 'text', 'question', 'label']);

/**
 * Why the column of `field` (named `chosen` by its flag, else the field's own name) is not among
 * `columns`, with the columns there are, or the one that differs only in case and how to use it.
 * Names match exactly: a column is never taken for a field it only resembles, since the output row
 * passes it through under its own name.
 */
function missingColumn(field: string, chosen: string | undefined, columns: readonly string[], where: 'row' | 'header', flags = true): string {
  const source = chosen ?? field;
  const flag = chosen !== undefined ? ` (--${field}-column)` : '';
  const alike = columns.filter((h) => h.toLowerCase() === source.toLowerCase());
  if (alike.length === 0) return `no column "${source}"${flag}; the ${where} has ${columns.map((h) => JSON.stringify(h)).join(', ') || 'no columns'}${separatorHint(columns)}`;
  const way = flags && FLAGGED.has(field) ? `give --${field}-column ${JSON.stringify(alike[0])}` : `rename the column to "${source}"`;
  return `no column "${source}"${flag}; the ${where} has ${alike.map((h) => JSON.stringify(h)).join(' and ')}, which differs only in case (column names match exactly): ${way}`;
}

/**
 * A delimited file's header checked once, before its rows: a column the rows would all miss (one
 * named by a flag, or a field every row needs) is one issue on the header line, not one per row.
 * `optionalAlike`: an optional field whose column differs only in case is an issue too (an items
 * table's `Label` would otherwise leave every gold label unread); for readers that pass other
 * columns through to an output (fusion run), such a column is the user's own and is kept. `flags`:
 * the command takes --id-column and the like (an eval folder's tables do not: their columns are renamed).
 */
export function headerIssues(
  file: string,
  header: readonly string[],
  fields: readonly string[],
  choice: ColumnChoice,
  required: (field: string) => boolean,
  how: { optionalAlike?: boolean; flags?: boolean } = {},
): InputIssue[] {
  const issues: InputIssue[] = [];
  const has = new Set(header);
  const alike = (name: string): boolean => header.some((h) => h.toLowerCase() === name.toLowerCase());
  for (const field of fields) {
    const chosen = (choice as Record<string, string | undefined>)[field];
    const source = chosen ?? field;
    if (has.has(source)) continue;
    if (chosen === undefined && (field === 'id' || !required(field)) && !(how.optionalAlike === true && alike(source))) continue;
    issues.push({ file, line: 1, field: source, message: missingColumn(field, chosen, header, 'header', how.flags ?? true) });
  }
  return issues;
}
