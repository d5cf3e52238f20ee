import { z } from 'zod';
import { parseState } from '../../fuse/strategy-state.js';
import { StrategyError } from '../../fuse/strategy.js';
import { expectedMove, judgeOrder, replayAdaptive } from './adaptive.js';
import { adaptiveCurve, refitFinal } from './adaptive-curve.js';
import { calibratedEstimator, type CalibratedState, mapsFor } from './calibrated.js';
import { INNER_FOLDS, labelledRows } from './inner-folds.js';
import { type PointEstimator, type PointModel, ratingStrategy } from './point-estimator.js';
import { selectRatingItems, type RatingMatrix } from './rating-matrix.js';
import type { Scale } from './scale.js';
import type { RatingPolicy } from './strategy.js';
import { withoutUnreadJudges } from './unread-judges.js';
import { type MetricLoss, pairedLossesAgainst, pointScoreLosses } from '../../validation/paired-score-loss.js';
import type { ScoreMetricName } from '../../validation/score-metrics.js';

/**
 * The candidate tolerances, as shares of the scale's span: how far one more judge is expected to
 * move the fused score before the policy asks it. A grid from "ask everyone" (0) to a quarter of
 * the span, doubling; the policy's own inner folds choose among them (chooseTolerance), so no
 * value here is tuned to a data set.
 */
export const TOLERANCE_GRID: readonly number[] = [0, 1 / 64, 1 / 32, 1 / 16, 1 / 8, 1 / 4];

/**
 * One standard error of the paired difference: a tolerance is kept only when its held-out quality is
 * not measurably below asking every judge on any metric (the one-standard-error convention of a
 * choice made by cross-validation, as the categorical policy's DEFAULT_CAUTION). Paired, because the
 * items' own difficulty is common to both and would otherwise hide a real loss.
 */
const CAUTION = 1;

/**
 * Bootstrap resamples behind each metric's standard error: the relative error of a standard
 * deviation estimated from B draws is about 1/sqrt(2B), a tenth here, small beside the
 * one-standard-error margin it sets; each resample scores every metric of every candidate checked,
 * the bulk of the policy's fitting time.
 */
const RESAMPLES = 50;

const StateSchema = z.object({
  /** The stopping tolerance, in score units. */
  tolerance: z.number().nonnegative(),
  /** The most judges asked per item; null = no cap. */
  maxCalls: z.number().int().positive().nullable(),
  /** The average target it was fitted for (`--max-calls`), when one was given. */
  target: z.object({ maxCalls: z.number().positive() }).optional(),
  calibrated: z.unknown(),
});
type State = z.infer<typeof StateSchema>;

export interface AdaptiveRatingOptions {
  /** `--max-calls`: judges asked per item on average, on the training items' inner folds. */
  maxCalls?: number;
}

interface Candidate {
  tolerance: number;
  callsPerItem: number;
  /** Held-out fused scores, per labelled training row. */
  score: Float64Array;
}

/** Whether two candidates fused every row alike (NaN alike). */
function sameScores(a: Float64Array, b: Float64Array): boolean {
  for (let r = 0; r < a.length; r++) if (a[r] !== b[r] && !(Number.isNaN(a[r] as number) && Number.isNaN(b[r] as number))) return false;
  return true;
}

/** Mean absolute error over the rows both sides know. */
function meanAbsoluteError(score: Float64Array, gold: Float64Array): number {
  let s = 0;
  let n = 0;
  score.forEach((x, r) => {
    const d = Math.abs(x - (gold[r] as number));
    if (Number.isFinite(d)) (s += d), n++;
  });
  return n === 0 ? Number.POSITIVE_INFINITY : s / n;
}

