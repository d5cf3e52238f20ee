import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type InputIssue, InputError, UnsupportedKindError, zodIssues } from './errors.js';
import { folderTable, readTableFile } from './read-table.js';
import { currentLimits, limitVariable } from './limits.js';
import { readTextFileSync } from './safe-read.js';
import { ItemIds } from './item-ids.js';
import { itemText, itemTextField } from './item-text.js';
import { goldLabelOf, labelIndex } from './labels.js';
import { choiceGoldIssue } from './choice-gold.js';
import { type AskedPrompt, responseLineIssue } from './response-checks.js';
import {
  type ClassificationItem,
  type ClassificationTask,
  ClassificationItemSchema,
  askedText,
  type QaItem,
  type QaTask,
  QaItemSchema,
  type RecordedResponse,
  ResponseSchema,
  type Task,
  type TaskItem,
  type RatingItem,
  RatingItemSchema,
  type RatingTask,
  isRatingTask,
  isQaTask,
  isClassificationTask,
  TaskSchema,
} from './schema.js';

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

export interface ClassificationFolder {
  kind: ClassificationTask['kind'];
  dir: string;
  task: ClassificationTask;
  items: ClassificationItem[];
  /** Gold label index per item, -1 where the item has no label. */
  gold: Int32Array;
  responses: RecordedResponse[];
  /** Set where some answer carries its prompt's key and the items have their texts (an items file). */
  recordedPrompts?: RecordedPrompts;
}

export interface QaFolder {
  kind: QaTask['kind'];
  dir: string;
  task: QaTask;
  items: QaItem[];
  responses: RecordedResponse[];
  /** Set where some answer carries its prompt's key and the items have their texts (an items file). */
  recordedPrompts?: RecordedPrompts;
}

export interface RatingFolder {
  kind: RatingTask['kind'];
  dir: string;
  task: RatingTask;
  items: RatingItem[];
  /** Gold score per item, NaN where the item has none. */
  gold: Float64Array;
  responses: RecordedResponse[];
  /** Set where some answer carries its prompt's key and the items have their texts (an items file). */
  recordedPrompts?: RecordedPrompts;
}

export type EvalFolder = ClassificationFolder | QaFolder | RatingFolder;

/** Kinds the eval folder format defines that this version cannot fuse yet: refused by name, not by a schema error. */
const KNOWN_UNSUPPORTED_KINDS: readonly string[] = [];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function loadTaskFile(file: string): Task {
  let raw: unknown;
  try {
    raw = JSON.parse(readTextFileSync(file));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError([{ file, message: `cannot read task: ${(e as Error).message}` }]);
  }
  if (isRecord(raw) && typeof raw.kind === 'string' && KNOWN_UNSUPPORTED_KINDS.includes(raw.kind)) throw new UnsupportedKindError(file, raw.kind);
  const parsed = TaskSchema.safeParse(raw);
  if (!parsed.success) throw new InputError(zodIssues(file, undefined, parsed.error));
  const task = parsed.data;
  if (isClassificationTask(task)) {
    const { maxLabels } = currentLimits();
    if (task.labels.length > maxLabels) {
      throw new InputError([{ file, field: 'labels', message: `${task.labels.length} labels, more than ${maxLabels} (raise ${limitVariable('maxLabels')} if it is meant to be)` }]);
    }
    const issues = labelIndex(task).issues.map((message) => ({ file, field: 'labels', message }));
    if (issues.length > 0) throw new InputError(issues);
  }
  return task;
}

export interface LoadOptions {
  /** A folder without a responses file is an error. */
  requireResponses?: boolean;
  /**
   * The task and the items (gold included) only, the responses left unread: what `fusion eval
   * --models` checks before asking anything, so that a bad item costs no call; the responses file
   * is then repaired (a cut last line of the tool's own) and checked by the recorder.
   */
  itemsOnly?: boolean;
}

