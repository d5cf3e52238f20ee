import { seededRandom } from '../util/random.js';
import { scoreMetrics, type ScoreMetricName, type ScoreMetrics, type ScoreScale } from './score-metrics.js';

/** Which way each score metric is better. */
export const BETTER: Readonly<Record<ScoreMetricName, 'lower' | 'higher'>> = { mae: 'lower', rmse: 'lower', pearson: 'higher', spearman: 'higher', kendall: 'higher', qwk: 'higher' };

/** How much worse a candidate's scores are than a reference's on one metric, with the standard error of that paired difference. */
export interface MetricLoss {
  metric: ScoreMetricName;
  /** Candidate minus reference, signed so that positive is worse. */
  loss: number;
  /** Standard deviation of the loss over the bootstrap resamples (each resample scores both on the same items). */
  standardError: number;
}

export interface PairedLossOptions {
  resamples: number;
  seed: number;
  /** Items of one group (one text rated on several criteria) are resampled together: their errors go together. */
  groups?: readonly (string | null)[] | null;
  /** The scale's step, for QWK. */
  step?: number;
}

/**
 * A metric's value as a quality: an undefined agreement (a constant side, so no ranking; QWK with
 * every score in one step) is agreement at chance, 0, so a candidate that stops ranking counts as a
 * loss instead of dropping out of the comparison. Error metrics are defined whenever there are items.
 */
function quality(m: ScoreMetrics, name: ScoreMetricName): number | null {
  const v = m[name];
  if (v === null) return null;
  return Number.isFinite(v) ? v : 0;
}

function lossOf(candidate: ScoreMetrics, reference: ScoreMetrics, name: ScoreMetricName): number | null {
  const c = quality(candidate, name);
  const r = quality(reference, name);
  if (c === null || r === null) return null;
  return BETTER[name] === 'lower' ? c - r : r - c;
}

/** Resamples of item positions: whole groups drawn with replacement (an item without a group is its own), seeded. */
export function groupResamples(n: number, groups: readonly (string | null)[] | null | undefined, resamples: number, seed: number): Int32Array[] {
  const members = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const g = groups?.[i] ?? null;
    const key = g === null ? `\u0000${i}` : `g:${g}`;
    const list = members.get(key);
    if (list) list.push(i);
    else members.set(key, [i]);
  }
  const clusters = [...members.values()];
  const random = seededRandom(seed);
  const out: Int32Array[] = [];
  for (let b = 0; b < resamples; b++) {
    const idx: number[] = [];
    for (let k = 0; k < clusters.length; k++) idx.push(...(clusters[Math.floor(random() * clusters.length)] as number[]));
    out.push(Int32Array.from(idx));
  }
  return out;
}

/**
 * The paired losses of `candidate` against `reference` (both predicting `gold`, item by item) on
 * each of `metrics`, over the items where all three are known; metrics undefined for the scale
 * (QWK off whole steps) are left out. Each metric gets its own standard error, from the same
 * bootstrap resamples of the items, so the spread of a correlation's difference (not a mean of
 * per-item terms) is measured as directly as an error's.
 */
export function pairedScoreLosses(gold: ArrayLike<number>, candidate: ArrayLike<number>, reference: ArrayLike<number>, scale: ScoreScale, metrics: readonly ScoreMetricName[], options: PairedLossOptions): MetricLoss[] {
  return pairedLossesAgainst(gold, reference, scale, metrics, options)(candidate);
}

/**
 * The losses of `candidate` against `reference` on each of `metrics` over the items where all three
 * are known, without their standard errors: a loss that is not positive needs none to be accepted.
 */