/**
 * What a fused score must keep when fewer judges are asked: every metric the kind reports its quality
 * by (`fusion eval --json`). They see different things, and one can hold while another drops: when
 * the gold sits a step off the truth either way, every prediction near the truth has the same
 * absolute error, so asking fewer judges loses ranking that absolute error does not see
 * (test/kinds/rating/adaptive-policy.test.ts); a judge that orders well but sits off level is the
 * converse; QWK reads the scores rounded to the scale's steps. Each metric checked is one more
 * chance that noise refuses a tolerance that costs nothing: the price is paid in calls, never in
 * a quality the user is shown, and judges that agree outright still stop early.
 */
export const GUARDED_METRICS: readonly ScoreMetricName[] = ['mae', 'rmse', 'pearson', 'spearman', 'kendall', 'qwk'];

/**
 * Whether asking as `candidate` does keeps the quality of asking every judge: on each guarded metric
 * its held-out loss is within CAUTION standard errors of the paired difference (bootstrap over the
 * items, whole groups together: src/validation/paired-score-loss.ts).
 */
function holdsQuality(lossesOf: (score: Float64Array) => MetricLoss[], candidate: Candidate, all: Candidate, gold: Float64Array, scale: Scale): boolean {
  // No metric worse at all: within any margin, so the bootstrap is not needed.
  if (pointScoreLosses(gold, candidate.score, all.score, scale, GUARDED_METRICS).every((l) => l.loss <= 0)) return true;
  return lossesOf(candidate.score).every((l) => l.loss <= CAUTION * l.standardError);
}

/**
 * The tolerance for the policy, chosen on grouped inner folds of the labelled training items (the
 * calibrated maps fitted on the other inner folds, the policy replayed on the held-out ones): the
 * one asking the fewest judges whose held-out quality is within CAUTION standard errors (of the
 * paired difference) of asking every judge on every metric the kind reports (holdsQuality). With `maxCalls`: the lowest held-out error among those within the average budget;
 * when none is, the cheapest with a hard cap of floor(maxCalls) judges (at least 1), so the budget
 * holds. Too few items to cross-validate: 0 (every judge), the safe end, capped likewise.
 */
export function chooseTolerance(train: RatingMatrix, gold: Float64Array, seed: number, maxCalls?: number): { tolerance: number; cap: number | null } {
  const capped = (tolerance: number): { tolerance: number; cap: number | null } => ({ tolerance, cap: maxCalls === undefined ? null : Math.max(1, Math.floor(maxCalls)) });
  const rows = labelledRows(gold);
  const span = train.scale.max - train.scale.min;
  const sub = selectRatingItems(train, rows);
  const g = Float64Array.from(rows, (i) => gold[i] as number);
  let candidates: Candidate[];
  try {
    candidates = adaptiveCurve(sub, g, { folds: INNER_FOLDS, seed, tolerances: TOLERANCE_GRID.map((t) => t * span) }).map((p) => ({
      tolerance: p.tolerance,
      callsPerItem: p.callsPerItem,
      score: p.score,
    }));
  } catch (e) {
    // Fewer than two groups of labelled items (RangeError) or a fold without labels (StrategyError).
    if (e instanceof RangeError || e instanceof StrategyError) return capped(0);
    throw e;
  }
  const all = candidates[0] as Candidate;
  if (maxCalls !== undefined) {
    const within = candidates.filter((c) => c.callsPerItem <= maxCalls + 1e-9);
    if (within.length === 0) return capped((candidates[candidates.length - 1] as Candidate).tolerance);
    return { tolerance: within.reduce((best, c) => (meanAbsoluteError(c.score, g) < meanAbsoluteError(best.score, g) ? c : best)).tolerance, cap: null };
  }
  // The cheapest candidate that keeps every metric (among equally cheap ones the smaller tolerance,
  // which stops no more often on new items); asking every judge keeps them by definition. Large
  // tolerances often replay identically (one judge each): one refused is not checked again.
  const cheapestFirst = candidates.filter((c) => c.callsPerItem < all.callsPerItem).sort((a, b) => a.callsPerItem - b.callsPerItem || a.tolerance - b.tolerance);
  const refused: Candidate[] = [];
  const lossesOf = pairedLossesAgainst(g, all.score, sub.scale, GUARDED_METRICS, { resamples: RESAMPLES, seed, groups: sub.groups });
  for (const c of cheapestFirst) {
    if (refused.some((r) => sameScores(r.score, c.score))) continue;
    if (holdsQuality(lossesOf, c, all, g, sub.scale)) return { tolerance: c.tolerance, cap: null };
    refused.push(c);
  }
  return { tolerance: all.tolerance, cap: null };
}

