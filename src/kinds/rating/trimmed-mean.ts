import { centralEstimator } from './central.js';
import { meanOf } from './judge-scores.js';
import { ratingStrategy } from './point-estimator.js';

/**
 * With three judges or more, the highest and lowest fifth of an item's scores (at least one at
 * each end) are dropped before averaging: between the mean (uses every score) and the median
 * (robust to the most outliers).
 */
export function trimmedMeanOf(values: readonly number[]): number {
  if (values.length < 3) return meanOf(values);
  const s = [...values].sort((a, b) => a - b);
  const cut = Math.max(1, Math.floor(values.length / 5));
  return meanOf(s.slice(cut, s.length - cut));
}

export const trimmedMeanEstimator = centralEstimator('trimmed-mean', trimmedMeanOf);
export const trimmedMeanRating = ratingStrategy(trimmedMeanEstimator);
