import type { ZodType } from 'zod';
import type { InputIssue } from './errors.js';
import type { AskedPrompt } from './response-checks.js';
import type { RecordedResponse, Task, TaskItem } from './schema.js';

/**
 * The recorded answers of a folder that say which prompt they were asked with (what `fusion eval
 * --models` writes), kept with the folder so that whatever uses them as answers to task.json's
 * prompt (evaluate(), fit(), fusion fuse) can refuse those task.json no longer renders, however the
 * folder reached it. `baseDir`: where task.json's template is looked up, as the asking run did.
 */
export interface RecordedPrompts {
  file: string;
  baseDir: string;
  prompts: readonly AskedPrompt[];
}

/**
 * What an eval folder of every kind holds; a kind's folder (src/kinds/<kind>/folder.ts) adds what
 * only it reads from its items (its gold as an array the scorers index).
 */
export interface EvalFolderBase<T extends Task = Task, I extends TaskItem = TaskItem> {
  kind: T['kind'];
  dir: string;
  task: T;
  items: I[];
  responses: RecordedResponse[];
  /** Set where some answer carries its prompt's key and the items have their texts (an items file). */
  recordedPrompts?: RecordedPrompts;
  /**
   * What the reading noticed that a user would want to hear but that changes nothing read (model
   * names that differ only by case, each read as a model of its own); set only when there is some.
   * The CLI prints them on stderr.
   */
  warnings?: readonly InputIssue[];
}

/**
 * What a library call that reads a folder (evaluate(), fit()) returns beside its result: the
 * folder's warnings, [] when there is none, so that its caller hears them as the CLI's user does on
 * stderr, even when it passed a path and never saw the loaded folder.
 */
export interface FolderWarnings {
  warnings: readonly InputIssue[];
}

/** The warnings of `folder` as a library call returns them. */
export function folderWarnings(folder: Pick<EvalFolderBase, 'warnings'>): FolderWarnings {
  return { warnings: folder.warnings ?? [] };
}

/** One parsed line of an items file (or of the answers file its items are read from). */
export interface ItemRecord<I extends TaskItem = TaskItem> {
  line: number;
  value: I;
}

/** Where a folder's items and task were read from, for the issues a kind's checks report. */
export interface FolderFiles {
  task: string;
  items: string;
}

/**
 * What reading an eval folder needs of a task kind (a TaskKind supplies it): its task's checks
 * beyond the schema, its item schema, and its checks of the items against the task, which also
 * build the fields its folder adds to the base. The reading itself (files, shapes, duplicates,
 * answers, recorded prompts, issue order) is written once, in load-folder.ts.
 */
export interface FolderKind<T extends Task = Task, F extends EvalFolderBase<T> = EvalFolderBase<T>> {
  /** The eval folder's item schema (with gold), for reading items.jsonl or a table. */
  readonly folderItemSchema: ZodType<F['items'][number]>;
  /** What the task file's schema cannot see (a label set's size and spellings), each issue naming `file`. */
  taskIssues(task: T, file: string): InputIssue[];
  /** An item known only by its id, as an answers file read without items names it: no text, no gold. */
  bareItem(id: string): F['items'][number];
  /**
   * The items checked against the task (a gold the task cannot score), each issue naming
   * `files.items` and the record's line; and the fields the kind's folder adds, one entry per record.
   */
  folderParts(task: T, records: readonly ItemRecord<F['items'][number]>[], files: FolderFiles): { issues: InputIssue[]; parts: Omit<F, keyof EvalFolderBase> };
}
