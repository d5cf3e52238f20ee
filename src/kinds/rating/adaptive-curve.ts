import { groupedKFold, trainIndices } from '../../validation/folds.js';
import { replayAdaptive } from './adaptive.js';
import { calibratedEstimator, type CalibratedState } from './calibrated.js';
import { selectRatingItems, type RatingMatrix } from './rating-matrix.js';

export interface AdaptivePoint {
  tolerance: number;
  /** Judges asked per item, averaged over the items. */
  callsPerItem: number;
  /** Out-of-fold fused scores from the asked judges only. */
  score: Float64Array;
}

/**
 * The adaptive policy's calls against quality, out of fold: per grouped fold, `calibrated` is
 * fitted on the other folds (with every judge's answer), then the policy is replayed on the fold's
 * recorded answers at each tolerance and the fused score read from the judges it asked.
 */
export function adaptiveCurve(m: RatingMatrix, gold: Float64Array, options: { folds: number; seed: number; tolerances: readonly number[] }): AdaptivePoint[] {
  const N = m.itemIds.length;
  const points = options.tolerances.map((tolerance) => ({ tolerance, calls: 0, score: new Float64Array(N).fill(Number.NaN) }));
  for (const test of groupedKFold(m.groups ?? m.itemIds.map(() => null), options.folds, options.seed)) {
    const train = trainIndices(N, test);
    const model = calibratedEstimator.fit(selectRatingItems(m, train), Float64Array.from(train, (i) => gold[i] as number), options.seed);
    const state = model.state() as CalibratedState;
    const sub = selectRatingItems(m, test);
    for (const p of points) {
      const run = replayAdaptive(state, sub, p.tolerance);
      const pred = model.predict(run.seen);
      test.forEach((i, r) => (p.score[i] = pred[r] as number));
      p.calls += run.asked.reduce((a, x) => a + x.length, 0);
    }
  }
  return points.map((p) => ({ tolerance: p.tolerance, callsPerItem: p.calls / N, score: p.score }));
}
