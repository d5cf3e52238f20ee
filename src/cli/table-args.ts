import { createReadStream, createWriteStream, existsSync, linkSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { ColumnChoice } from '../task/columns.js';
import { openRegularFile } from '../task/safe-read.js';
import { type TableFormat, formatOfName, parseTableFormat } from '../task/table-format.js';
import { UsageError } from './errors.js';

/** `parseArgs` options of commands that read and write tables of items (JSONL, CSV, TSV). */
export const TABLE_ARGS = {
  input: { type: 'string' },
  output: { type: 'string' },
  format: { type: 'string' },
  'output-format': { type: 'string' },
  'id-column': { type: 'string' },
  'text-column': { type: 'string' },
  'question-column': { type: 'string' },
  'label-column': { type: 'string' },
} as const;

export const tableHelp = `Input and output tables (JSON Lines, CSV or TSV with a header row):
  --input FILE       read items from FILE instead of stdin (format by extension: .jsonl, .csv, .tsv;
                     -: stdin)
  --format F         the input's format: jsonl (default on stdin), csv or tsv
  --output FILE      write to FILE instead of stdout (-: stdout; never over an existing file; written
                     as FILE.partial-<time>, renamed once every line is written)
  --output-format F  the output's format (default: --output's extension, else the input's). CSV/TSV
                     output: every input column as read, then label (QA: answer), confidence (rating:
                     score, low, high: its 80% interval), one column per model (its answer), abstain
                     and error
  --id-column C      the column holding the item id (default "id"; absent: the row number is the id;
                     numbers are ids)
  --text-column C    the column holding the text to classify (default "text")
  --question-column C  the column holding a QA question (default "question")
  --label-column C   the column holding a gold label (default "label")
  Every other input column is passed through to the output row.
`;

export interface TableValues {
  input?: string;
  output?: string;
  format?: string;
  'output-format'?: string;
  'id-column'?: string;
  'text-column'?: string;
  'question-column'?: string;
  'label-column'?: string;
}

/**
 * `--input -` and `--output -` are stdin and stdout, as in most command-line tools: read as the
 * flag left out (a file named `-` is `./-`). A `-` taken as a file name wrote the rows to a file
 * named `-`, where the user was watching stdout. In place, on the parsed flags.
 */
export function dashIsStdio(values: { input?: string | undefined; output?: string | undefined }): void {
  if (values.input === '-') delete values.input;
  if (values.output === '-') delete values.output;
}

/** Which columns hold the item's fields, as the flags say. */
export function readColumnArgs(values: TableValues): ColumnChoice {
  const choice: ColumnChoice = {};
  if (values['id-column'] !== undefined) choice.id = values['id-column'];
  if (values['text-column'] !== undefined) choice.text = values['text-column'];
  if (values['question-column'] !== undefined) choice.question = values['question-column'];
  if (values['label-column'] !== undefined) choice.label = values['label-column'];
  return choice;
}

/** The input's format: --format, else the file's extension, else JSON Lines. */
export function inputFormat(values: TableValues): TableFormat {
  if (values.format !== undefined) return parseTableFormat(values.format);
  return (values.input !== undefined ? formatOfName(values.input) : undefined) ?? 'jsonl';
}

/** The output's format: --output-format, else --output's extension, else the input's. */
export function outputFormat(values: TableValues, input: TableFormat): TableFormat {
  if (values['output-format'] !== undefined) return parseTableFormat(values['output-format'], '--output-format');
  return (values.output !== undefined ? formatOfName(values.output) : undefined) ?? input;
}

/** The input stream and its name in messages: --input FILE (a regular file) or stdin. */
export function openInput(values: TableValues, stdin: Readable): { input: Readable; name: string } {
  if (values.input === undefined) return { input: stdin, name: 'stdin' };
  const fd = openRegularFile(values.input);
  return { input: createReadStream('', { fd }), name: values.input };
}

/** Refuses an --output that exists (UsageError): checked before anything is asked, so no call is paid for an output that cannot be written. */
export function refuseExistingOutput(values: TableValues): void {
  if (values.output === undefined) return;
  if (existsSync(values.output)) throw new UsageError(`--output ${values.output} exists; fusion never overwrites a file: name a new one`);
  if (!statSync(dirname(resolve(values.output)), { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--output ${values.output}: its folder does not exist`);
}

/**
 * --output's name was taken while the run wrote its lines (another run with the same --output
 * finished first): that file is left as it is, and this run's lines stay under `partial`. A usage
 * error (exit 2); a caller that made calls says what it did before it exits.
 */
export class OutputTakenError extends UsageError {
  constructor(
    readonly file: string,
    readonly partial: string,
  ) {
    super(`--output ${file} appeared during the run (another run's?) and is left as it is; this run's lines are in ${partial}`);
  }
}

/** Where --output's lines are written, and how the file is put in place or set aside. */
export interface OutputSink {
  output: Writable;
  /** Every line is written: the file takes its name (never over a file that appeared meanwhile: OutputTakenError). */
  close(): Promise<void>;
  /** The write error of --output (disk full, I/O), once there was one: the file is then not given its name. */
  failure(): Error | undefined;
  /** The run ended early: what was written stays under its partial name, returned (undefined: stdout, or nothing written). */
  abandon(): Promise<string | undefined>;
}

const ended = (output: Writable): Promise<void> => new Promise<void>((resolve, reject) => output.end((e?: Error | null) => (e ? reject(e) : resolve())));

/**
 * The output stream: stdout, or --output FILE, written as `FILE.partial-<time>` beside it and given
 * its name only once every line is written, so a run that is interrupted, killed or fails never
 * leaves a cut FILE (and the same command, run again, is not refused for the file it left). The
 * name is taken by a hard link, which fails rather than replace a file created meanwhile; an
 * existing FILE is refused.
 */
export function openOutput(values: TableValues, stdout: Writable): OutputSink {
  const file = values.output;
  if (file === undefined) return { output: stdout, close: async () => undefined, failure: () => undefined, abandon: async () => undefined };
  refuseExistingOutput(values);
  const partial = `${file}.partial-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
  // Opened here, not by the stream later: a folder that does not exist is a usage error now, not a stream error after the calls.
  let fd: number;
  try {
    fd = openSync(partial, 'wx', 0o644);
  } catch (e) {
    throw new UsageError(`--output ${file}: cannot be created (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const output = createWriteStream('', { fd });
  let failure: Error | undefined;
  output.on('error', (e) => (failure ??= e));
  let done = false;
  return {
    output,
    failure: () => failure,
    async close() {
      if (done) return;
      if (failure) throw failure;
      done = true;
      await ended(output);
      if (failure) throw failure;
      try {
        linkSync(partial, file);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new OutputTakenError(file, partial);
        // A file system without hard links: a rename, after checking the name is still free.
        if (existsSync(file)) throw new OutputTakenError(file, partial);
        renameSync(partial, file);
        return;
      }
      rmSync(partial, { force: true });
    },
    async abandon() {
      if (done) return undefined;
      done = true;
      await ended(output).catch(() => undefined);
      if (statSync(partial, { throwIfNoEntry: false })?.size === 0) {
        rmSync(partial, { force: true });
        return undefined;
      }
      return partial;
    },
  };
}
