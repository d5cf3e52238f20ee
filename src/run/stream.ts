import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { ZodType } from 'zod';
import type { ModelHandle, Orchestrator } from '../orchestrate/orchestrator.js';
import type { RequestBuilder } from '../orchestrate/request-builder.js';
import { formatIssue, type InputIssue, zodIssues } from '../task/errors.js';
import { escapeControl } from '../task/escape.js';
import { type ColumnChoice, cellIssues, headerIssues, mapRow, requiredBy, schemaFields } from '../task/columns.js';
import { ItemIds } from '../task/item-ids.js';
import { currentLimits } from '../task/limits.js';
import type { TableFormat } from '../task/table-format.js';
import { type InputRow, rowSource } from '../task/table-rows.js';
import type { Task, TaskItem } from '../task/schema.js';
import { type RawModelAnswer, askItem } from './ask-item.js';
import type { FusedLineBase } from '../kinds/row-parts.js';
import { type AnswerTable, type ErrorLine, OutputRows, type RowInput } from './output-row.js';

/**
 * What differs between task kinds in a streaming run: the input line schema and how a batch of
 * answered items becomes output lines. Everything else (reading, asking, ordering, windowing,
 * interrupts, closed pipes) is shared.
 */
export interface StreamKind<I extends TaskItem, L extends FusedLineBase> {
  /** Validates one input line. */
  schema: ZodType<I>;
  /** Items fused together; 1 means item by item. */
  batchSize: number;
  /** How an output line becomes a table's cells (CSV, TSV output). */
  table: AnswerTable<L>;
  /** One output line per item, in the order given. Pure: no I/O. */
  fuse(items: readonly { item: I; answers: RawModelAnswer[] }[]): L[];
  /** False when no model gave a readable answer (counted as undecided). */
  decided(line: L): boolean;
  /** Asks the models about one item when not every model is asked (an adaptive policy); all of them by default. */
  ask?(item: I, context: { orchestrator: Orchestrator; models: readonly ModelHandle[]; buildRequest: RequestBuilder }): Promise<RawModelAnswer[]>;
}

export interface StreamOptions<I extends TaskItem, L extends FusedLineBase> {
  task: Task;
  kind: StreamKind<I, L>;
  models: readonly ModelHandle[];
  orchestrator: Orchestrator;
  buildRequest: RequestBuilder;
  input: Readable;
  output: Writable;
  /** Where bad input lines are reported (`stdin:LINE: ...`). */
  errors: Writable;
  /** Name used in messages about input lines. Default `stdin`. */
  inputName?: string;
  /** Longest input line in bytes; longer lines are bad lines (default: FUSION_MAX_LINE_BYTES or 1 MiB). */
  maxLineBytes?: number;
  /** Items read but not yet written, at most (bounds memory). Default max(64, 4 x concurrency, 2 x batch). */
  window?: number;
  onItemDone?: () => void;
  /**
   * Which lines this run answers (`--shard`), by item id (undefined: a line whose id cannot be read).
   * Lines it leaves out get no output line and no call. Default: every line.
   */
  keep?: (id: string | undefined) => boolean;
  /** The input's format: JSON Lines (default), CSV or TSV with a header row. */
  format?: TableFormat;
  /** The output's format; default: the input's. */
  outputFormat?: TableFormat;
  /** Which input columns hold the item's fields (default: their own names; no id column: the row number). */
  columns?: ColumnChoice;
}

export interface RunPipelineResult {
  /** Output lines written (one per non-blank input line read). */
  lines: number;
  badLines: number;
  /** Items on which no model gave a readable answer. */
  undecided: number;
  /** True when reading stopped early because the run was interrupted. */
  interrupted: boolean;
  /** True when the reader went away (e.g. `| head`): reading and calling stopped, nothing more was written. */
  outputClosed: boolean;
}

/** An entry fused (or found bad), waiting for its turn to be written. */
interface Settled<L> {
  out: L | ErrorLine;
  input: RowInput | undefined;
}

type Entry<I> = { kind: 'item'; item: I; answers: Promise<RawModelAnswer[]>; input: RowInput } | { kind: 'bad'; out: ErrorLine; input?: RowInput };

/**
 * The streaming engine of `fusion run`: reads JSONL items, asks every model (through the
 * orchestrator: cache, limits, budget), fuses, and writes one JSON line per non-blank input line in
 * input order. At most `window` items are held at once; output backpressure is respected. Items are
 * grouped in batches of `kind.batchSize`; a batch is fused when all its answers are in. An
 * interrupt stops reading; the items already read are still answered (calls not made are marked
 * `missing`) and written.
 */
