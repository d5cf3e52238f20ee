import { z } from 'zod';
import { parseState, StrategyStateError } from '../../fuse/strategy-state.js';
import { StrategyError } from '../../fuse/strategy.js';
import { FALLBACK_Z } from '../../fuse/mixture-check.js';
import { BoundedMemo, contentKey } from '../../fuse/memo-fits.js';
import { bestJudgeEstimator, calibratedEstimator } from './calibrated.js';
import { trainIndices } from '../../validation/folds.js';
import { innerFolds, labelledRows } from './inner-folds.js';
import { judgeModelEstimator } from './judge-model.js';
import { meanEstimator } from './mean.js';
import { medianEstimator } from './median.js';
import type { PointEstimator, PointModel } from './point-estimator.js';
import { ratingStrategy } from './point-estimator.js';
import { selectRatingItems, type RatingMatrix } from './rating-matrix.js';
import { reliabilityWeightedEstimator } from './reliability-weighted.js';
import { pruneSimplex, simplexWeights } from './simplex-weights.js';
import { stackingEstimator } from './stacking.js';
import type { JudgeProfile } from './strategy.js';

const NAME = 'auto';
/** Marks a pick where the mixture lost to its best candidate on the training data. */
export const FALLBACK_PREFIX = 'fallback:';
/** Folds of the check over the inner rows: only the mixture's weights are refitted there, so many folds are cheap. */
export const CHECK_FOLDS = 10;

/** The candidates auto mixes: the best single judge (calibrated), the plain centres, the learned weightings, stacking and the judge model. */
export const AUTO_CANDIDATES: readonly PointEstimator[] = [
  bestJudgeEstimator,
  meanEstimator,
  medianEstimator,
  reliabilityWeightedEstimator,
  calibratedEstimator,
  stackingEstimator,
  judgeModelEstimator,
];
const BY_NAME = new Map(AUTO_CANDIDATES.map((c) => [c.name, c]));

const StateSchema = z.object({
  /** The mixture, heaviest component first, e.g. `stacking*0.71+calibrated*0.29`, or `fallback:best` when it lost. */
  picked: z.string(),
  /** Each candidate's inner out-of-fold mean squared error on the training items. */
  innerErrors: z.record(z.string(), z.number()),
  weights: z.record(z.string(), z.number()),
  check: z
    .object({ chosen: z.enum(['mixture', 'best-candidate']), best: z.string(), mixtureError: z.number(), bestError: z.number(), standardError: z.number(), why: z.string() })
    .optional(),
  components: z.array(z.object({ name: z.string(), weight: z.number().positive().max(1), inner: z.unknown() })).min(1),
});
type AutoState = z.infer<typeof StateSchema>;

interface Component {
  name: string;
  weight: number;
  model: PointModel;
}

function mixtureName(components: readonly Component[]): string {
  return components.map((c) => `${c.name}*${c.weight.toFixed(2)}`).join('+');
}

function combine(components: readonly Component[], m: RatingMatrix): Float64Array {
  const N = m.itemIds.length;
  const num = new Float64Array(N);
  const den = new Float64Array(N);
  for (const c of components) {
    const p = c.model.predict(m);
    for (let i = 0; i < N; i++) {
      const x = p[i] as number;
      if (Number.isNaN(x)) continue;
      num[i] = (num[i] as number) + c.weight * x;
      den[i] = (den[i] as number) + c.weight;
    }
  }
  // A component that cannot decide an item leaves it to the others, renormalised.
  return num.map((s, i) => ((den[i] as number) > 0 ? s / (den[i] as number) : Number.NaN));
}

function wrap(rest: Omit<AutoState, 'components'>, components: readonly Component[], heldOut?: { residuals: Float64Array; scores: Float64Array }): PointModel {
  return {
    predict: (m) => combine(components, m),
    state: () => ({ ...rest, components: components.map((c) => ({ name: c.name, weight: c.weight, inner: c.model.state() })) }),
    picked: () => rest.picked,
    judgeProfile() {
      const out = new Map<string, JudgeProfile>();
      let total = 0;
      for (const c of components) {
        const profile = c.model.judgeProfile?.();
        if (!profile) continue;
        total += c.weight;
        for (const p of profile) {
          const o = out.get(p.judge) ?? { judge: p.judge, bias: 0, noise: 0, weight: 0 };
          o.bias += c.weight * p.bias;
          o.noise += c.weight * p.noise;
          o.weight += c.weight * p.weight;
          out.set(p.judge, o);
        }
      }
      return [...out.values()].map((p) => ({ judge: p.judge, bias: p.bias / (total || 1), noise: p.noise / (total || 1), weight: p.weight / (total || 1) }));
    },
    ...(heldOut ? { heldOutResiduals: heldOut.residuals, heldOutScores: heldOut.scores } : {}),
  };
}

