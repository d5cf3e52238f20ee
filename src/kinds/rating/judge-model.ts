import { z } from 'zod';
import { parseState, requireLength } from '../../fuse/strategy-state.js';
import { StrategyError } from '../../fuse/strategy.js';
import { normalQuantile } from './interval.js';
import { judgeColumns, scoreAt } from './judge-scores.js';
import type { PointEstimator, PointModel } from './point-estimator.js';
import { ratingStrategy } from './point-estimator.js';
import type { RatingMatrix } from './rating-matrix.js';

const NAME = 'judge-model';
const MAX_ITERATIONS = 500;
const TOLERANCE = 1e-9;
/**
 * No judge explains more than this share of its own score variance by the latent quality: without
 * a floor one judge's noise can shrink to nothing and the latent becomes that judge (the Heywood
 * case of factor analysis), which is exactly what a judge that copies another would cause.
 */
export const MAX_RELIABILITY = 0.99;

const StateSchema = z.object({
  judges: z.array(z.string()),
  /** x = a + b t + noise(sigma) for each judge, t the latent quality with mean 0 and variance 1. */
  a: z.array(z.number()),
  b: z.array(z.number()),
  sigma: z.array(z.number().positive()),
  /** For each judge, the judge it copies (its own index when it is no copy): a copy's scores are read once. */
  copyOf: z.array(z.number().int().nonnegative()),
});
type State = z.infer<typeof StateSchema>;

/** Each judge's representative: the first judge whose scores it equals on every item both scored (at least two distinct values). */
export function findCopies(m: RatingMatrix): number[] {
  const J = m.judges.length;
  const N = m.itemIds.length;
  const copyOf = Array.from({ length: J }, (_, j) => j);
  for (let j = 1; j < J; j++) {
    for (let k = 0; k < j; k++) {
      if (copyOf[k] !== k) continue;
      let shared = 0;
      let same = true;
      const values = new Set<number>();
      for (let i = 0; i < N && same; i++) {
        const x = scoreAt(m, i, j);
        const y = scoreAt(m, i, k);
        if (Number.isNaN(x) || Number.isNaN(y)) continue;
        shared++;
        values.add(x);
        same = x === y;
      }
      if (same && shared >= 2 && values.size >= 2) {
        copyOf[j] = k;
        break;
      }
    }
  }
  return copyOf;
}

/** Posterior mean and variance of every item's latent quality given the representative judges' scores. */
function posterior(s: State, m: RatingMatrix): { mean: Float64Array; variance: Float64Array; seen: Uint8Array } {
  const cols = judgeColumns(m, s.judges);
  const N = m.itemIds.length;
  const J = s.judges.length;
  const mean = new Float64Array(N);
  const variance = new Float64Array(N);
  const seen = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    let precision = 1;
    let num = 0;
    for (let j = 0; j < J; j++) {
      if (s.copyOf[j] !== j) continue;
      // A group of copies is read once: the first member with a score.
      let x = Number.NaN;
      for (let k = j; k < J && Number.isNaN(x); k++) if (s.copyOf[k] === j) x = scoreAt(m, i, cols[k] as number);
      if (Number.isNaN(x)) continue;
      seen[i] = 1;
      const b = s.b[j] as number;
      const v = (s.sigma[j] as number) ** 2;
      precision += (b * b) / v;
      num += (b * (x - (s.a[j] as number))) / v;
    }
    mean[i] = num / precision;
    variance[i] = 1 / precision;
  }
  return { mean, variance, seen };
}

function averageLine(s: State): { a: number; b: number } {
  const J = s.judges.length;
  return { a: s.a.reduce((x, y) => x + y, 0) / J, b: s.b.reduce((x, y) => x + y, 0) / J };
}

function model(s: State, span: number): PointModel {
  return {
    predict(m) {
      const { mean, seen } = posterior(s, m);
      const avg = averageLine(s);
      return mean.map((t, i) => (seen[i] === 1 ? avg.a + avg.b * t : Number.NaN));
    },
    spread(m, level) {
      const { variance } = posterior(s, m);
      const z = normalQuantile((1 + level) / 2);
      const avg = averageLine(s);
      return variance.map((v) => z * Math.abs(avg.b) * Math.sqrt(v));
    },
    state: () => s,
    judgeProfile() {
      const avg = averageLine(s);
      const info = s.b.map((b, j) => (s.copyOf[j] === j ? (b * b) / (s.sigma[j] as number) ** 2 : 0));
      const total = info.reduce((x, y) => x + y, 0);
      return s.judges.map((judge, j) => {
        const r = s.copyOf[j] as number;
        const b = s.b[j] as number;
        const copies = s.copyOf.filter((c) => c === r).length;
        return {
          judge,
          bias: (s.a[j] as number) - avg.a,
          noise: Math.min(span, (Math.abs(avg.b) * (s.sigma[j] as number)) / Math.max(Math.abs(b), 1e-12)),
          weight: total > 0 ? (info[r] as number) / total / copies : 0,
        };
      });
    },
  };
}

/**
 * Fits x_ij = a_j + b_j t_i + noise(sigma_j) by EM (one-factor analysis with missing scores): the
 * continuous counterpart of Dawid-Skene. Judges that copy another are read once (findCopies).
 */
