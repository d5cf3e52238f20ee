import { type Interval, percentileInterval } from './bootstrap.js';

export interface PairedComparison {
  /** Items A got right and B got wrong. */
  onlyA: number;
  /** Items B got right and A got wrong. */
  onlyB: number;
  /** Items compared. */
  n: number;
  /** Accuracy of A minus accuracy of B. */
  difference: number;
  /** Exact two-sided McNemar p-value (binomial test on the discordant items). */
  pValue: number;
  /** Paired bootstrap interval of the accuracy difference, on the resamples given. */
  differenceInterval: Interval;
}

function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/**
 * Exact two-sided McNemar test: under "A and B are equally accurate", each of the b + c items on
 * which they differ is equally likely to favour either, so min(b, c) is Binomial(b + c, 1/2) in the
 * tail. p = min(1, 2 P(X <= min(b, c))). No continuity correction is needed for the exact form.
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const m = Math.min(b, c);
  let tail = 0;
  for (let i = 0; i <= m; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

/** Compares two predictors' per-item correctness (1/0) on the same items. */
export function comparePaired(correctA: ArrayLike<number>, correctB: ArrayLike<number>, resamples: readonly Int32Array[], level = 0.95): PairedComparison {
  const n = correctA.length;
  let onlyA = 0;
  let onlyB = 0;
  const diff = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = correctA[i] as number;
    const b = correctB[i] as number;
    if (a && !b) onlyA++;
    if (b && !a) onlyB++;
    diff[i] = a - b;
  }
  const mean = (idx: ArrayLike<number>): number => {
    let s = 0;
    for (let r = 0; r < idx.length; r++) s += diff[idx[r] as number] as number;
    return idx.length === 0 ? 0 : s / idx.length;
  };
  return {
    onlyA,
    onlyB,
    n,
    difference: n === 0 ? 0 : (onlyA - onlyB) / n,
    pValue: mcnemarExact(onlyA, onlyB),
    differenceInterval: percentileInterval(resamples, (idx) => mean(idx), level),
  };
}

/** The comparison in one plain sentence. */
export function describeComparison(nameA: string, nameB: string, c: PairedComparison, alpha = 0.05): string {
  const p = c.pValue < 0.001 ? 'p < 0.001' : `p = ${c.pValue.toFixed(3)}`;
  const pts = (x: number): string => `${(100 * x).toFixed(1)} points`;
  const ci = `95% interval of the difference ${pts(c.differenceInterval.low)} to ${pts(c.differenceInterval.high)}`;
  const head = `${nameA} is right on ${c.onlyA} items where ${nameB} is wrong, and wrong on ${c.onlyB} where it is right (${ci}; McNemar ${p}).`;
  if (c.pValue < alpha) {
    const better = c.onlyA > c.onlyB ? nameA : nameB;
    return `${head} A gap this large would rarely arise by chance if both were equally accurate: ${better} is more accurate.`;
  }
  return `${head} A gap this large could well arise by chance if both were equally accurate: these items do not show that either is better.`;
}