/** Mean squared error of `pred` against `y` over `rows`. */
function mse(pred: Float64Array, y: Float64Array, rows: readonly number[]): number {
  let s = 0;
  for (const r of rows) s += ((y[r] as number) - (pred[r] as number)) ** 2;
  return s / Math.max(rows.length, 1);
}

function mix(predictions: readonly Float64Array[], w: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  predictions.forEach((p, c) => {
    const wc = w[c] as number;
    if (wc > 0) for (let r = 0; r < n; r++) out[r] = (out[r] as number) + wc * (p[r] as number);
  });
  return out;
}

/**
 * Cross-fitted comparison on the inner rows of the two procedures auto could follow: mix the
 * candidates with weights fitted on the other folds' rows, or take the candidate best on them.
 * The mixture loses when its squared error exceeds the pick's by more than FALLBACK_Z standard
 * errors of the paired difference (clustered by group, since siblings' errors go together).
 */
function checkMixture(predictions: readonly Float64Array[], names: readonly string[], y: Float64Array, groups: readonly string[], folds: readonly number[][]) {
  const n = y.length;
  const mixed = new Float64Array(n);
  const picked = new Float64Array(n);
  for (const test of folds) {
    const train = trainIndices(n, test);
    const w = pruneSimplex(simplexWeights(predictions, y, train));
    const errors = predictions.map((p) => mse(p, y, train));
    const best = predictions[errors.indexOf(Math.min(...errors))] as Float64Array;
    for (const r of test) {
      let s = 0;
      predictions.forEach((p, c) => (s += (w[c] as number) * (p[r] as number)));
      mixed[r] = s;
      picked[r] = best[r] as number;
    }
  }
  const all = Array.from({ length: n }, (_, r) => r);
  const mixtureError = mse(mixed, y, all);
  const bestError = mse(picked, y, all);
  const byGroup = new Map<string, number>();
  for (let r = 0; r < n; r++) byGroup.set(groups[r] as string, (byGroup.get(groups[r] as string) ?? 0) + (((y[r] as number) - (mixed[r] as number)) ** 2 - ((y[r] as number) - (picked[r] as number)) ** 2));
  const G = byGroup.size;
  const sums = [...byGroup.values()];
  const centre = sums.reduce((a, b) => a + b, 0) / Math.max(G, 1);
  const standardError = G > 1 ? Math.sqrt((G / (G - 1)) * sums.reduce((a, d) => a + (d - centre) ** 2, 0)) / n : 0;
  const difference = mixtureError - bestError;
  const loses = difference > 0 && difference > FALLBACK_Z * standardError;
  const errors = predictions.map((p) => mse(p, y, all));
  const best = names[errors.indexOf(Math.min(...errors))] as string;
  const figures = `held out on the training items: mixture ${mixtureError.toPrecision(4)}, best candidate ${bestError.toPrecision(4)} (squared error), difference ${difference.toPrecision(3)} against ${FALLBACK_Z} x standard error ${standardError.toPrecision(3)}`;
  return {
    check: { chosen: loses ? ('best-candidate' as const) : ('mixture' as const), best, mixtureError, bestError, standardError, why: loses ? `fell back to ${best}: the mixture lost by more than noise (${figures})` : `kept the mixture (${figures})` },
    heldOut: loses ? picked : mixed,
  };
}

/**
 * auto: a convex mixture of the candidates, weighted to minimise the squared error of their
 * grouped inner out-of-fold predictions on the training items, then checked, cross-fitted on the
 * same rows, against picking the single best candidate, and replaced by that candidate when it
 * loses by more than noise (as src/fuse/auto.ts does for labels). The chosen procedure's held-out
 * residuals give the interval. Candidates with weight are refitted on all training items.
 */
