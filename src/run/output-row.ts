import type { TableFormat } from '../task/table-format.js';
import { tableWriter } from '../task/table-writer.js';
import type { FusedLineBase } from '../kinds/row-parts.js';

/** An input line that is not an item, as written out: its id when one could be read, its line and what is wrong. */
export interface ErrorLine {
  id?: string;
  line: number;
  error: string;
}

/** What an output row keeps of its input row: the columns the item did not read, and (delimited input) the row as read. */
export interface RowInput {
  passthrough: Readonly<Record<string, unknown>>;
  raw?: Readonly<Record<string, unknown>>;
}

/** How a kind's fused line becomes table cells: its answer columns, and the field of each model's answer that its column holds. */
export interface AnswerTable<L extends FusedLineBase> {
  readonly answerField: string;
  readonly tableColumns: readonly string[];
  tableCells(line: L): Record<string, unknown>;
}

interface AnswerLike {
  model: string;
  sample?: number;
}

/** A fused line as the flat columns of a table: the kind's answer columns, each model's answer and the abstention. */
function flatAnswer<L extends FusedLineBase>(line: L, table: AnswerTable<L>, own: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...table.tableCells(line) };
  const answers = (line as FusedLineBase & { answers?: readonly (AnswerLike & Record<string, unknown>)[] }).answers ?? [];
  for (const a of answers) out[modelColumn(a.model, a.sample, own)] = a[table.answerField] ?? null;
  if (line.abstain) out.abstain = line.abstain;
  return out;
}

/** The columns a fused row fills itself: the item's id, the kind's answer columns, `abstain` and `error`. */
function ownColumns(table: AnswerTable<never>): ReadonlySet<string> {
  return new Set(['id', ...table.tableColumns, 'abstain', 'error']);
}

/**
 * A model's (and sample's) column. A model named as one of the row's own columns (`id`, `score`,
 * `label`, `error`) is written `model_<name>`: under its own name its answer would overwrite the
 * fused one in the row (or push the item's id aside), and the header would name one column twice.
 */
function modelColumn(model: string, sample: number | undefined, own: ReadonlySet<string>): string {
  const column = sample === undefined || sample === 0 ? model : `${model}#${sample}`;
  return own.has(column) ? `model_${column}` : column;
}

/** An input column whose name an output field already uses keeps its value under `input_<name>`. */
function renamed(name: string, taken: ReadonlySet<string>): string {
  return taken.has(name) ? `input_${name}` : name;
}

/**
 * How `fusion run` writes its lines: JSON Lines (the fused line, then the input's other columns),
 * or CSV/TSV (the input's columns as read, then the kind's answer columns, one column per model,
 * `abstain` and `error`). The header of a delimited output is written before the first line.
 */
export class OutputRows<L extends FusedLineBase> {
  private columns: string[] | undefined;
  private readonly writer;
  /** The columns a fused row fills itself (ownColumns), and every column this writer adds after the input's: fixed by the kind and the models. */
  private readonly own: ReadonlySet<string>;
  private readonly outColumns: readonly string[];
  private readonly outTaken: ReadonlySet<string>;

  constructor(
    private readonly format: TableFormat,
    private readonly table: AnswerTable<L>,
    private readonly models: readonly { name: string; sample?: number }[],
    private readonly inputHeader: () => readonly string[] | undefined,
  ) {
    this.writer = tableWriter(format);
    this.own = ownColumns(table);
    this.outColumns = [...table.tableColumns, ...models.map((m) => modelColumn(m.name, m.sample, this.own)), 'abstain', 'error'];
    this.outTaken = new Set(this.outColumns);
  }

  /** Text to write before the first row (a delimited header), given the first row's input. */
  start(first: RowInput | undefined): string {
    if (this.format === 'jsonl') return '';
    const input = this.inputHeader() ?? ['id', ...Object.keys(first?.passthrough ?? {})];
    this.columns = [...input.map((c) => renamed(c, this.outTaken)), ...this.outColumns];
    return this.writer.header(this.columns);
  }

  line(out: L | ErrorLine, input: RowInput | undefined): string {
    if (this.format === 'jsonl') {
      const taken = new Set(Object.keys(out));
      const extra: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(input?.passthrough ?? {})) extra[renamed(k, taken)] = v;
      return this.writer.row({ ...out, ...extra }, []);
    }
    const record: Record<string, unknown> = {};
    const source = input?.raw ?? { ...(('id' in out && out.id !== undefined) ? { id: out.id } : {}), ...input?.passthrough };
    for (const [k, v] of Object.entries(source)) record[renamed(k, this.outTaken)] = v;
    if ('error' in out) record.error = out.error;
    else Object.assign(record, flatAnswer(out, this.table, this.own));
    return this.writer.row(record, this.columns ?? []);
  }
}
