import { type Parser, parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import type { Transform } from 'node:stream';
import type { InputIssue } from './errors.js';
import { LineSplitter } from './line-splitter.js';
import { currentLimit } from './limits.js';
import { readLinesSync, readTextFileSync } from './safe-read.js';
import { type TableFormat, delimiterOf } from './table-format.js';

/**
 * One input row: a JSON Lines line (`text`, parsed by the caller), a delimited row already split
 * into named `fields`, or the `issue` that makes it unreadable. `line` is where the row starts.
 */
export type InputRow =
  | { line: number; text: string; fields?: undefined; issue?: undefined }
  | { line: number; fields: Record<string, string>; text?: undefined; issue?: undefined }
  | { line: number; issue: InputIssue; text?: undefined; fields?: undefined };

/**
 * A byte stream (stdin) turned into rows in bounded memory: `stream` is fed bytes and read as
 * objects, `row` turns each object into an InputRow (undefined for a header or blank line).
 * `header` is the delimited input's column names once read (JSON Lines has none).
 */
export interface RowSource {
  readonly stream: Transform;
  row(chunk: unknown): InputRow | undefined;
  /** The row an error of the stream stands for (a delimited file whose quotes do not close). */
  failure(error: unknown): InputRow;
  header(): readonly string[] | undefined;
}

interface CsvChunk {
  record: string[];
  info: { lines: number };
  raw: string;
}

/**
 * Line numbers as an editor, `sed -n` and the JSON Lines reader count them: by `\n`. The parser
 * counts every `\r` and every `\n` inside a quoted field as a line of its own (a `\r\n` in a cell
 * of a Windows file counts twice), so each such `\r` puts its count one line further ahead for the
 * rest of the file; `ahead` is that sum so far.
 */
function lineCounter() {
  let ahead = 0;
  return {
    /** Where a raw record starts: the parser reports the line it ends on. */
    start(chunk: CsvChunk): number {
      // The raw text begins with the blank lines skipped before the record and ends with its line break.
      const inner = chunk.raw.replace(/^[\r\n]+/, '').replace(/(\r\n|\r|\n)$/, '');
      ahead += inner.match(/\r/g)?.length ?? 0;
      return chunk.info.lines - ahead - (inner.match(/\n/g)?.length ?? 0);
    },
    /** A line the parser names (in an error) as the file counts it. */
    of: (parserLine: number): number => Math.max(1, parserLine - ahead),
  };
}

function csvOptions(format: Exclude<TableFormat, 'jsonl'>, maxRecordBytes: number) {
  // A header row, quoted fields with embedded newlines and doubled quotes, a BOM, \r\n: the parser's
  // job. Field counts are checked here (relax_column_count) so a short row is a row-numbered issue.
  return { delimiter: delimiterOf(format), bom: true, relax_column_count: true, skip_empty_lines: true, info: true, raw: true, max_record_size: maxRecordBytes } as const;
}

/** Maps the parser's records to named fields against the header (the first record). */
function delimitedRows(name: string) {
  let header: string[] | undefined;
  const lines = lineCounter();
  // A column named twice makes every row ambiguous (which "text" is sent?): no row is read, none is asked about.
  let duplicate: string | undefined;
  const row = (chunk: CsvChunk): InputRow | undefined => {
    const line = lines.start(chunk);
    if (header === undefined) {
      header = chunk.record.map((h) => h.trim());
      const seen = new Set<string>();
      duplicate = header.find((h) => (seen.has(h) ? true : (seen.add(h), false)));
      if (duplicate !== undefined) return { line, issue: { file: name, line, message: `the header names column "${duplicate}" twice` } };
      return undefined;
    }
    if (duplicate !== undefined) {
      if (chunk.record.every((c) => c === '')) return undefined;
      return { line, issue: { file: name, line, message: `not read: the header names column "${duplicate}" twice` } };
    }
    if (chunk.record.length === 1 && chunk.record[0] === '' && header.length > 1) return undefined;
    if (chunk.record.length !== header.length) {
      return { line, issue: { file: name, line, message: `${chunk.record.length} field(s), the header has ${header.length} (${header.join(', ')}); quote fields that hold the delimiter` } };
    }
    const fields: Record<string, string> = {};
    header.forEach((h, i) => (fields[h] = chunk.record[i] as string));
    return { line, fields };
  };
  return { row, header: () => header, lineOf: lines.of };
}

/**
 * The row a parser error stops at. The parser cannot find where the next row starts after it (a
 * quote that never closes holds the rest of the file; an oversized row is not read to its end), so
 * the message says the rows after it were not read.
 */
function failureOf(name: string, error: unknown, maxRecordBytes?: number, lineOf: (parserLine: number) => number = (l) => l): InputRow {
  const e = error as { lines?: number; message?: string; code?: string };
  const line = typeof e.lines === 'number' ? lineOf(e.lines) : 0;
  const what =
    e.code === 'CSV_MAX_RECORD_SIZE'
      ? `a row longer than ${maxRecordBytes ?? 'the limit of'} bytes (FUSION_MAX_LINE_BYTES); it and the rows after it are not read (raise the limit if the row is meant to be this long)`
      : `unreadable ${(e.message ?? String(error)).replace(/ at line \d+/, '')}; the rows after it are not read`;
  return { line, issue: { file: name, line, message: what } };
}

/** The row source of a stream in `format`. */
export function rowSource(format: TableFormat, name: string, maxLineBytes: number): RowSource {
  if (format === 'jsonl') {
    const lines = new LineSplitter(name, maxLineBytes);
    return {
      stream: lines,
      row: (chunk) => chunk as InputRow,
      failure: (error) => failureOf(name, error),
      header: () => undefined,
    };
  }
  const parser: Parser = parse(csvOptions(format, maxLineBytes));
  const rows = delimitedRows(name);
  return { stream: parser, row: (chunk) => rows.row(chunk as CsvChunk), failure: (error) => failureOf(name, error, maxLineBytes, rows.lineOf), header: rows.header };
}

/** Every row of a file (bounded, regular file, strict UTF-8), with the delimited header when there is one. */
export function readRowsSync(file: string, format: TableFormat, maxLineBytes?: number): { rows: InputRow[]; header?: string[] } {
  if (format === 'jsonl') {
    const rows: InputRow[] = [];
    for (const l of readLinesSync(file, maxLineBytes === undefined ? {} : { maxLineBytes })) {
      if (l.issue) rows.push({ line: l.line, issue: l.issue });
      else if (l.text.trim() !== '') rows.push({ line: l.line, text: l.text });
    }
    return { rows };
  }
  // Each row bounded as a JSON Lines line is, and as fusion run's stream bounds it: one limit for every reader of a table.
  return readRowsOfText(readTextFileSync(file), format, file, maxLineBytes ?? currentLimit('maxLineBytes'));
}

/**
 * Every row of a table already in memory (the input `fusion run --batch` reads whole), as the
 * stream reads it: the same parser and options, rows numbered from their first line. A delimited
 * row longer than `maxRowBytes` is an issue at its line, the rows around it read.
 */
export function readRowsOfText(text: string, format: TableFormat, file: string, maxRowBytes = Number.POSITIVE_INFINITY): { rows: InputRow[]; header?: string[] } {
  if (format === 'jsonl') {
    const rows: InputRow[] = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() !== '') rows.push({ line: i + 1, text: line.replace(/\r$/, '') });
    });
    return { rows };
  }
  const d = delimitedRows(file);
  const rows: InputRow[] = [];
  const take = (c: CsvChunk): void => {
    const r = d.row(c);
    if (r && Buffer.byteLength(c.raw) > maxRowBytes) rows.push({ line: r.line, issue: { file, line: r.line, message: `a row longer than ${maxRowBytes} bytes (raise FUSION_MAX_LINE_BYTES if it is meant to be)` } });
    else if (r) rows.push(r);
  };
  try {
    // Each record taken as it is parsed, as the stream takes it: the rows before an unreadable one
    // are kept, and its line is counted after theirs.
    parseSync(text, {
      ...csvOptions(format, Number.MAX_SAFE_INTEGER),
      bom: true,
      on_record: (c: unknown) => {
        take(c as CsvChunk);
        return null;
      },
    });
  } catch (e) {
    rows.push(failureOf(file, e, undefined, d.lineOf));
  }
  const header = d.header();
  return { rows, ...(header ? { header: [...header] } : {}) };
}