export function fitJudgeModel(m: RatingMatrix): State {
  const J = m.judges.length;
  const N = m.itemIds.length;
  const copyOf = findCopies(m);
  const reps = copyOf.flatMap((c, j) => (c === j ? [j] : []));
  const span = m.scale.max - m.scale.min;
  const absoluteFloor = (span * 1e-6) ** 2;
  // Each representative's observed scores, their mean and variance.
  const obs = reps.map((j) => {
    const items: number[] = [];
    const xs: number[] = [];
    for (let i = 0; i < N; i++) {
      const x = scoreAt(m, i, j);
      if (!Number.isNaN(x)) {
        items.push(i);
        xs.push(x);
      }
    }
    const mean = xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(xs.length, 1);
    return { j, items, xs, mean, variance };
  });
  // Start from the mean of the standardised scores, itself standardised.
  const t = new Float64Array(N);
  const count = new Float64Array(N);
  for (const o of obs) {
    const sd = Math.sqrt(o.variance);
    if (sd <= 0) continue;
    o.items.forEach((i, k) => {
      t[i] = (t[i] as number) + ((o.xs[k] as number) - o.mean) / sd;
      count[i] = (count[i] as number) + 1;
    });
  }
  for (let i = 0; i < N; i++) if ((count[i] as number) > 0) t[i] = (t[i] as number) / (count[i] as number);
  const tm = t.reduce((a, b) => a + b, 0) / Math.max(N, 1);
  const tsd = Math.sqrt(t.reduce((a, b) => a + (b - tm) ** 2, 0) / Math.max(N, 1)) || 1;
  const mu = t.map((x) => (x - tm) / tsd);
  const v = new Float64Array(N);
  const a = new Float64Array(J);
  const b = new Float64Array(J);
  const sigma2 = new Float64Array(J).fill(1);
  for (let iter = 0; iter < MAX_ITERATIONS; iter++) {
    // M-step: each judge's line on the latent, with E[t] = mu and E[t^2] = mu^2 + v.
    for (const o of obs) {
      let s1 = 0;
      let s2 = 0;
      let sx = 0;
      let sxt = 0;
      o.items.forEach((i, k) => {
        const m1 = mu[i] as number;
        s1 += m1;
        s2 += m1 * m1 + (v[i] as number);
        sx += o.xs[k] as number;
        sxt += (o.xs[k] as number) * m1;
      });
      const n = o.items.length;
      const det = n * s2 - s1 * s1;
      const bj = n > 0 && det > 1e-12 ? (n * sxt - sx * s1) / det : 0;
      const aj = n > 0 ? (sx - bj * s1) / n : 0;
      let e = 0;
      o.items.forEach((i, k) => {
        const r = (o.xs[k] as number) - aj - bj * (mu[i] as number);
        e += r * r + bj * bj * (v[i] as number);
      });
      a[o.j] = aj;
      b[o.j] = bj;
      sigma2[o.j] = Math.max(n > 0 ? e / n : o.variance, (1 - MAX_RELIABILITY) * o.variance, absoluteFloor);
    }
    // E-step: the latent's posterior per item.
    let change = 0;
    for (let i = 0; i < N; i++) {
      let precision = 1;
      let num = 0;
      for (const o of obs) {
        const x = scoreAt(m, i, o.j);
        if (Number.isNaN(x)) continue;
        const bj = b[o.j] as number;
        precision += (bj * bj) / (sigma2[o.j] as number);
        num += (bj * (x - (a[o.j] as number))) / (sigma2[o.j] as number);
      }
      const next = num / precision;
      change = Math.max(change, Math.abs(next - (mu[i] as number)));
      mu[i] = next;
      v[i] = 1 / precision;
    }
    if (change < TOLERANCE) break;
  }
  // The latent's sign is arbitrary: higher means better for most judges (by standardised slope).
  const direction = obs.reduce((acc, o) => acc + (o.variance > 0 ? (b[o.j] as number) / Math.sqrt(o.variance) : 0), 0);
  const sign = direction < 0 ? -1 : 1;
  const state: State = { judges: [...m.judges], a: [], b: [], sigma: [], copyOf };
  for (let j = 0; j < J; j++) {
    const r = copyOf[j] as number;
    state.a.push(a[r] as number);
    state.b.push(sign * (b[r] as number));
    state.sigma.push(Math.sqrt(sigma2[r] as number));
  }
  return state;
}

/**
 * The unsupervised judge model: each judge scores x = a + b t + noise(sigma) of the item's latent
 * quality t; a, b, sigma and t are estimated by EM without gold, and the fused score is t on the
 * scale of the judges' average (the average judge's expected score at that quality). A biased
 * judge is read through its own line, a noisy one counts for little, a constant one for nothing.
 */
export const judgeModelEstimator: PointEstimator = {
  name: NAME,
  supervised: false,
  fit(train) {
    if (train.judges.length === 0) throw new StrategyError(`${NAME} needs at least one judge`);
    return model(fitJudgeModel(train), train.scale.max - train.scale.min);
  },
  load(state, scale) {
    const s = parseState(NAME, StateSchema, state);
    for (const f of ['a', 'b', 'sigma', 'copyOf'] as const) requireLength(NAME, f, s[f].length, s.judges.length);
    if (s.copyOf.some((c, j) => c > j || s.copyOf[c] !== c)) throw new StrategyError(`${NAME}: copyOf must point to an earlier representative judge`);
    return model(s, scale.max - scale.min);
  },
};

export const judgeModelRating = ratingStrategy(judgeModelEstimator);
