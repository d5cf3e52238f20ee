import { bootstrapResamples, quantile, type Interval } from './bootstrap.js';

/** The range scores lie in (the same shape as a rating task's scale). */
export interface ScoreScale {
  min: number;
  max: number;
}

/**
 * How fused (or single-judge) scores agree with gold scores. `n`: items with both a gold and a
 * predicted score (NaN = undecided, left out; the caller counts them as not covered). Correlations
 * are NaN when undefined: fewer than 2 items, or one side constant (a judge that always answers 4
 * carries no ranking; NaN says so where 0 would pass for "uncorrelated"). `qwk` and `withinOne` are
 * null unless the scale is in whole steps.
 */
export interface ScoreMetrics {
  n: number;
  mae: number;
  rmse: number;
  pearson: number;
  spearman: number;
  kendall: number;
  qwk: number | null;
  withinOne: number | null;
}

export interface ScoreMetricOptions {
  /** The scale's step (default 1): QWK and within-one-step round both scores to the nearest step. */
  step?: number;
}

export type ScoreMetricName = 'mae' | 'rmse' | 'pearson' | 'spearman' | 'kendall' | 'qwk';

/** The pairs both sides scored, in item order. */
function pairs(gold: ArrayLike<number>, predicted: ArrayLike<number>): { g: Float64Array; p: Float64Array } {
  if (gold.length !== predicted.length) throw new RangeError(`scoreMetrics: ${gold.length} gold scores but ${predicted.length} predicted`);
  const g: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < gold.length; i++) {
    const a = gold[i] as number;
    const b = predicted[i] as number;
    if (Number.isFinite(a) && Number.isFinite(b)) {
      g.push(a);
      p.push(b);
    }
  }
  return { g: Float64Array.from(g), p: Float64Array.from(p) };
}

/** Whether the scale is in whole steps: its ends are multiples of the step, at least one step apart. */
export function wholeSteps(scale: ScoreScale, step = 1): boolean {
  if (!(step > 0) || !(scale.max > scale.min)) return false;
  const lo = scale.min / step;
  const span = (scale.max - scale.min) / step;
  return Math.abs(lo - Math.round(lo)) < 1e-9 && Math.abs(span - Math.round(span)) < 1e-9;
}

/** A score's step index on a whole-step scale: rounded to the nearest step, clipped to the scale. */
function stepIndex(value: number, scale: ScoreScale, step: number, K: number): number {
  return Math.min(K - 1, Math.max(0, Math.round((value - scale.min) / step)));
}

export function scoreMetrics(gold: ArrayLike<number>, predicted: ArrayLike<number>, scale: ScoreScale, options: ScoreMetricOptions = {}): ScoreMetrics {
  const { g, p } = pairs(gold, predicted);
  return metricsOf(g, p, scale, options.step ?? 1);
}

function metricsOf(g: Float64Array, p: Float64Array, scale: ScoreScale, step: number): ScoreMetrics {
  const n = g.length;
  let abs = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = (p[i] as number) - (g[i] as number);
    abs += Math.abs(d);
    sq += d * d;
  }
  const stepped = wholeSteps(scale, step);
  let qwk: number | null = null;
  let withinOne: number | null = null;
  if (stepped) {
    const K = Math.round((scale.max - scale.min) / step) + 1;
    const gi = new Int32Array(n);
    const pi = new Int32Array(n);
    let near = 0;
    for (let i = 0; i < n; i++) {
      gi[i] = stepIndex(g[i] as number, scale, step, K);
      pi[i] = stepIndex(p[i] as number, scale, step, K);
      if (Math.abs((gi[i] as number) - (pi[i] as number)) <= 1) near++;
    }
    qwk = quadraticWeightedKappa(gi, pi, K);
    withinOne = n === 0 ? Number.NaN : near / n;
  }
  return {
    n,
    mae: n === 0 ? Number.NaN : abs / n,
    rmse: n === 0 ? Number.NaN : Math.sqrt(sq / n),
    pearson: pearson(g, p),
    spearman: spearman(g, p),
    kendall: kendallTauB(g, p),
    qwk,
    withinOne,
  };
}

/** Means of x and y and their centred sums of squares and products, over the first x.length pairs. */
export function pairMoments(x: ArrayLike<number>, y: ArrayLike<number>): { n: number; mx: number; my: number; sxx: number; sxy: number; syy: number } {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] as number;
    my += y[i] as number;
  }
  mx /= n || 1;
  my /= n || 1;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - mx;
    const dy = (y[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return { n, mx, my, sxx, sxy, syy };
}

/** Pearson's r; NaN with fewer than 2 pairs or a constant side. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length < 2) return Number.NaN;
  const { sxx, sxy, syy } = pairMoments(x, y);
  if (sxx === 0 || syy === 0) return Number.NaN;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Ranks from 1, tied values sharing the average of their ranks. */
export function averageRanks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (x[a] as number) - (x[b] as number));
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && x[order[j + 1] as number] === x[order[i] as number]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k] as number] = rank;
    i = j + 1;
  }
  return ranks;
}

/** Spearman's rho: Pearson's r of the average ranks. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length < 2) return Number.NaN;
  return pearson(averageRanks(x), averageRanks(y));
}

/**
 * Kendall's tau-b (ties corrected, as scipy's default), in O(n log n) by Knight's method: sort by
 * (x, y), count the pairs tied in x, in both, then the discordant pairs as the swaps a merge sort by
 * y makes, and the pairs tied in y.
 */
