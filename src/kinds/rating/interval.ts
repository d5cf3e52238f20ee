import type { RatingMatrix } from './rating-matrix.js';
import type { RatingPrediction } from './strategy.js';
import type { Scale } from './scale.js';

export function clip(x: number, scale: Scale): number {
  return x < scale.min ? scale.min : x > scale.max ? scale.max : x;
}

/**
 * The split-conformal half-width at `level` from held-out absolute residuals: the
 * ceil((n + 1) * level)-th smallest. A new item exchangeable with these falls within it with
 * probability at least `level`, whatever the residuals' distribution. Infinity when there are
 * too few residuals for that order statistic (the interval is then the whole scale).
 */
export function conformalHalfWidth(residuals: ArrayLike<number>, level: number): number {
  const r = Float64Array.from(residuals).filter((x) => Number.isFinite(x)).sort();
  const k = Math.ceil((r.length + 1) * level);
  return k > r.length || k < 1 ? Number.POSITIVE_INFINITY : (r[k - 1] as number);
}

/** Acklam's rational approximation of the standard normal quantile. */
export function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858589980802, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const A = (i: number): number => a[i] as number;
  const B = (i: number): number => b[i] as number;
  const C = (i: number): number => c[i] as number;
  const D = (i: number): number => d[i] as number;
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((C(0) * q + C(1)) * q + C(2)) * q + C(3)) * q + C(4)) * q + C(5)) / ((((D(0) * q + D(1)) * q + D(2)) * q + D(3)) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((A(0) * r + A(1)) * r + A(2)) * r + A(3)) * r + A(4)) * r + A(5)) * q) / (((((B(0) * r + B(1)) * r + B(2)) * r + B(3)) * r + B(4)) * r + 1);
}

/**
 * Gold-free half-widths from the judges' disagreement: per item, the two-sided normal quantile at
 * `level` times the spread (standard deviation) of its judges' scores, read as the spread of one
 * more judge's opinion around their centre. An item with a single judge gets the median spread of
 * the items with several.
 */
export function judgeSpread(m: RatingMatrix, level: number): Float64Array {
  const J = m.judges.length;
  const N = m.itemIds.length;
  const sd = new Float64Array(N).fill(Number.NaN);
  for (let i = 0; i < N; i++) {
    let n = 0;
    let s = 0;
    let ss = 0;
    for (let j = 0; j < J; j++) {
      const x = m.scores[i * J + j] as number;
      if (Number.isNaN(x)) continue;
      n++;
      s += x;
      ss += x * x;
    }
    if (n >= 2) sd[i] = Math.sqrt(Math.max(0, (ss - (s * s) / n) / (n - 1)));
  }
  const known = sd.filter((x) => !Number.isNaN(x)).sort();
  const typical = known.length > 0 ? (known[Math.floor(known.length / 2)] as number) : (m.scale.max - m.scale.min) / 2;
  const z = normalQuantile((1 + level) / 2);
  return sd.map((x) => z * (Number.isNaN(x) ? typical : x));
}

/** Scores clipped to the scale with their intervals score +- halfWidth[i], clipped too; NaN stays NaN. */
export function withIntervals(score: Float64Array, halfWidth: ArrayLike<number> | number, scale: Scale): RatingPrediction {
  const N = score.length;
  const out = new Float64Array(N);
  const low = new Float64Array(N);
  const high = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const s = score[i] as number;
    if (Number.isNaN(s)) {
      out[i] = low[i] = high[i] = Number.NaN;
      continue;
    }
    const h = typeof halfWidth === 'number' ? halfWidth : (halfWidth[i] as number);
    const c = clip(s, scale);
    out[i] = c;
    low[i] = Number.isFinite(h) ? clip(c - h, scale) : scale.min;
    high[i] = Number.isFinite(h) ? clip(c + h, scale) : scale.max;
  }
  return { score: out, low, high };
}
