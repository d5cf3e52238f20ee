import { groupedKFold } from '../../validation/folds.js';
import type { RatingMatrix } from './rating-matrix.js';

/**
 * Inner cross-validation on training data only, for the choices a strategy makes itself (a ridge
 * penalty, auto's mixture) and for held-out residuals (the intervals). Five folds: each inner fit
 * sees four fifths of the training items, close to the fit on all of them.
 */
export const INNER_FOLDS = 5;

/** The training rows with a gold score. */
export function labelledRows(gold: Float64Array): number[] {
  const rows: number[] = [];
  for (let i = 0; i < gold.length; i++) if (!Number.isNaN(gold[i] as number)) rows.push(i);
  return rows;
}

/**
 * Grouped folds over `rows` of `m` (as positions into `rows`), so an item's siblings are never on
 * the other side; null when the rows hold fewer than two groups.
 */
export function innerFolds(m: RatingMatrix, rows: readonly number[], seed: number, folds = INNER_FOLDS): number[][] | null {
  const groups = rows.map((i) => m.groups?.[i] ?? null);
  try {
    return groupedKFold(groups, folds, seed);
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}
