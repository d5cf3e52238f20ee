import { basename } from 'node:path';
import type { ZodType } from 'zod';
import type { ColumnChoice } from '../task/columns.js';
import { InputError } from '../task/errors.js';
import { readTableFile } from '../task/read-table.js';
import type { Task, TaskItem } from '../task/schema.js';
import type { TableFormat } from '../task/table-format.js';

/** One row of a labelled table as a kind's starter reads it: the item's own fields, its gold (if any) under `label`. */
export type StarterRow = { id: string; label?: unknown } & Record<string, unknown>;

/** What `fusion init` may say about the task beyond the table; each kind reads the ones it names in `KindStarter.options`. */
export interface StarterOptions {
  /** The table read, for messages. */
  file: string;
  /** The column the gold came from (`--label-column`), for messages. */
  labelColumn: string;
  name: string;
  instructions?: string;
  /** The labels are listed from low to high (`--ordered`). */
  ordered?: boolean;
  /** The labels, in this order (`--labels`). */
  labels?: readonly string[];
  /** The scale scores lie on (`--scale MIN-MAX`). */
  scale?: { min: number; max: number };
  /** The kind of answer asked for (`--answer-type`). */
  answerType?: string;
}

/** The options of StarterOptions a kind may read, beyond the ones every kind reads. */
export type StarterOption = 'ordered' | 'labels' | 'scale' | 'answerType';

/** A starter folder's task and items, how many items have gold, and a line saying what was derived. */
export interface StarterFolder<T extends Task = Task> {
  task: T;
  items: TaskItem[];
  labelled: number;
  summary: string;
}

/** How a kind makes an eval folder from a labelled table (`fusion init`). */
export interface KindStarter<T extends Task = Task> {
  /** How a table row is read: the kind's item fields, the gold under `label` (the column --label-column names). */
  readonly rowSchema: ZodType<StarterRow>;
  /** The options this kind reads (a command refuses the others rather than ignore them). */
  readonly options: readonly StarterOption[];
  /**
   * The task and items from the table's rows (ids unique), and a line saying what was derived (labels,
   * answer type, scale); an InputError naming the file and column when the gold cannot make a task.
   */
  build(rows: readonly { line: number; value: StarterRow }[], options: StarterOptions): StarterFolder<T>;
}

export interface StartOptions {
  columns?: ColumnChoice;
  format?: TableFormat;
  /** The task's name; default: the folder's name. */
  name?: string;
  instructions?: string;
  ordered?: boolean;
  labels?: readonly string[];
  scale?: { min: number; max: number };
  answerType?: string;
}

/**
 * An eval folder's task and items made from a labelled table by a kind's starter: the rows read
 * with its row schema (every problem an InputError naming the row, duplicate ids included), then
 * built into the kind's task and items.
 */
export function startFolder(starter: KindStarter, file: string, dir: string, options: StartOptions = {}): StarterFolder {
  const parsed = readTableFile(file, starter.rowSchema, { ...(options.format ? { format: options.format } : {}), ...(options.columns ? { columns: options.columns } : {}) });
  if (parsed.issues.length > 0) throw new InputError(parsed.issues);
  // Said for every kind before its starter sees no rows (which would write a folder of no items, or
  // blame the label column of a file that has none).
  if (parsed.records.length === 0) throw new InputError([{ file, message: parsed.header ? 'a header and no rows: no item to make a folder of' : 'no rows: the file is empty' }]);
  const seen = new Map<string, number>();
  const issues = parsed.records.flatMap(({ line, value }) => {
    const first = seen.get(value.id);
    if (first === undefined) {
      seen.set(value.id, line);
      return [];
    }
    return [{ file, line, field: 'id', message: `duplicate item id "${value.id}" (first on line ${first})` }];
  });
  if (issues.length > 0) throw new InputError(issues);
  const { columns, format, name, ...rest } = options;
  return starter.build(parsed.records, { ...rest, file, labelColumn: columns?.label ?? 'label', name: name ?? basename(dir) });
}
