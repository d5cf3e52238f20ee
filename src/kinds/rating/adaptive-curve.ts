import { groupedKFold, trainIndices } from '../../validation/folds.js';
import { replayAdaptive } from './adaptive.js';
import { calibratedEstimator, type CalibratedState } from './calibrated.js';
import { labelledRows } from './inner-folds.js';
import { withoutUnreadJudges } from './unread-judges.js';
import { selectRatingItems, type RatingMatrix } from './rating-matrix.js';
import { pairMoments } from '../../validation/score-metrics.js';

/**
 * calibrated's last map (the weighted mean of calibrated scores onto the gold scale) refitted on
 * what the policy sees: averaging fewer judges pulls the mean less toward the gold mean, so the map
 * fitted on every judge's answers would stretch a one-judge mean too far.
 */
export function refitFinal(s: CalibratedState, train: RatingMatrix, gold: Float64Array, tolerance: number, cap: number | null): CalibratedState {
  if (tolerance === 0 && cap === null) return s;
  const plain = { ...s, final: { a: 0, b: 1 } };
  const mean = calibratedEstimator.load(plain, train.scale).predict(replayAdaptive(plain, train, tolerance, cap ?? Number.POSITIVE_INFINITY).seen);
  const rows = labelledRows(gold).filter((i) => Number.isFinite(mean[i] as number));
  if (rows.length < 2) return s;
  const m = pairMoments(rows.map((i) => mean[i] as number), rows.map((i) => gold[i] as number));
  if (!(m.sxx > 1e-12)) return s;
  const b = m.sxy / m.sxx;
  return { ...s, final: { a: m.my - b * m.mx, b } };
}

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
 * recorded answers at each tolerance and the fused score read from the judges it asked (calibrated's
 * last map refitted on what the policy sees on the training folds, see refitFinal).
 */
export function adaptiveCurve(m: RatingMatrix, gold: Float64Array, options: { folds: number; seed: number; tolerances: readonly number[] }): AdaptivePoint[] {
  const N = m.itemIds.length;
  const points = options.tolerances.map((tolerance) => ({ tolerance, calls: 0, score: new Float64Array(N).fill(Number.NaN) }));
  for (const test of groupedKFold(m.groups ?? m.itemIds.map(() => null), options.folds, options.seed)) {
    const train = trainIndices(N, test);
    const trainM = selectRatingItems(m, train);
    const trainGold = Float64Array.from(train, (i) => gold[i] as number);
    const state = withoutUnreadJudges(calibratedEstimator.fit(trainM, trainGold, options.seed).state() as CalibratedState, trainM);
    const sub = selectRatingItems(m, test);
    for (const p of points) {
      const run = replayAdaptive(state, sub, p.tolerance);
      const pred = calibratedEstimator.load(refitFinal(state, trainM, trainGold, p.tolerance, null), m.scale).predict(run.seen);
      test.forEach((i, r) => (p.score[i] = pred[r] as number));
      p.calls += run.asked.reduce((a, x) => a + x.length, 0);
    }
  }
  return points.map((p) => ({ tolerance: p.tolerance, callsPerItem: p.calls / N, score: p.score }));
}
