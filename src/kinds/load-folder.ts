import type { LoadOptions } from '../task/load-folder.js';
import { readEvalFiles, readEvalFolder, readTaskFile } from '../task/load-folder.js';
import type { Task } from '../task/schema.js';
import type { ClassificationFolder } from './classification/folder.js';
import type { QaFolder } from './qa/folder.js';
import type { RatingFolder } from './rating/folder.js';
import { kindOf } from './registry.js';

export type { ClassificationFolder, QaFolder, RatingFolder };
export type { EvalFolderBase, RecordedPrompts } from '../task/eval-folder.js';
export { checkIsEvalFolder, type LoadOptions } from '../task/load-folder.js';

/** An eval folder of any kind this build reads: the base (src/task/eval-folder.ts) and what its kind adds. */
export type EvalFolder = ClassificationFolder | QaFolder | RatingFolder;

/** task.json read and checked: its schema, then what its kind's plug-in checks beyond it (a label set). */
export function loadTaskFile(file: string): Task {
  return readTaskFile(file, kindOf);
}

/**
 * Loads and cross-checks an eval folder (task.json, items.jsonl, responses.jsonl), every kind by
 * the one reader (src/task/load-folder.ts), its kind's plug-in checking its items and building its
 * gold. Every problem found is thrown together as an InputError.
 */
export function loadEvalFolder(dir: string, opts: LoadOptions = {}): EvalFolder {
  // The plug-in found by task.kind built the folder its kind declares.
  return readEvalFolder(dir, opts, kindOf) as EvalFolder;
}

/**
 * loadEvalFolder over files named one by one (`fusion fuse --answers FILE --task FILE`), each in
 * any table format. Without an items file the items are the ones the responses name, in order of
 * first appearance, without text or gold.
 */
export function loadEvalFiles(dir: string, files: { task: string; items?: string; responses: string }, opts: LoadOptions = {}): EvalFolder {
  return readEvalFiles(dir, files, opts, kindOf) as EvalFolder;
}