export async function runStream<I extends TaskItem, L extends FusedLineBase>(options: StreamOptions<I, L>): Promise<RunPipelineResult> {
  const { task, kind, models, orchestrator, buildRequest, output } = options;
  const inputName = options.inputName ?? 'stdin';
  const format = options.format ?? 'jsonl';
  const source = rowSource(format, inputName, options.maxLineBytes ?? currentLimits().maxLineBytes);
  const rows = new OutputRows(options.outputFormat ?? format, options.kind.table, models, () => source.header());
  const fields = schemaFields(kind.schema);
  let started = false;
  let firstInput: RowInput | undefined;
  const batchSize = Math.max(1, kind.batchSize);
  const window = Math.max(options.window ?? Math.max(64, 4 * orchestrator.concurrency), 2 * batchSize);
  const result: RunPipelineResult = { lines: 0, badLines: 0, undecided: 0, interrupted: false, outputClosed: false };

  // Batches in input order; each resolves to its output lines. `held` counts entries not yet written.
  const pending: Promise<Settled<L>[]>[] = [];
  let current: Entry<I>[] = [];
  let held = 0;

  // A closed pipe (EPIPE) ends the run quietly: nobody reads the answers, so no call should be paid
  // for. An output that cannot be written (a full disk under --output) stops the asking too, but the
  // calls already sent are paid whatever happens: they finish and are cached, so the same command,
  // run again once there is room, pays for none of them again.
  const onOutputError = (error: NodeJS.ErrnoException): void => {
    result.outputClosed = true;
    const readerGone = error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';
    orchestrator.stop(readerGone ? 'abort' : 'drain', 'interrupted');
  };
  output.on('error', onOutputError);
  const write = async (text: string): Promise<void> => {
    if (result.outputClosed || output.destroyed) {
      result.outputClosed = true;
      return;
    }
    if (!output.write(text)) {
      await Promise.race([once(output, 'drain'), once(output, 'close')]).catch(() => undefined);
    }
  };

  const settleBatch = async (entries: Entry<I>[]): Promise<Settled<L>[]> => {
    const items: { item: I; answers: RawModelAnswer[] }[] = [];
    for (const e of entries) if (e.kind === 'item') items.push({ item: e.item, answers: await e.answers });
    const fused = items.length > 0 ? kind.fuse(items) : [];
    let f = 0;
    return entries.map((e) => {
      if (e.kind === 'bad') return { out: e.out, input: e.input };
      const line = fused[f++] as L;
      if (!kind.decided(line)) result.undecided++;
      return { out: line, input: e.input };
    });
  };

  // The writer runs beside the reader: a line goes out as soon as it and every line before it are
  // fused, even while the producer is idle. The reader waits only when `window` lines are held.
  let inputDone = false;
  let wakeWriter: (() => void) | undefined;
  let wakeReader: (() => void) | undefined;
  let writerError: unknown;
  const poke = (): void => {
    const w = wakeWriter;
    wakeWriter = undefined;
    w?.();
  };
  const closeBatch = (): void => {
    if (current.length === 0) return;
    pending.push(settleBatch(current));
    current = [];
    poke();
  };
  const writer = (async (): Promise<void> => {
    try {
      for (;;) {
        const head = pending.shift();
        if (!head) {
          if (inputDone) return;
          await new Promise<void>((resolve) => (wakeWriter = resolve));
          continue;
        }
        for (const { out, input } of await head) {
          if (!started) {
            started = true;
            const header = rows.start(firstInput);
            if (header !== '') await write(header);
          }
          await write(rows.line(out, input));
          held--;
          if (!result.outputClosed) {
            result.lines++;
            options.onItemDone?.();
          }
          if (held < window && wakeReader) {
            const r = wakeReader;
            wakeReader = undefined;
            r();
          }
        }
      }
    } catch (e) {
      writerError = e;
      orchestrator.stop('abort', 'interrupted');
      wakeReader?.();
    }
  })();

  const lines = source.stream;
  // Fed by hand rather than piped, so that stopping detaches the input completely (a paused stdin
  // with no listener no longer holds the process open, as readline's close did).
  const input = options.input;
  const onData = (chunk: Buffer | string): void => {
    if (!lines.write(chunk)) input.pause();
  };
  const onDrain = (): void => {
    input.resume();
  };
  const onEnd = (): void => {
    if (!lines.writableEnded) lines.end();
  };
  const onInputError = (e: Error): void => {
    lines.destroy(e);
  };
  input.on('data', onData);
  input.once('end', onEnd);
  input.once('error', onInputError);
  lines.on('drain', onDrain);
  const closeInput = (): void => {
    input.off('data', onData);
    input.off('end', onEnd);
    input.off('error', onInputError);
    lines.off('drain', onDrain);
    input.pause();
    // A paused stdin pipe that is still open keeps reading and holds the process alive; nothing more
    // is read from it, so it must not (a socket's unref only affects that).
    (input as unknown as { unref?: () => void }).unref?.();
    if (!lines.writableEnded && !lines.destroyed) lines.end();
  };
  // Ctrl-C must end the run even while the producer is idle and no next line comes to notice it.
  const stopReading = (): void => {
    if (orchestrator.stopReason === 'interrupted') closeInput();
  };
  orchestrator.stopSignal.addEventListener('abort', stopReading, { once: true });
  // Stopped before the stream began (a signal that came while the command was starting): no line
  // may ever come to notice it.
  if (orchestrator.stopSignal.aborted) stopReading();
  let lineNo = 0;
  let rowNumber = 0;
  let headerProblem: InputIssue[] | undefined;
  let headerSaid = false;
  const required = requiredBy(kind.schema);
  const ids = new ItemIds(inputName);
  const headerIssuesOf = (header: readonly string[] | undefined): InputIssue[] => (header ? headerIssues(inputName, header, fields, options.columns ?? {}, required) : []);
  // A delimited input whose quotes never close ends the input: its row is the last, a bad one.
  async function* inputRows(): AsyncGenerator<InputRow> {
    try {
      for await (const chunk of lines) {
        const row = source.row(chunk);
        if (row) yield row;
      }
    } catch (e) {
      if (orchestrator.stopReason === 'interrupted') return;
      yield source.failure(e);
    }
  }
  try {
    for await (const l of inputRows()) {
      lineNo = l.line;
      if (l.text !== undefined && l.text.trim() === '') continue;
      if (orchestrator.stopReason === 'interrupted' || result.outputClosed || writerError !== undefined) break;
      rowNumber++;
      // A header that lacks a column every row needs: each row keeps its place, with the header's reason.
      headerProblem ??= headerIssuesOf(source.header());
      const missing = l.issue || headerProblem.length === 0 ? undefined : headerProblem.map((i) => ({ ...i, line: lineNo }));
      const mapped = l.issue ? { issues: [l.issue], passthrough: {} } : missing ? { issues: missing, passthrough: l.fields ?? {}, raw: l.fields } : mapRow(inputName, l, fields, options.columns ?? {}, rowNumber);
      const checked = mapped.value === undefined ? undefined : kind.schema.safeParse(mapped.value);
      const issues = checked && !checked.success ? cellIssues(zodIssues(inputName, lineNo, checked.error), mapped, options.columns ?? {}) : mapped.issues;
      const input: RowInput = { passthrough: mapped.passthrough, ...('raw' in mapped && mapped.raw ? { raw: mapped.raw } : {}) };
      if (options.keep && !options.keep(checked?.success ? checked.data.id : idOf(mapped.value))) continue;
      firstInput ??= input;
      // A second row of an id already seen is refused before any call: its answers would be paid
      // for and written under an id that no longer names one item.
      const duplicate = checked?.success ? ids.see(checked.data.id, lineNo) : undefined;
      if (!checked?.success || duplicate) {
        const message = (duplicate ? [duplicate] : issues).map(formatIssue).join('; ');
        // A header problem is every row's: said once, on the header's line, not once per row (a
        // million-row file would print it a million times); each output row still carries it.
        if (!missing || duplicate) options.errors.write(`${escapeControl(message)}\n`);
        else if (!headerSaid) {
          headerSaid = true;
          options.errors.write(`${escapeControl((headerProblem ?? []).map(formatIssue).join('; '))} (every row)\n`);
        }
        result.badLines++;
        const id = checked?.success ? checked.data.id : idOf(mapped.value);
        current.push({ kind: 'bad', out: { ...(id === undefined ? {} : { id }), line: lineNo, error: message }, input });
      } else {
        const item = checked.data;
        const answers = kind.ask ? kind.ask(item, { orchestrator, models, buildRequest }) : askItem(orchestrator, task, item, models, buildRequest);
        current.push({ kind: 'item', item, answers, input });
      }
      held++;
      if (current.length >= batchSize) closeBatch();
      while (held >= window && writerError === undefined) await new Promise<void>((resolve) => (wakeReader = resolve));
    }
  } finally {
    orchestrator.stopSignal.removeEventListener('abort', stopReading);
    closeInput();
    closeBatch();
    inputDone = true;
    poke();
    await writer;
    output.off('error', onOutputError);
  }
  if (writerError !== undefined) throw writerError;
  if (orchestrator.stopReason === 'interrupted' && !result.outputClosed) result.interrupted = true;
  return result;
}

/** The `id` of a row that failed validation, when it has one. */
function idOf(value: Record<string, unknown> | undefined): string | undefined {
  return typeof value?.id === 'string' ? value.id : undefined;
}