const fitAuto: PointEstimator = {
  name: NAME,
  supervised: true,
  fit(train, gold, seed) {
    const rows = labelledRows(gold);
    if (rows.length === 0) throw new StrategyError(`${NAME} needs labelled training items`);
    const folds = innerFolds(train, rows, seed);
    const refit = (name: string, weight: number): Component => ({ name, weight, model: (BY_NAME.get(name) as PointEstimator).fit(train, gold, seed) });
    if (!folds) {
      // Too few groups to cross-validate: the calibrated mean needs the least data.
      const only = refit(calibratedEstimator.name, 1);
      return wrap({ picked: only.name, innerErrors: {}, weights: {} }, [only]);
    }
    const n = rows.length;
    const y = Float64Array.from(rows, (i) => gold[i] as number);
    const yMean = y.reduce((a, b) => a + b, 0) / n;
    const sub = selectRatingItems(train, rows);
    const predictions = AUTO_CANDIDATES.map((candidate) => {
      const out = new Float64Array(n).fill(Number.NaN);
      for (const test of folds) {
        const fitRows = trainIndices(n, test);
        let model: PointModel;
        try {
          model = candidate.fit(selectRatingItems(sub, fitRows), Float64Array.from(fitRows, (r) => y[r] as number), seed);
        } catch (e) {
          if (e instanceof StrategyError) continue;
          throw e;
        }
        const p = model.predict(selectRatingItems(sub, test));
        test.forEach((r, k) => (out[r] = p[k] as number));
      }
      // An item a candidate could not decide counts at the training mean, so every candidate is scored on every item.
      return out.map((x) => (Number.isNaN(x) ? yMean : x));
    });
    const names = AUTO_CANDIDATES.map((c) => c.name);
    const innerErrors = Object.fromEntries(names.map((name, c) => [name, mse(predictions[c] as Float64Array, y, Array.from({ length: n }, (_, r) => r))]));
    const raw = simplexWeights(predictions, y);
    const weights = Object.fromEntries(names.map((name, c) => [name, raw[c] as number]));
    const groups = rows.map((i) => train.groups?.[i] ?? `\u0000${i}`);
    const checkFolds = innerFolds(sub, Array.from({ length: n }, (_, r) => r), seed + 1, CHECK_FOLDS) ?? folds;
    const { check, heldOut } = checkMixture(predictions, names, y, groups, checkFolds);
    const kept = pruneSimplex(raw);
    const chosen = check.chosen === 'best-candidate' ? [refit(check.best, 1)] : names.flatMap((name, c) => ((kept[c] as number) > 0 ? [refit(name, kept[c] as number)] : []));
    chosen.sort((a, b) => b.weight - a.weight);
    const picked = check.chosen === 'best-candidate' ? `${FALLBACK_PREFIX}${mixtureName(chosen)}` : mixtureName(chosen);
    const residuals = heldOut.map((p, r) => Math.abs((y[r] as number) - p));
    const scores = new Float64Array(train.itemIds.length).fill(Number.NaN);
    rows.forEach((i, r) => (scores[i] = heldOut[r] as number));
    return wrap({ picked, innerErrors, weights, check }, chosen, { residuals, scores });
  },
  load(raw, scale) {
    const s = parseState(NAME, StateSchema, raw);
    const total = s.components.reduce((a, c) => a + c.weight, 0);
    if (Math.abs(total - 1) > 1e-6) throw new StrategyStateError(NAME, [{ field: 'components', message: `weights must sum to 1, got ${total}` }]);
    const components = s.components.map((c, idx): Component => {
      const estimator = BY_NAME.get(c.name);
      if (!estimator) throw new StrategyStateError(NAME, [{ field: `components.${idx}.name`, message: `unknown candidate "${c.name}"` }]);
      return { name: c.name, weight: c.weight, model: estimator.load(c.inner, scale) };
    });
    const { picked, innerErrors, weights, check } = s;
    return wrap({ picked, innerErrors, weights, ...(check ? { check } : {}) }, components);
  },
};

/**
 * auto's fits remembered by what they were fitted on (the matrix, the gold, the seed): `auto` and
 * `adaptive` (whose fused score with every judge asked is auto's) fit it on the same training
 * folds of one evaluation, and the fit is deterministic, so the second asks the memo. Only the same
 * training rows reach the same fit, so no other fold's gold can. Bounded by what the fits hold.
 */
const FIT_MEMO = new BoundedMemo<PointModel>(64 * 2 ** 20, (m) => (m.heldOutResiduals?.byteLength ?? 0) + (m.heldOutScores?.byteLength ?? 0) + 2 ** 16);

export const autoEstimator: PointEstimator = {
  ...fitAuto,
  fit(train, gold, seed) {
    const key = contentKey([train.itemIds, train.judges, train.scale, train.features, train.groups, train.sampleScores?.length ?? -1, train.scores, ...(train.sampleScores ?? []), gold, seed]);
    const known = FIT_MEMO.get(key);
    if (known) return known;
    const fitted = fitAuto.fit(train, gold, seed);
    FIT_MEMO.set(key, fitted);
    return fitted;
  },
};

export const autoRating = ratingStrategy(autoEstimator);
