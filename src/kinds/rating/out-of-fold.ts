import { crossValidate, makeFolds } from '../../validation/out-of-fold.js';
import { selectRatingItems, type RatingMatrix } from './rating-matrix.js';
import type { FittedRating, RatingFitOptions, RatingPrediction, RatingStrategy } from './strategy.js';

export interface OutOfFoldRatings extends RatingPrediction {
  /** What the strategy picked in each fold (strategies that choose), in fold order. */
  picks: string[];
}

/**
 * The fewest items outOfFoldRatings can score on in `folds` folds when a strategy needs
 * `minTraining` training items in every fold (each item its own group; siblings only make it more):
 * grouped folds shrink to the groups there are, but need two.
 */
export function ratingItemsToScore(folds: number, minTraining: number): number {
  for (let n = 2; ; n++) if (n - Math.ceil(n / Math.min(folds, n)) >= minTraining) return n;
}

/**
 * Every item's fused score and interval from a strategy fitted without the item's fold: grouped
 * k-fold (siblings stay together), the training folds' gold given, the test fold's never. Both
 * supervised and unsupervised strategies go through it: the unsupervised ones ignore the gold for
 * their scores but calibrate their intervals on it.
 */
export function outOfFoldRatings(strategy: RatingStrategy, m: RatingMatrix, gold: Float64Array, options: RatingFitOptions & { folds: number }): OutOfFoldRatings {
  const N = m.itemIds.length;
  const folds = makeFolds(N, options.folds, options.seed, { groups: m.groups ?? m.itemIds.map(() => null) });
  const fitOptions: RatingFitOptions = { seed: options.seed, ...(options.level !== undefined ? { level: options.level } : {}) };
  const cv = crossValidate<RatingMatrix, Float64Array, RatingPrediction, RatingFitOptions, FittedRating>(strategy, m, gold, N, folds, {
    select: selectRatingItems,
    selectGold: (g, rows) => Float64Array.from(rows, (i) => g[i] as number),
    options: () => fitOptions,
  });
  const picks = cv.fitted.flatMap((f) => {
    const pick = f.picked?.();
    return pick === undefined ? [] : [pick];
  });
  return { ...cv.prediction, picks };
}
