import type { QaFolder } from '../task/load-folder.js';
import { prepareQa } from './evaluate-qa.js';
import { qaStrategy } from './fusion/registry.js';
import { type FittedQaStrategy, QaStateError } from './types.js';

export interface SavedQaStrategy {
  strategy: string;
  models: string[];
  state: unknown;
}

/** Fits one QA strategy on every labelled item of a folder (for `fusion fit` on a QA task). */
export function fitQaStrategy(folder: QaFolder, name: string, seed: number): { fitted: FittedQaStrategy; saved: SavedQaStrategy } {
  const strategy = qaStrategy(name);
  if (!strategy) throw new QaStateError(`unknown QA strategy "${name}"`);
  const p = prepareQa(folder);
  const fitted = strategy.fit(
    p.built.map((b) => b.item),
    p.correct,
    { seed, models: p.models },
  );
  return { fitted, saved: { strategy: name, models: p.models, state: fitted.state() } };
}

/** Restores a saved QA strategy for the given models (the saved ones by default). */
export function loadQaStrategy(saved: SavedQaStrategy, models: readonly string[] = saved.models): FittedQaStrategy {
  const strategy = qaStrategy(saved.strategy);
  if (!strategy) throw new QaStateError(`unknown QA strategy "${saved.strategy}"`);
  return strategy.load(saved.state, models);
}
