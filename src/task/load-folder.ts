import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type InputIssue, InputError, UnsupportedKindError, zodIssues } from './errors.js';
import { folderTable, readTableFile } from './read-table.js';
import { readTextFileSync } from './safe-read.js';
import { ItemIds } from './item-ids.js';
import { itemText, itemTextField } from './item-text.js';
import { type AskedPrompt, responseLineIssue } from './response-checks.js';
import { type RecordedResponse, ResponseSchema, type Task, TaskSchema, askedText } from './schema.js';
import type { EvalFolderBase, FolderKind, ItemRecord } from './eval-folder.js';
import { type NameAt, caseVariants, spellingsWhere } from './model-case.js';

/** Kinds the eval folder format defines that this version cannot fuse yet: refused by name, not by a schema error. */
const KNOWN_UNSUPPORTED_KINDS: readonly string[] = [];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What the generic reader asks of the task's kind (the registry's plug-in, given by the layer that knows them). */
export type FolderKindOf = (task: Task) => FolderKind;

/** task.json read and checked: its schema, then what its kind checks beyond it. */
export function readTaskFile(file: string, kindOf: FolderKindOf): Task {
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
  const issues = kindOf(task).taskIssues(task, file);
  if (issues.length > 0) throw new InputError(issues);
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
 * Reads and cross-checks an eval folder (task.json, items.jsonl, responses.jsonl).
 * Every problem that would make a score wrong is collected and thrown together as an InputError:
 * a malformed line, a gold the task cannot score (the kind's check), a duplicate item id, a
 * response for an unknown item, a duplicate (item, model, sample) response. Unreadable raw answers
 * are not errors here: the normalizer turns them into counted abstentions.
 */
export function readEvalFolder(dir: string, opts: LoadOptions, kindOf: FolderKindOf): EvalFolderBase {
  checkIsEvalFolder(dir);
  return readEvalFiles(dir, { task: join(dir, 'task.json'), items: folderTable(dir, 'items'), responses: folderTable(dir, 'responses') }, opts, kindOf);
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
 * readEvalFolder over files named one by one (`fusion fuse --answers FILE --task FILE`), each in
 * any table format. Without an items file the items are the ones the responses name, in order of
 * first appearance, without text or gold. The folder is the base and the fields the kind adds.
 */
export function readEvalFiles(dir: string, files: { task: string; items?: string; responses: string }, opts: LoadOptions, kindOf: FolderKindOf): EvalFolderBase {
  const task = readTaskFile(files.task, kindOf);
  const kind = kindOf(task);
  const responsesFile = files.responses;
  const issues: InputIssue[] = [];
  const itemsFile = files.items ?? responsesFile;
  const itemParse = files.items !== undefined ? readTableFile(files.items, kind.folderItemSchema) : itemsOfResponses(responsesFile, kind);
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

  const { issues: kindIssues, parts } = kind.folderParts(task, itemParse.records, { task: files.task, items: itemsFile });
  issues.push(...kindIssues);

  const responses: RecordedResponse[] = [];
  const asked: AskedPrompt[] = [];
  // Each model name at the line it first appears on (a name per answer would hold one per line).
  const models = new Map<string, number>();
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
        if (!models.has(value.model)) models.set(value.model, line);
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
  const warnings = caseVariants(Array.from(models, ([name, line]) => ({ name, line }))).map((group) => caseVariantsWarning(responsesFile, group));
  return { kind: task.kind, dir, task, items, responses, ...recorded, ...(warnings.length > 0 ? { warnings } : {}), ...parts };
}

/**
 * Two spellings of one model name in an answers file, said where the second first appears: each
 * stays a model of its own (names are case-sensitive at providers, and the file may mean two), so
 * the result is as without the warning; the user who meant one model learns why it votes twice.
 */
function caseVariantsWarning(file: string, group: readonly NameAt[]): InputIssue {
  const spellings = spellingsWhere(group, (line) => `first on line ${line}`);
  return {
    file,
    line: (group[1] as NameAt).line,
    field: 'model',
    message: `${spellings} differ only by case: each is read as a model of its own, with the answers under its spelling (model names are case-sensitive at providers; if they are one model, write one spelling)`,
  };
}

/** The items an answers file names, in order of first appearance, with neither text nor gold. */
function itemsOfResponses(file: string, kind: FolderKind): { records: ItemRecord[]; issues: InputIssue[] } {
  const parsed = readTableFile(file, ResponseSchema);
  const seen = new Set<string>();
  const records: ItemRecord[] = [];
  for (const { line, value } of parsed.records) {
    if (seen.has(value.item)) continue;
    seen.add(value.item);
    records.push({ line, value: kind.bareItem(value.item) });
  }
  return { records, issues: [] };
}
