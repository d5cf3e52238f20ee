import { kindOf } from '../kinds/registry.js';
import type { AdaptiveTargets, FitStrategy, KindEntry } from '../kinds/task-kind.js';
import type { SavedStrategy } from '../fuse/strategy.js';
import type { EvalFolder } from '../kinds/load-folder.js';
import { refuseOtherPrompts } from './recorded-prompts.js';
import { type FolderWarnings, folderWarnings } from '../task/eval-folder.js';

export interface FitOptions {
  /** A strategy name of the folder's kind, or one the kind configured (`kindOf(task).strategyToFit`). */
  strategy: string | FitStrategy;
  /** Adaptive targets (`--max-loss` as a share, `--max-calls`, `--max-cost`); only with the adaptive strategy. */
  targets?: AdaptiveTargets;
  seed?: number;
  /** First estimate its quality with this many folds (0 or 1: skip; skipped too when nothing has gold). */
  folds?: number;
}

/** What fit() returns; its `warnings` are the folder's (what `fusion fit` prints). */
export interface FitResult extends FolderWarnings {
  saved: SavedStrategy;
  /** The strategy's fitted state (what `auto` picked, and why). */
  state: unknown;
  /** The out-of-fold estimate, when asked and the folder has gold: the scored entry and its headline. */
  estimate?: { entry: KindEntry; headline: string; scoredOn: string };
}

/**
 * Fits one strategy on every labelled item of an eval folder, for every task kind (`fusion fit`
 * calls this): the kind's plug-in configures the strategy (the adaptive targets included), scores
 * it out-of-fold first when asked, and fits and saves it.
 */
export async function fit(folder: EvalFolder, options: FitOptions): Promise<FitResult> {
  // Answers asked with a prompt task.json no longer renders are not learnt from, as `fusion eval` does not score them.
  refuseOtherPrompts(folder);
  const kind = kindOf(folder.task);
  const seed = options.seed ?? 1;
  const folds = options.folds ?? 0;
  const strategy = typeof options.strategy === 'string' ? kind.strategyToFit(options.strategy, folder, options.targets) : options.strategy;
  let estimate: FitResult['estimate'];
  if (folds >= 2 && folder.items.length >= folds && kind.hasGold(folder)) {
    const { result } = await kind.evaluate(folder, { folds, seed, strategies: [strategy] });
    const entry = result.strategies[0];
    if (entry) estimate = { entry, headline: kind.headline(entry), scoredOn: strategy.supervised ? `out-of-fold (${folds} folds, seed ${seed})` : 'on all items, without labels' };
  }
  const { saved, state } = kind.fitSaved(folder, strategy, seed);
  return { saved, state, ...(estimate ? { estimate } : {}), ...folderWarnings(folder) };
}
