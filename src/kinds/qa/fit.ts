import { getStrategy } from '../../fuse/registry.js';
import { parseSavedStrategy, toSavedStrategy } from '../../fuse/saved-strategy.js';
import { restoreCategorical } from '../categorical-fusers.js';
import { type FittedStrategy, type FusionStrategy, type SavedStrategy, type ScoreMetric, StrategyError } from '../../fuse/strategy.js';
import type { QaFolder } from './folder.js';
import { prepareQa } from '../../qa/prepare.js';

/**
 * What QA is scored, reported and promised in: accuracy, multiple choice included (its option
 * letters are labels shared by every question, but a question is right or wrong, whichever letter
 * it is); a fit that holds itself to a target (adaptive's loss bound) measures this figure.
 */
export const QA_METRIC: ScoreMetric = 'accuracy';

/** A saved strategy of a QA task: the one saved format (version 2), of kind `qa`. */
export type SavedQaStrategy = Extract<SavedStrategy, { kind: 'qa' }>;

/**
 * Validates a saved QA strategy read from `file`; errors name the file and the field (a file saved
 * by llm-fusion 0.1's QA format gets a message naming that version).
 */
export function parseSavedQaStrategy(raw: unknown, file: string): SavedQaStrategy {
  const saved = parseSavedStrategy(file, raw);
  // Its kind, then its state, as a run restores it.
  restoreCategorical(saved, file, 'qa', 'QA');
  return saved as SavedQaStrategy;
}

/** Fits one strategy of the one registry on every labelled item of a QA folder (for `fusion fit`). */
export function fitQaStrategy(folder: QaFolder, which: string | FusionStrategy, seed: number): { fitted: FittedStrategy; saved: SavedQaStrategy } {
  const strategy = typeof which === 'string' ? getStrategy(which) : which;
  const { name } = strategy;
  const p = prepareQa(folder);
  const { matrix } = p.candidates;
  if (strategy.supervised && !p.goldColumn.some((g) => g >= 0)) throw new StrategyError(`${name} learns from labels, but no item in ${folder.dir} has a right answer to learn from`);
  const gold = strategy.supervised ? p.goldColumn : new Int32Array(p.goldColumn.length).fill(-1);
  const fitted = strategy.fit(matrix, gold, { seed, metric: QA_METRIC, ...(strategy.supervised ? { right: p.rightColumns } : {}) });
  const saved = toSavedStrategy(fitted, {
    strategy: name,
    task: folder.task.name,
    kind: { kind: 'qa', answerType: folder.task.answerType },
    labels: matrix.candidates ? [] : matrix.labels,
    models: matrix.models,
  });
  return { fitted, saved: saved as SavedQaStrategy };
}

/** Restores a saved QA strategy; predictions map models by name. */
export function loadQaStrategy(saved: SavedQaStrategy): FittedStrategy {
  return getStrategy(saved.strategy).load(saved.state, saved.labels);
}