/** The live policy over one-item rating matrices whose judges are the run's models (those not asked yet: NaN). */
function policyOf(s: CalibratedState, tolerance: number, maxCalls: number | null): RatingPolicy {
  const order = judgeOrder(s);
  const names = order.map((j) => s.judges[j] as string);
  const orderOf = (models: readonly string[]): number[] => names.map((n) => models.indexOf(n)).filter((c) => c >= 0);
  return {
    capabilities: { asks: true },
    order: names,
    orderOf,
    nextWave(one, asked) {
      const cols = orderOf(one.judges);
      if (asked >= cols.length || (maxCalls !== null && asked >= maxCalls)) return { next: null };
      const maps = mapsFor(s, one, 0);
      const judgeOf = (c: number): number => s.judges.indexOf(one.judges[c] as string);
      const answers = cols.slice(0, asked).flatMap((c) => {
        const x = one.scores[c] as number;
        const j = judgeOf(c);
        return Number.isNaN(x) ? [] : [{ judge: j, score: (maps.a[j] as number) + (maps.b[j] as number) * x }];
      });
      if (answers.length > 0 && expectedMove(maps.residual, answers, judgeOf(cols[asked] as number)) <= tolerance) return { next: null };
      return { next: asked + 1 };
    },
    withMaxCalls: (cap) => policyOf(s, tolerance, Math.max(1, Math.min(Math.floor(cap), maxCalls ?? Number.POSITIVE_INFINITY))),
  };
}

function model(state: State, scale: Scale): PointModel {
  const calibrated = calibratedEstimator.load(state.calibrated, scale);
  const cal = calibrated.state() as CalibratedState;
  const cap = state.maxCalls ?? Number.POSITIVE_INFINITY;
  return {
    // The fused score reads only the judges the policy asked: a replay on recorded answers is what a live run would have seen.
    predict: (m) => calibrated.predict(replayAdaptive(cal, m, state.tolerance, cap).seen),
    calls: (m) => Float64Array.from(replayAdaptive(cal, m, state.tolerance, cap).asked, (a) => a.length),
    state: () => state,
    ...(calibrated.judgeProfile ? { judgeProfile: () => (calibrated.judgeProfile as NonNullable<PointModel['judgeProfile']>).call(calibrated) } : {}),
    policy: policyOf(cal, state.tolerance, state.maxCalls),
  };
}

/**
 * Adaptive rating as a point estimator: `calibrated` fitted on the training items, asked judge by
 * judge in its order (most reliable first) until one more judge is unlikely to move the fused
 * score by more than the tolerance chosen on inner folds (src/kinds/rating/adaptive.ts).
 */
export function createAdaptiveRating(options: AdaptiveRatingOptions = {}): PointEstimator {
  const target = options.maxCalls === undefined ? {} : { target: { maxCalls: options.maxCalls } };
  return {
    name: 'adaptive',
    supervised: true,
    fit(train, gold, seed) {
      // Judges that never scored a training item are never asked (their `use` left out, so the saved state carries it).
      const fitted = withoutUnreadJudges(calibratedEstimator.fit(train, gold, seed).state() as CalibratedState, train);
      const { tolerance, cap } = chooseTolerance(train, gold, seed, options.maxCalls);
      return model({ tolerance, maxCalls: cap, ...target, calibrated: refitFinal(fitted, train, gold, tolerance, cap) }, train.scale);
    },
    load(raw, scale) {
      return model(parseState('adaptive', StateSchema, raw), scale);
    },
  };
}

export const adaptiveRating = ratingStrategy(createAdaptiveRating());