export function kendallTauB(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return Number.NaN;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (x[a] as number) - (x[b] as number) || (y[a] as number) - (y[b] as number));
  const pairsTotal = (n * (n - 1)) / 2;
  let tiedX = 0;
  let tiedXY = 0;
  let runX = 1;
  let runXY = 1;
  for (let i = 1; i < n; i++) {
    const a = order[i - 1] as number;
    const b = order[i] as number;
    if (x[a] === x[b]) {
      runX++;
      if (y[a] === y[b]) runXY++;
      else {
        tiedXY += (runXY * (runXY - 1)) / 2;
        runXY = 1;
      }
    } else {
      tiedX += (runX * (runX - 1)) / 2;
      tiedXY += (runXY * (runXY - 1)) / 2;
      runX = 1;
      runXY = 1;
    }
  }
  tiedX += (runX * (runX - 1)) / 2;
  tiedXY += (runXY * (runXY - 1)) / 2;
  const ys = Float64Array.from(order, (i) => y[i] as number);
  const swaps = mergeSortSwaps(ys);
  let tiedY = 0;
  let runY = 1;
  for (let i = 1; i < n; i++) {
    if (ys[i] === ys[i - 1]) runY++;
    else {
      tiedY += (runY * (runY - 1)) / 2;
      runY = 1;
    }
  }
  tiedY += (runY * (runY - 1)) / 2;
  const denominator = Math.sqrt((pairsTotal - tiedX) * (pairsTotal - tiedY));
  if (denominator === 0) return Number.NaN;
  const concordantMinusDiscordant = pairsTotal - tiedX - tiedY + tiedXY - 2 * swaps;
  return Math.max(-1, Math.min(1, concordantMinusDiscordant / denominator));
}

/** Sorts `a` ascending in place (stable, bottom-up merge) and returns the number of inversions (strictly greater before smaller). */
function mergeSortSwaps(a: Float64Array): number {
  const n = a.length;
  let src: Float64Array = a;
  let dst: Float64Array = new Float64Array(n);
  let swaps = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if ((src[j] as number) < (src[i] as number)) {
          dst[k++] = src[j++] as number;
          swaps += mid - i;
        } else dst[k++] = src[i++] as number;
      }
      while (i < mid) dst[k++] = src[i++] as number;
      while (j < hi) dst[k++] = src[j++] as number;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== a) a.set(src);
  return swaps;
}

/**
 * Cohen's kappa with quadratic weights over K ordered categories (indices 0..K-1): 1 - sum(w O) /
 * sum(w E), w = (i - j)^2 / (K - 1)^2, E the outer product of the two marginals. NaN when the
 * expected disagreement is 0 (both sides in one category) or there are no items.
 */
export function quadraticWeightedKappa(gold: ArrayLike<number>, predicted: ArrayLike<number>, K: number): number {
  const n = gold.length;
  if (n === 0 || K < 2) return Number.NaN;
  const histG = new Float64Array(K);
  const histP = new Float64Array(K);
  let observed = 0;
  for (let i = 0; i < n; i++) {
    const a = gold[i] as number;
    const b = predicted[i] as number;
    histG[a] = (histG[a] as number) + 1;
    histP[b] = (histP[b] as number) + 1;
    observed += (a - b) * (a - b);
  }
  let expected = 0;
  for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) expected += ((histG[a] as number) * (histP[b] as number) * (a - b) * (a - b)) / n;
  if (expected === 0) return Number.NaN;
  return 1 - observed / expected;
}

/**
 * Percentile bootstrap intervals of each metric (items resampled with replacement, seeded), over
 * the items both sides scored. Resamples on which a metric is undefined (a constant side) are left
 * out of its interval; a metric undefined on every resample, or `qwk` on a scale not in whole steps,
 * gets null.
 */
export function scoreMetricIntervals(
  gold: ArrayLike<number>,
  predicted: ArrayLike<number>,
  scale: ScoreScale,
  options: { resamples: number; seed: number; level?: number; step?: number },
): Record<ScoreMetricName, Interval | null> {
  const { g, p } = pairs(gold, predicted);
  const step = options.step ?? 1;
  const names: ScoreMetricName[] = ['mae', 'rmse', 'pearson', 'spearman', 'kendall', 'qwk'];
  const values: Record<ScoreMetricName, number[]> = { mae: [], rmse: [], pearson: [], spearman: [], kendall: [], qwk: [] };
  if (g.length > 0) {
    const gs = new Float64Array(g.length);
    const ps = new Float64Array(g.length);
    for (const idx of bootstrapResamples(g.length, { resamples: options.resamples, seed: options.seed })) {
      for (let r = 0; r < idx.length; r++) {
        gs[r] = g[idx[r] as number] as number;
        ps[r] = p[idx[r] as number] as number;
      }
      const m = metricsOf(gs, ps, scale, step);
      for (const name of names) {
        const v = m[name];
        if (v !== null && Number.isFinite(v)) values[name].push(v);
      }
    }
  }
  const tail = (1 - (options.level ?? 0.95)) / 2;
  const out = {} as Record<ScoreMetricName, Interval | null>;
  for (const name of names) {
    const sorted = Float64Array.from(values[name]).sort();
    out[name] = sorted.length === 0 ? null : { low: quantile(sorted, tail), high: quantile(sorted, 1 - tail) };
  }
  return out;
}
