import { groupedKFold, trainIndices } from '../../validation/folds.js';
import { selectRatingItems, type RatingMatrix } from './rating-matrix.js';
import type { RatingFitOptions, RatingPrediction, RatingStrategy } from './strategy.js';

export interface OutOfFoldRatings extends RatingPrediction {
  /** What the strategy picked in each fold (strategies that choose), in fold order. */
  picks: string[];
}

/**
 * Every item's fused score and interval from a strategy fitted without the item's fold: grouped
 * k-fold (siblings stay together), the training folds' gold given, the test fold's never. Both
 * supervised and unsupervised strategies go through it: the unsupervised ones ignore the gold for
 * their scores but calibrate their intervals on it.
 */
export function outOfFoldRatings(strategy: RatingStrategy, m: RatingMatrix, gold: Float64Array, options: RatingFitOptions & { folds: number }): OutOfFoldRatings {
  const N = m.itemIds.length;
  const groups = m.groups ?? m.itemIds.map(() => null);
  const folds = groupedKFold(groups, options.folds, options.seed);
  const score = new Float64Array(N).fill(Number.NaN);
  const low = new Float64Array(N).fill(Number.NaN);
  const high = new Float64Array(N).fill(Number.NaN);
  const picks: string[] = [];
  const fitOptions: RatingFitOptions = { seed: options.seed, ...(options.level !== undefined ? { level: options.level } : {}) };
  for (const test of folds) {
    const train = trainIndices(N, test);
    const fitted = strategy.fit(selectRatingItems(m, train), Float64Array.from(train, (i) => gold[i] as number), fitOptions);
    const p = fitted.predict(selectRatingItems(m, test));
    test.forEach((i, r) => {
      score[i] = p.score[r] as number;
      low[i] = p.low[r] as number;
      high[i] = p.high[r] as number;
    });
    const pick = fitted.picked?.();
    if (pick !== undefined) picks.push(pick);
  }
  return { score, low, high, picks };
}
