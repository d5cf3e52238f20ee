import { groupedKFold, trainIndices } from '../../validation/folds.js';
import { judgeOrder, replayAdaptive } from './adaptive.js';
import { calibratedEstimator, type CalibratedState } from './calibrated.js';
import { innerFolds, labelledRows } from './inner-folds.js';
import { fitPrefixAutos, prefixHeldOut, prefixScores, type PrefixAutos } from './prefix-auto.js';
import { selectRatingItems, type RatingMatrix } from './rating-matrix.js';
import { withoutUnreadJudges } from './unread-judges.js';

export interface AdaptivePoint {
  tolerance: number;
  /** Judges asked per item, averaged over the items. */
  callsPerItem: number;
  /** Fused scores from the asked judges only, held out. */
  score: Float64Array;
}

/** What the policy is built from on one training set: calibrated (its order and stopping rule) and auto per prefix of that order (its fused score). */
export interface PolicyParts {
  calibrated: CalibratedState;
  prefix: PrefixAutos;
}

export function fitPolicyParts(train: RatingMatrix, gold: Float64Array, seed: number): PolicyParts {
  // A judge that never scored a training item is left out of the order, so it is never asked (src/kinds/rating/unread-judges.ts).
  const calibrated = withoutUnreadJudges(calibratedEstimator.fit(train, gold, seed).state() as CalibratedState, train);
  const order = judgeOrder(calibrated).map((j) => calibrated.judges[j] as string);
  return { calibrated, prefix: fitPrefixAutos(train, gold, seed, order) };
}

/** The order's judges as indices into `s.judges` (a judge `s` does not know is left out). */
export function orderIn(s: CalibratedState, order: readonly string[]): number[] {
  return order.map((n) => s.judges.indexOf(n)).filter((j) => j >= 0);
}

/**
 * The policy's held-out curve on the labelled training items, at no refit of auto: per grouped
 * inner fold, `calibrated` fitted on the other inner folds decides where the policy stops on the
 * fold's items (asking in the prefix fits' fixed order), and an item's fused score is the held-out
 * score that the prefix fit of its asked count already computed for it (auto's cross-fitted
 * mixture: no fit behind it read that item's gold). Scores are per labelled row, in row order.
 * Null when the items are too few to cross-validate or a prefix fit has no held-out scores.
 */
export function heldOutCurve(train: RatingMatrix, gold: Float64Array, parts: PolicyParts, seed: number, tolerances: readonly number[], cap: number | null): AdaptivePoint[] | null {
  const rows = labelledRows(gold);
  const folds = innerFolds(train, rows, seed);
  if (!folds || parts.prefix.models.some((m) => !m.heldOutScores)) return null;
  const heldOut = prefixHeldOut(parts.prefix, train.itemIds.length);
  const n = rows.length;
  const points = tolerances.map((tolerance) => ({ tolerance, calls: 0, score: new Float64Array(n).fill(Number.NaN) }));
  for (const test of folds) {
    const fitRows = trainIndices(n, test).map((r) => rows[r] as number);
    const state = calibratedEstimator.fit(selectRatingItems(train, fitRows), Float64Array.from(fitRows, (i) => gold[i] as number), seed).state() as CalibratedState;
    const order = orderIn(state, parts.prefix.order);
    const sub = selectRatingItems(
      train,
      test.map((r) => rows[r] as number),
    );
    for (const p of points) {
      const run = replayAdaptive(state, sub, p.tolerance, cap ?? Number.POSITIVE_INFINITY, order);
      test.forEach((r, x) => {
        const k = (run.asked[x] as number[]).length;
        p.score[r] = (heldOut[Math.max(1, k) - 1] as Float64Array)[rows[r] as number] as number;
        p.calls += k;
      });
    }
  }
  return points.map((p) => ({ tolerance: p.tolerance, callsPerItem: p.calls / Math.max(1, n), score: p.score }));
}

/**
 * The adaptive policy's calls against quality, out of fold: per grouped fold, the policy's parts
 * are fitted on the other folds, the policy is replayed on the fold's recorded answers at each
 * tolerance, and the fused score is auto's prefix fit of the judges it asked.
 */
export function adaptiveCurve(m: RatingMatrix, gold: Float64Array, options: { folds: number; seed: number; tolerances: readonly number[] }): AdaptivePoint[] {
  const N = m.itemIds.length;
  const points = options.tolerances.map((tolerance) => ({ tolerance, calls: 0, score: new Float64Array(N).fill(Number.NaN) }));
  for (const test of groupedKFold(m.groups ?? m.itemIds.map(() => null), options.folds, options.seed)) {
    const train = trainIndices(N, test);
    const parts = fitPolicyParts(
      selectRatingItems(m, train),
      Float64Array.from(train, (i) => gold[i] as number),
      options.seed,
    );
    const sub = selectRatingItems(m, test);
    for (const p of points) {
      const run = replayAdaptive(parts.calibrated, sub, p.tolerance, Number.POSITIVE_INFINITY, orderIn(parts.calibrated, parts.prefix.order));
      const pred = prefixScores(parts.prefix, run.seen, run.asked.map((a) => a.length));
      test.forEach((i, r) => (p.score[i] = pred[r] as number));
      p.calls += run.asked.reduce((a, x) => a + x.length, 0);
    }
  }
  return points.map((p) => ({ tolerance: p.tolerance, callsPerItem: p.calls / N, score: p.score }));
}
