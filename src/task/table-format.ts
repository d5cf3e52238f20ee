import { extname } from 'node:path';
import { InputError } from './errors.js';

/** The table formats users keep data in: JSON Lines, comma- or tab-separated values (with a header row). */
export type TableFormat = 'jsonl' | 'csv' | 'tsv';

export const TABLE_FORMATS: readonly TableFormat[] = ['jsonl', 'csv', 'tsv'];

const BY_EXTENSION: Readonly<Record<string, TableFormat>> = { '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.json': 'jsonl', '.csv': 'csv', '.tsv': 'tsv', '.tab': 'tsv' };

/** The format a file name says (by extension), if it says one. */
export function formatOfName(file: string): TableFormat | undefined {
  return BY_EXTENSION[extname(file).toLowerCase()];
}

/** A `--format` value, checked. */
export function parseTableFormat(value: string, flag = '--format'): TableFormat {
  const v = value.trim().toLowerCase();
  if ((TABLE_FORMATS as readonly string[]).includes(v)) return v as TableFormat;
  throw new InputError([{ file: flag, message: `"${value}" is not a table format (${TABLE_FORMATS.join(', ')})` }]);
}

/** The field delimiter of a delimited format. */
export function delimiterOf(format: Exclude<TableFormat, 'jsonl'>): string {
  return format === 'tsv' ? '\t' : ',';
}