/**
 * Loads and cross-checks an eval folder (task.json, items.jsonl, responses.jsonl).
 * Every problem that would make a score wrong is collected and thrown together as an InputError:
 * a malformed line, an unknown gold label, a duplicate item id, a response for an unknown item,
 * a duplicate (item, model, sample) response. Unreadable raw answers are not errors here: the
 * normalizer turns them into counted abstentions.
 */
export function loadEvalFolder(dir: string, opts: LoadOptions = {}): EvalFolder {
  checkIsEvalFolder(dir);
  return loadEvalFiles(dir, { task: join(dir, 'task.json'), items: folderTable(dir, 'items'), responses: folderTable(dir, 'responses') }, opts);
}

const WHAT_A_FOLDER_IS = 'an eval folder holds task.json, items.jsonl and responses.jsonl; `fusion init FILE --out DIR` makes one from a labelled table';

/**
 * The path given as a folder, checked before any of its files is read: a mistyped name, a file
 * named in its place or a folder of something else would otherwise be reported as the missing
 * `<path>/task.json`, a path the user never typed, without saying what an eval folder is.
 */
export function checkIsEvalFolder(dir: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' || code === 'ENOTDIR' ? 'no such folder' : `cannot read (${code ?? (e as Error).message})`;
    throw new InputError([{ file: dir, message: `${what} (${WHAT_A_FOLDER_IS})` }]);
  }
  if (!isDir) throw new InputError([{ file: dir, message: `not a folder (${WHAT_A_FOLDER_IS})` }]);
  if (!existsSync(join(dir, 'task.json'))) throw new InputError([{ file: dir, message: `not an eval folder: it has no task.json (${WHAT_A_FOLDER_IS})` }]);
}

/**
 * loadEvalFolder over files named one by one (`fusion fuse --answers FILE --task FILE`), each in
 * any table format. Without an items file the items are the ones the responses name, in order of
 * first appearance, without text or gold.
 */
