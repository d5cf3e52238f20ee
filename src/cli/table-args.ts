import { createReadStream, createWriteStream, existsSync } from 'node:fs';
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
  --input FILE       read items from FILE instead of stdin (format by extension: .jsonl, .csv, .tsv)
  --format F         the input's format: jsonl (default on stdin), csv or tsv
  --output FILE      write to FILE instead of stdout (never over an existing file)
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

/** The output stream: --output FILE, created new (an existing file is never overwritten), or stdout. */
export function openOutput(values: TableValues, stdout: Writable): { output: Writable; close(): Promise<void> } {
  if (values.output === undefined) return { output: stdout, close: async () => undefined };
  if (existsSync(values.output)) throw new UsageError(`--output ${values.output} exists; fusion never overwrites a file: name a new one`);
  const output = createWriteStream(values.output, { flags: 'wx' });
  return {
    output,
    close: () => new Promise<void>((resolve, reject) => output.end((e?: Error | null) => (e ? reject(e) : resolve()))),
  };
}
