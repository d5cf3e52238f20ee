import { stringify } from 'csv-stringify/sync';
import { type TableFormat, delimiterOf } from './table-format.js';

/** A value as one cell of a delimited row: nothing for null, JSON for lists and objects. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * Writes records as one format: JSON Lines (the record as is), or CSV/TSV with a header row of
 * `columns` (quoted where a cell needs it, by csv-stringify). Pure text out.
 */
export interface TableWriter {
  /** The header line (empty for JSON Lines). */
  header(columns: readonly string[]): string;
  row(record: Readonly<Record<string, unknown>>, columns: readonly string[]): string;
}

export function tableWriter(format: TableFormat): TableWriter {
  if (format === 'jsonl') return { header: () => '', row: (record) => `${JSON.stringify(record)}\n` };
  const delimiter = delimiterOf(format);
  // A cell holding a lone \r is quoted too: csv-stringify quotes only the \n it writes, and Python's csv
  // module ends an unquoted row at a \r.
  const line = (cells: string[]): string => stringify([cells], { delimiter, record_delimiter: 'unix', quoted_match: /\r/ });
  return {
    header: (columns) => line([...columns]),
    row: (record, columns) => line(columns.map((c) => cellText(record[c]))),
  };
}
