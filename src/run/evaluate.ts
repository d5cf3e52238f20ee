import type { ClassificationEvalResult } from '../kinds/classification/evaluate.js';
import type { QaEvalResult } from '../eval/answer-score.js';
import type { RatingEvalResult } from '../kinds/rating/index.js';
import { kindOf } from '../kinds/registry.js';
import { StrategyError } from '../fuse/strategy.js';
import { InputError } from '../task/errors.js';
import type { EvalFolder } from '../kinds/load-folder.js';
import { type FolderWarnings, folderWarnings } from '../task/eval-folder.js';
import { loadRecordedFolder, refuseOtherPrompts } from './recorded-prompts.js';

export type { EvalResult } from '../eval/eval-result.js';

/** The evaluation of a folder of any kind: the one EvalResult type, whose `extras` are the kind's; narrow it on `kind`. */
export type AnyEvalResult = ClassificationEvalResult | QaEvalResult | RatingEvalResult;

export interface EvaluateOptions {
  /** Cross-validation folds for strategies that learn from gold (default 5, as the CLI). */
  folds?: number;
  /** Seed for the folds and anything random (default 1). */
  seed?: number;
  /** Strategies by name; every strategy of the folder's kind by default. */
  strategies?: readonly string[];
  /** Explain this many contested decisions per strategy (default 0); a StrategyError on a kind that cannot (rating). */
  explain?: number;
  /** Threads the cross-validation fits run on (1 = this thread only); FUSION_THREADS or every core by default. */
  threads?: number;
  onProgress?: (done: number, total: number, what: string) => void;
}

/**
 * Scores every model and strategy on an eval folder (a path or a loaded folder) with gold, for
 * every task kind, as `fusion eval` does: the folder's kind plug-in reads, fuses and scores. Its
 * `warnings` are what reading the folder noticed without refusing anything (`fusion eval` prints them).
 */
export async function evaluate(folder: EvalFolder | string, options: EvaluateOptions = {}): Promise<AnyEvalResult & FolderWarnings> {
  // Answers asked with a prompt task.json no longer renders are refused, as `fusion eval` does, from a path or a loaded folder.
  const loaded = typeof folder === 'string' ? loadRecordedFolder(folder) : folder;
  if (typeof folder !== 'string') refuseOtherPrompts(loaded);
  const kind = kindOf(loaded.task);
  const cannotExplain = kind.refusedFlags['--explain'];
  if ((options.explain ?? 0) > 0 && cannotExplain !== undefined) throw new StrategyError(`explain: ${cannotExplain}`);
  if (!kind.hasGold(loaded)) {
    throw new InputError([{ file: `${loaded.dir}/items.jsonl`, message: 'no item has gold, so there is nothing to score (fuse() or `fusion fuse` give the fused answers without it)' }]);
  }
  const { result } = await kind.evaluate(loaded, {
    folds: options.folds ?? 5,
    seed: options.seed ?? 1,
    ...(options.strategies ? { strategies: options.strategies } : {}),
    ...(options.explain !== undefined ? { explain: options.explain } : {}),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { ...(result as AnyEvalResult), ...folderWarnings(loaded) };
}