export function loadEvalFiles(dir: string, files: { task: string; items?: string; responses: string }, opts: LoadOptions = {}): EvalFolder {
  const task = loadTaskFile(files.task);
  const responsesFile = files.responses;
  const issues: InputIssue[] = [];
  const itemsFile = files.items ?? responsesFile;
  const itemSchema = isClassificationTask(task) ? ClassificationItemSchema : isRatingTask(task) ? RatingItemSchema : QaItemSchema;
  const itemParse = files.items !== undefined ? readTableFile(files.items, itemSchema) : itemsOfResponses(responsesFile, task);
  issues.push(...itemParse.issues);

  const itemIds = new ItemIds(itemsFile);
  for (const { line, value } of itemParse.records) {
    const duplicate = itemIds.see(value.id, line);
    if (duplicate) issues.push(duplicate);
  }

  // Items about to be asked (--models): one with nothing to ask about would be paid for by every model.
  if (opts.itemsOnly && files.items !== undefined) {
    for (const { line, value } of itemParse.records) {
      const asked = askedText.safeParse(itemText(value));
      if (!asked.success) issues.push(...zodIssues(itemsFile, line, asked.error).map((i) => ({ ...i, field: itemTextField(value) })));
    }
  }

  let gold = new Int32Array(0);
  if (isClassificationTask(task)) {
    const goldOf = goldLabelOf(task);
    const records = itemParse.records as { line: number; value: ClassificationItem }[];
    gold = new Int32Array(records.length).fill(-1);
    records.forEach(({ line, value }, i) => {
      if (value.label === undefined) return;
      const k = goldOf(value.label);
      if (k === undefined) {
        issues.push({ file: itemsFile, line, field: 'label', message: `unknown gold label "${value.label}" (labels: ${task.labels.map((l) => l.name).join(', ')})` });
      } else gold[i] = k;
    });
  } else if (isRatingTask(task)) {
    // A gold score off the scale is a typo or another scale, as a gold label outside the labels is:
    // scored as it is, it would count every judge wrong by the distance (fusion init --scale refuses it too).
    const { min, max } = task.scale;
    for (const { line, value } of itemParse.records as { line: number; value: RatingItem }[]) {
      if (value.label !== undefined && (value.label < min || value.label > max)) {
        issues.push({ file: itemsFile, line, field: 'label', message: `gold score ${value.label} is outside the task's scale ${min}-${max} (${files.task})` });
      }
    }
  } else if (isQaTask(task)) {
    const records = itemParse.records as { line: number; value: QaItem }[];
    for (const { line, value } of records) {
      if (task.answerType === 'multiple-choice' && (!value.choices || value.choices.length === 0)) {
        issues.push({ file: itemsFile, line, field: 'choices', message: 'a multiple-choice item needs choices' });
      } else if (task.answerType === 'multiple-choice') {
        // As a gold label outside a classification task's labels is refused.
        const issue = choiceGoldIssue(value);
        if (issue !== undefined) issues.push({ file: itemsFile, line, field: 'answers', message: issue });
      }
    }
  }

  const responses: RecordedResponse[] = [];
  const asked: AskedPrompt[] = [];
  if (opts.itemsOnly) {
    // the responses are the recorder's to repair and check
  } else if (existsSync(responsesFile)) {
    const respParse = readTableFile(responsesFile, ResponseSchema);
    issues.push(...respParse.issues);
    const seen = new Map<string, number>();
    // A refused item line is already reported; its responses would each read as "unknown item".
    // The load fails on the item's issue anyway, and a truly unknown item is reported once the
    // items read.
    const itemsRefused = itemParse.issues.length > 0;
    for (const { line, value } of respParse.records) {
      if (itemsRefused && !itemIds.has(value.item)) continue;
      const issue = responseLineIssue(responsesFile, line, value, itemIds, seen);
      if (issue) issues.push(issue);
      else {
        responses.push(value);
        if (value.promptKey !== undefined) asked.push({ line, item: value.item, promptKey: value.promptKey });
      }
    }
  } else if (opts.requireResponses) {
    issues.push({ file: responsesFile, message: 'file not found (record answers first, or pass --models)' });
  }

  // Each file's issues in line order, whichever check found them (shape, gold, duplicates), as one
  // reads down the file to fix them; files in the order they were read.
  const fileOrder = [...new Set(issues.map((i) => i.file))];
  issues.sort((a, b) => fileOrder.indexOf(a.file) - fileOrder.indexOf(b.file) || (a.line ?? 0) - (b.line ?? 0));
  if (issues.length > 0) throw new InputError(issues);
  const items = itemParse.records.map((r) => r.value);
  // Without an items file the items are only the ids the answers name: no text to render a prompt from, so nothing to compare.
  const recorded = asked.length > 0 && files.items !== undefined ? { recordedPrompts: { file: responsesFile, baseDir: dirname(files.task), prompts: asked } } : {};
  if (isClassificationTask(task)) {
    return { kind: task.kind, dir, task, items: items as ClassificationItem[], gold, responses, ...recorded };
  }
  if (isRatingTask(task)) {
    const rated = items as RatingItem[];
    return { kind: task.kind, dir, task, items: rated, gold: Float64Array.from(rated, (it) => it.label ?? Number.NaN), responses, ...recorded };
  }
  return { kind: task.kind, dir, task: task as QaTask, items: items as QaItem[], responses, ...recorded };
}

/** The items an answers file names, in order of first appearance, with neither text nor gold. */
function itemsOfResponses(file: string, task: Task): { records: { line: number; value: TaskItem }[]; issues: InputIssue[] } {
  const parsed = readTableFile(file, ResponseSchema);
  const seen = new Set<string>();
  const records: { line: number; value: TaskItem }[] = [];
  for (const { line, value } of parsed.records) {
    if (seen.has(value.item)) continue;
    seen.add(value.item);
    records.push({ line, value: isQaTask(task) ? { id: value.item, question: '' } : { id: value.item, text: '' } });
  }
  return { records, issues: [] };
}
