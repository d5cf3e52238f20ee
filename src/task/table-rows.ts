import { type Parser, parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { Transform, type TransformCallback } from 'node:stream';
import type { InputIssue } from './errors.js';
import { LineSplitter } from './line-splitter.js';
import { currentLimit } from './limits.js';
import { readLinesSync, readTextFileSync } from './safe-read.js';
import { type TableFormat, delimiterOf } from './table-format.js';
import { type NotUtf8, Utf8Guard } from './utf8-guard.js';

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

/** A parsed record with the line it starts on, counted as it is parsed (delimitedRows' `numbered`). */
type NumberedChunk = CsvChunk & { line: number };

/**
 * Line numbers as an editor, `sed -n` and the JSON Lines reader count them: by `\n`. The parser
 * counts every `\r` and every `\n` inside a quoted field as a line of its own (a `\r\n` in a cell
 * of a Windows file counts twice), so each such `\r` puts its count one line further ahead for the
 * rest of the file; `ahead` is that sum so far.
 */
function lineCounter() {
  let ahead = 0;
  let end = 0;
  return {
    /** Where a raw record starts: the parser reports the line it ends on. */
    start(chunk: CsvChunk): number {
      // The raw text begins with the blank lines skipped before the record and ends with its line break.
      const inner = chunk.raw.replace(/^[\r\n]+/, '').replace(/(\r\n|\r|\n)$/, '');
      ahead += inner.match(/\r/g)?.length ?? 0;
      end = chunk.info.lines - ahead;
      return end - (inner.match(/\n/g)?.length ?? 0);
    },
    /**
     * Where the row the parser failed in starts: the line after the last row read. The parser's own
     * line is where it gave up (a quote that never closes: the end of the file), not the row to fix.
     */
    failed: (): number => end + 1,
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
  const row = (chunk: NumberedChunk): InputRow | undefined => {
    const { line } = chunk;
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
  // Lines are counted as the parser yields records (its on_record), not as they are read: a parser
  // that fails has records buffered that its reader may never take, and the failed row's line
  // must still count them.
  const numbered = (chunk: unknown): NumberedChunk => ({ ...(chunk as CsvChunk), line: lines.start(chunk as CsvChunk) });
  return { row, numbered, header: () => header, failedRow: lines.failed };
}

/**
 * The row a parser error stops at. The parser cannot find where the next row starts after it (a
 * quote that never closes holds the rest of the file; an oversized row is not read to its end), so
 * the message says the rows after it were not read.
 */
function failureOf(name: string, error: unknown, maxRecordBytes?: number, failedRow?: () => number): InputRow {
  if (isNotUtf8(error)) return { line: error.notUtf8.line, issue: { file: name, line: error.notUtf8.line, message: `${error.notUtf8.message}; it and the rows after it are not read` } };
  const e = error as { lines?: number; message?: string; code?: string };
  const line = failedRow ? failedRow() : typeof e.lines === 'number' ? e.lines : 0;
  const what =
    e.code === 'CSV_MAX_RECORD_SIZE'
      ? `a row longer than ${maxRecordBytes ?? 'the limit of'} bytes (FUSION_MAX_LINE_BYTES); it and the rows after it are not read (raise the limit if the row is meant to be this long)`
      : e.code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'a quote opens in this row and never closes (a quote inside a quoted cell is written twice: ""); it and the rows after it are not read'
        : `unreadable ${(e.message ?? String(error)).replace(/ at line \d+/, '')}; the rows after it are not read`;
  return { line, issue: { file: name, line, message: what } };
}

/** The failure of a stream that stops being UTF-8 (Utf8Guard), where the parser would have read on leniently. */
interface NotUtf8Failure {
  notUtf8: NotUtf8;
}

function isNotUtf8(error: unknown): error is NotUtf8Failure {
  return typeof error === 'object' && error !== null && 'notUtf8' in error;
}

/** What RecordsThenFailure passes on last when the parser stops at an error. */
interface Failure {
  failure: unknown;
}

function isFailure(chunk: unknown): chunk is Failure {
  return typeof chunk === 'object' && chunk !== null && 'failure' in chunk;
}

/**
 * The parser behind a stream that does not fail: each record is passed on as it is parsed, and an
 * error the parser stops at is passed on after them as one last object ({failure}); the bytes after
 * it are dropped. A Transform that fails discards the records still buffered in it, which its reader
 * never sees: the rows before an unreadable one would vanish from fusion run's output.
 */
class RecordsThenFailure extends Transform {
  private failed = false;
  private readonly parser: Parser;
  private readonly utf8 = new Utf8Guard();

  constructor(options: ReturnType<typeof csvOptions>, numbered: (chunk: unknown) => NumberedChunk) {
    super({ readableObjectMode: true });
    this.parser = parse({
      ...options,
      on_record: (record: unknown) => {
        this.push(numbered(record));
        return null;
      },
    });
    this.parser.on('error', (error) => this.fail(error));
    // Every record leaves through on_record; the parser's own output is empty, read to let it end.
    this.parser.resume();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.failed) return done();
    const { pass, bad } = this.utf8.check(chunk);
    // The rows before the bad byte are parsed and passed on first; the failure follows them.
    this.parser.write(pass, () => {
      if (bad) this.fail({ notUtf8: bad });
      done();
    });
  }

  private fail(failure: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.push({ failure } satisfies Failure);
  }

  override _flush(done: TransformCallback): void {
    if (this.failed) return done();
    const bad = this.utf8.end();
    if (bad) {
      this.fail({ notUtf8: bad });
      return done();
    }
    const finished = (): void => {
      this.parser.off('end', finished);
      this.parser.off('error', finished);
      done();
    };
    this.parser.once('end', finished);
    this.parser.once('error', finished);
    this.parser.end();
  }
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
  const rows = delimitedRows(name);
  const failure = (error: unknown): InputRow => failureOf(name, error, maxLineBytes, rows.failedRow);
  return {
    stream: new RecordsThenFailure(csvOptions(format, maxLineBytes), rows.numbered),
    row: (chunk) => (isFailure(chunk) ? failure(chunk.failure) : rows.row(chunk as NumberedChunk)),
    failure,
    header: rows.header,
  };
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
  const take = (c: NumberedChunk): void => {
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
        take(d.numbered(c));
        return null;
      },
    });
  } catch (e) {
    rows.push(failureOf(file, e, undefined, d.failedRow));
  }
  const header = d.header();
  return { rows, ...(header ? { header: [...header] } : {}) };
}
