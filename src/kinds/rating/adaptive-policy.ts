import { z } from 'zod';
import { parseState, requireLength, StrategyStateError } from '../../fuse/strategy-state.js';
import { expectedMove, judgeOrder, replayAdaptive } from './adaptive.js';
import { fitPolicyParts, heldOutCurve, orderIn, type PolicyParts } from './adaptive-curve.js';
import { calibratedEstimator, type CalibratedState, mapsFor } from './calibrated.js';
import { labelledRows } from './inner-folds.js';
import { type PointEstimator, type PointModel, ratingStrategy } from './point-estimator.js';
import { loadPrefixAutos, prefixScores } from './prefix-auto.js';
import type { RatingMatrix } from './rating-matrix.js';
import type { Scale } from './scale.js';
import type { RatingPolicy } from './strategy.js';
import { type MetricLoss, pairedLossesAgainst, pointScoreLosses } from '../../validation/paired-score-loss.js';
import type { ScoreMetricName } from '../../validation/score-metrics.js';

const NAME = 'adaptive';

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
  /** The stopping rule's model: each judge's map and error (its asking order is by that error). */
  calibrated: z.unknown(),
  /** The judges in asking order, by name. */
  order: z.array(z.string()).min(1),
  /** prefixes[k - 1]: auto's state fitted on the first k judges of `order`, the fused score after k judges. */
  prefixes: z.array(z.unknown()).min(1),
});
type State = z.infer<typeof StateSchema>;

/** What an adaptive rating saved before its fused score came from auto's prefix fits looks like: it cannot be read as one. */
function requireCurrentState(raw: unknown): void {
  if (raw !== null && typeof raw === 'object' && 'calibrated' in raw && !('prefixes' in raw)) {
    throw new StrategyStateError(NAME, [
      { field: 'prefixes', message: 'missing: this adaptive rating was saved by an earlier version, whose fused score read calibrated; fit it again (fusion fit <folder> --strategy adaptive --out <file>)' },
    ]);
  }
}

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

/** The chosen tolerance and cap, with the held-out fused scores of the labelled training rows under them (null when too few to cross-validate). */
export interface ToleranceChoice {
  tolerance: number;
  cap: number | null;
  heldOut: Float64Array | null;
}

/**
 * The tolerance for the policy, chosen on grouped inner folds of the labelled training items (the
 * stops decided by calibrated fitted on the other inner folds, the fused scores held out by auto's
 * prefix fits, see heldOutCurve): the one asking the fewest judges whose held-out quality is within
 * CAUTION standard errors (of the paired difference) of auto with every judge on every metric the
 * kind reports (holdsQuality). With `maxCalls`: the lowest held-out error among those within the
 * average budget; when none is, the cheapest with a hard cap of floor(maxCalls) judges (at least
 * 1), so the budget holds. Too few items to cross-validate: 0 (every judge, auto itself), the safe
 * end, capped likewise.
 */