export function pointScoreLosses(gold: ArrayLike<number>, candidate: ArrayLike<number>, reference: ArrayLike<number>, scale: ScoreScale, metrics: readonly ScoreMetricName[], step?: number): { metric: ScoreMetricName; loss: number }[] {
  const keep: number[] = [];
  for (let i = 0; i < gold.length; i++) if (Number.isFinite(gold[i] as number) && Number.isFinite(candidate[i] as number) && Number.isFinite(reference[i] as number)) keep.push(i);
  const g = Float64Array.from(keep, (i) => gold[i] as number);
  const options = step === undefined ? {} : { step };
  const c = scoreMetrics(g, Float64Array.from(keep, (i) => candidate[i] as number), scale, options);
  const r = scoreMetrics(g, Float64Array.from(keep, (i) => reference[i] as number), scale, options);
  return metrics.flatMap((metric) => {
    const loss = lossOf(c, r, metric);
    return loss === null ? [] : [{ metric, loss }];
  });
}

interface Bootstrap {
  /** Positions into the kept items, per resample. */
  resamples: Int32Array[];
  /** The reference's metrics, on all kept items and per resample. */
  full: ScoreMetrics;
  drawn: ScoreMetrics[];
}

/**
 * pairedScoreLosses for several candidates against one reference: the resamples and the
 * reference's metrics on them are computed once and shared by every candidate known on the same
 * items as the reference (a candidate known on fewer items is scored on its own resamples).
 */
export function pairedLossesAgainst(gold: ArrayLike<number>, reference: ArrayLike<number>, scale: ScoreScale, metrics: readonly ScoreMetricName[], options: PairedLossOptions): (candidate: ArrayLike<number>) => MetricLoss[] {
  const step = options.step === undefined ? {} : { step: options.step };
  const known: number[] = [];
  for (let i = 0; i < gold.length; i++) if (Number.isFinite(gold[i] as number) && Number.isFinite(reference[i] as number)) known.push(i);
  const bootstrapOn = (keep: readonly number[]): Bootstrap => {
    const g = Float64Array.from(keep, (i) => gold[i] as number);
    const r = Float64Array.from(keep, (i) => reference[i] as number);
    const groups = options.groups ? keep.map((i) => options.groups?.[i] ?? null) : null;
    const resamples = keep.length > 1 ? groupResamples(keep.length, groups, options.resamples, options.seed) : [];
    return {
      resamples,
      full: scoreMetrics(g, r, scale, step),
      drawn: resamples.map((idx) => scoreMetrics(Float64Array.from(idx, (k) => g[k] as number), Float64Array.from(idx, (k) => r[k] as number), scale, step)),
    };
  };
  let shared: Bootstrap | null = null;
  return (candidate) => {
    const keep = known.filter((i) => Number.isFinite(candidate[i] as number));
    const b = keep.length === known.length ? (shared ??= bootstrapOn(known)) : bootstrapOn(keep);
    const g = Float64Array.from(keep, (i) => gold[i] as number);
    const c = Float64Array.from(keep, (i) => candidate[i] as number);
    const cFull = scoreMetrics(g, c, scale, step);
    const draws = metrics.map(() => [] as number[]);
    b.resamples.forEach((idx, k) => {
      const cm = scoreMetrics(Float64Array.from(idx, (j) => g[j] as number), Float64Array.from(idx, (j) => c[j] as number), scale, step);
      metrics.forEach((name, m) => {
        const d = lossOf(cm, b.drawn[k] as ScoreMetrics, name);
        if (d !== null) (draws[m] as number[]).push(d);
      });
    });
    const out: MetricLoss[] = [];
    metrics.forEach((name, m) => {
      const loss = lossOf(cFull, b.full, name);
      if (loss === null) return;
      const d = draws[m] as number[];
      let standardError = Number.POSITIVE_INFINITY;
      if (d.length > 1) {
        const mean = d.reduce((a, x) => a + x, 0) / d.length;
        standardError = Math.sqrt(d.reduce((a, x) => a + (x - mean) ** 2, 0) / (d.length - 1));
      }
      out.push({ metric: name, loss, standardError });
    });
    return out;
  };
}
