import { seededRandom } from '../util/random.js';

export interface Interval {
  low: number;
  high: number;
}

export interface BootstrapOptions {
  /** Number of resamples (default 1000). */
  resamples?: number;
  seed: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
}

/**
 * Resamples of n item indices drawn with replacement, from a seeded generator: the same seed and
 * n give the same resamples, so several statistics bootstrapped with them are paired.
 */
export function bootstrapResamples(n: number, options: BootstrapOptions): Int32Array[] {
  const random = seededRandom(options.seed);
  const B = options.resamples ?? 1000;
  const out: Int32Array[] = [];
  for (let b = 0; b < B; b++) {
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = Math.floor(random() * n);
    out.push(idx);
  }
  return out;
}

/** The q-quantile of sorted values, linear interpolation between order statistics. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return (sorted[lo] as number) + (pos - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/** Percentile bootstrap interval of a statistic computed on each resample of item indices. */
export function percentileInterval(resamples: readonly Int32Array[], statistic: (idx: Int32Array) => number, level = 0.95): Interval {
  const values = Float64Array.from(resamples, statistic).sort();
  const tail = (1 - level) / 2;
  return { low: quantile(values, tail), high: quantile(values, 1 - tail) };
}

/** Share of the indexed items that are right (`correct[i]` = 1). */
export function accuracyOf(correct: ArrayLike<number>, idx: ArrayLike<number>): number {
  let hit = 0;
  for (let r = 0; r < idx.length; r++) hit += correct[idx[r] as number] as number;
  return idx.length === 0 ? 0 : hit / idx.length;
}

/**
 * Macro-F1 of predictions (-1 = abstained, a miss for its gold class) on the indexed items, averaged
 * over the labels that occur in the gold labels or the predictions there (scikit-learn's default,
 * as in the leaderboard's macro-F1).
 */
export function macroF1Of(gold: ArrayLike<number>, pred: ArrayLike<number>, K: number, idx: ArrayLike<number>): number {
  const tp = new Float64Array(K);
  const predicted = new Float64Array(K);
  const support = new Float64Array(K);
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r] as number;
    const g = gold[i] as number;
    const p = pred[i] as number;
    support[g] = (support[g] as number) + 1;
    if (p < 0) continue;
    predicted[p] = (predicted[p] as number) + 1;
    if (p === g) tp[g] = (tp[g] as number) + 1;
  }
  let sum = 0;
  let count = 0;
  for (let k = 0; k < K; k++) {
    if (support[k] === 0 && predicted[k] === 0) continue;
    const precision = predicted[k] ? (tp[k] as number) / (predicted[k] as number) : 0;
    const recall = support[k] ? (tp[k] as number) / (support[k] as number) : 0;
    sum += precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    count++;
  }
  return count === 0 ? 0 : sum / count;
}