export function chooseTolerance(train: RatingMatrix, gold: Float64Array, seed: number, maxCalls?: number, parts: PolicyParts = fitPolicyParts(train, gold, seed)): ToleranceChoice {
  const capOf = maxCalls === undefined ? null : Math.max(1, Math.floor(maxCalls));
  const rows = labelledRows(gold);
  const span = train.scale.max - train.scale.min;
  const g = Float64Array.from(rows, (i) => gold[i] as number);
  const curve = heldOutCurve(train, gold, parts, seed, TOLERANCE_GRID.map((t) => t * span), null);
  if (!curve) return { tolerance: 0, cap: capOf, heldOut: null };
  const candidates: Candidate[] = curve;
  const all = candidates[0] as Candidate;
  const chosen = (c: Candidate): ToleranceChoice => ({ tolerance: c.tolerance, cap: null, heldOut: c.score });
  if (maxCalls !== undefined) {
    const within = candidates.filter((c) => c.callsPerItem <= maxCalls + 1e-9);
    if (within.length === 0) {
      const tolerance = (candidates[candidates.length - 1] as Candidate).tolerance;
      const capped = heldOutCurve(train, gold, parts, seed, [tolerance], capOf);
      return { tolerance, cap: capOf, heldOut: capped ? (capped[0] as Candidate).score : null };
    }
    return chosen(within.reduce((best, c) => (meanAbsoluteError(c.score, g) < meanAbsoluteError(best.score, g) ? c : best)));
  }
  // The cheapest candidate that keeps every metric (among equally cheap ones the smaller tolerance,
  // which stops no more often on new items); asking every judge keeps them by definition. Large
  // tolerances often replay identically (one judge each): one refused is not checked again.
  const cheapestFirst = candidates.filter((c) => c.callsPerItem < all.callsPerItem).sort((a, b) => a.callsPerItem - b.callsPerItem || a.tolerance - b.tolerance);
  const refused: Candidate[] = [];
  const groups = train.groups ? rows.map((i) => train.groups?.[i] ?? null) : null;
  const lossesOf = pairedLossesAgainst(g, all.score, train.scale, GUARDED_METRICS, { resamples: RESAMPLES, seed, groups });
  for (const c of cheapestFirst) {
    if (refused.some((r) => sameScores(r.score, c.score))) continue;
    if (holdsQuality(lossesOf, c, all, g, train.scale)) return chosen(c);
    refused.push(c);
  }
  return chosen(all);
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

/** The fitted policy: calibrated decides whom to ask and when to stop, auto's prefix fit of the judges asked gives the fused score. */
function model(state: State, parts: PolicyParts, heldOutResiduals?: Float64Array): PointModel {
  const cal = parts.calibrated;
  const cap = state.maxCalls ?? Number.POSITIVE_INFINITY;
  const order = orderIn(cal, parts.prefix.order);
  const replay = (m: RatingMatrix) => replayAdaptive(cal, m, state.tolerance, cap, order);
  const everyJudge = parts.prefix.models[parts.prefix.models.length - 1] as PointModel;
  return {
    // The fused score reads only the judges the policy asked: a replay on recorded answers is what a live run would have seen.
    predict(m) {
      const run = replay(m);
      return prefixScores(parts.prefix, run.seen, run.asked.map((a) => a.length));
    },
    calls: (m) => Float64Array.from(replay(m).asked, (a) => a.length),
    state: () => state,
    ...(everyJudge.judgeProfile ? { judgeProfile: () => (everyJudge.judgeProfile as NonNullable<PointModel['judgeProfile']>).call(everyJudge) } : {}),
    ...(heldOutResiduals ? { heldOutResiduals } : {}),
    policy: policyOf(cal, state.tolerance, state.maxCalls),
    // The replay must stop where the capped run stopped: a judge it did not ask reads as one whose
    // answer did not, so the uncapped replay would go on and score with a longer prefix's fit.
    withMaxCalls: (maxCalls) => model({ ...state, maxCalls: Math.max(1, Math.min(Math.floor(maxCalls), state.maxCalls ?? Number.POSITIVE_INFINITY)) }, parts, heldOutResiduals),
  };
}

function load(raw: unknown, scale: Scale): PointModel {
  requireCurrentState(raw);
  const state = parseState(NAME, StateSchema, raw);
  const calibrated = calibratedEstimator.load(state.calibrated, scale).state() as CalibratedState;
  const expected = judgeOrder(calibrated).map((j) => calibrated.judges[j] as string);
  if (state.order.length !== expected.length || state.order.some((n, k) => n !== expected[k])) {
    throw new StrategyStateError(NAME, [{ field: 'order', message: `expected calibrated's asking order ${expected.join(', ')}, got ${state.order.join(', ')}` }]);
  }
  requireLength(NAME, 'prefixes', state.prefixes.length, state.order.length);
  return model(state, { calibrated, prefix: loadPrefixAutos(state.order, state.prefixes, scale) });
}

/**
 * Adaptive rating as a point estimator: judges asked one at a time in calibrated's order (most
 * reliable first) until one more judge is unlikely to move the fused score by more than the
 * tolerance chosen on inner folds (src/kinds/rating/adaptive.ts); the fused score is auto fitted on
 * the judges asked (src/kinds/rating/prefix-auto.ts), so with every judge asked it is auto's.
 */
export function createAdaptiveRating(options: AdaptiveRatingOptions = {}): PointEstimator {
  const target = options.maxCalls === undefined ? {} : { target: { maxCalls: options.maxCalls } };
  return {
    name: NAME,
    supervised: true,
    fit(train, gold, seed) {
      const parts = fitPolicyParts(train, gold, seed);
      const { tolerance, cap, heldOut } = chooseTolerance(train, gold, seed, options.maxCalls, parts);
      const state: State = { tolerance, maxCalls: cap, ...target, calibrated: parts.calibrated, order: parts.prefix.order, prefixes: parts.prefix.models.map((m) => m.state()) };
      // The chosen policy's held-out residuals on the labelled training items give the interval (no refit on inner folds).
      const residuals = heldOut ? Float64Array.from(labelledRows(gold), (i, r) => Math.abs((gold[i] as number) - (heldOut[r] as number))).filter((x) => Number.isFinite(x)) : undefined;
      return model(state, parts, residuals);
    },
    load,
  };
}

export const adaptiveRating = ratingStrategy(createAdaptiveRating());
