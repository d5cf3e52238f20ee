/**
 * Stand-ins the rating benchmark uses until the rating-read branch's reader and metrics are merged
 * (src/kinds/rating/read-score.ts, src/validation/score-metrics.ts): the data README's reference
 * reading rule and plain metric formulas. Bench only, never imported by src/.
 */
import type { ScoreReading } from '../src/kinds/rating/rating-matrix.js';
import type { Scale } from '../src/kinds/rating/scale.js';

const NUMBER = String.raw`(\d+(?:\.\d+)?)`;
const RULES = [
  new RegExp(String.raw`${NUMBER}\s*/\s*100\b`),
  new RegExp(String.raw`score\s*(?:of|is|:)\s*${NUMBER}`, 'i'),
  new RegExp(String.raw`I would (?:rate|evaluate|estimate)[^.\d]*?\b(?:as|a|to be)\s+${NUMBER}`, 'i'),
  new RegExp(String.raw`^\s*${NUMBER}`),
];

/** The reference's rule: "N/100", else "score (of|is|:) N", else "I would rate ... (as|a|to be) N", else a number that opens the answer; kept inside the scale. */
export function standInReader(output: string, scale: Scale): ScoreReading {
  for (const rule of RULES) {
    const m = rule.exec(output);
    if (!m) continue;
    const score = Number(m[1]);
    if (score >= scale.min && score <= scale.max) return { kind: 'score', score, method: 'number' };
  }
  return { kind: 'abstain', reason: 'missing', detail: 'no score inside the scale' };
}

function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let k = 0; k < order.length; ) {
    let e = k;
    while (e + 1 < order.length && (order[e + 1] as readonly [number, number])[0] === (order[k] as readonly [number, number])[0]) e++;
    for (let t = k; t <= e; t++) out[(order[t] as readonly [number, number])[1]] = (k + e) / 2 + 1;
    k = e + 1;
  }
  return out;
}

function pearsonOf(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += ((x[i] as number) - mx) * ((y[i] as number) - my);
    sxx += ((x[i] as number) - mx) ** 2;
    syy += ((y[i] as number) - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

function qwkOf(gold: readonly number[], pred: readonly number[], scale: Scale): number | null {
  if (!Number.isInteger(scale.min) || !Number.isInteger(scale.max)) return null;
  const K = scale.max - scale.min + 1;
  const g = gold.map((v) => Math.round(v) - scale.min);
  const p = pred.map((v) => Math.min(K - 1, Math.max(0, Math.round(v) - scale.min)));
  const n = g.length;
  const O = new Float64Array(K * K);
  const hg = new Float64Array(K);
  const hp = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    O[(g[i] as number) * K + (p[i] as number)] = (O[(g[i] as number) * K + (p[i] as number)] as number) + 1;
    hg[g[i] as number] = (hg[g[i] as number] as number) + 1;
    hp[p[i] as number] = (hp[p[i] as number] as number) + 1;
  }
  let num = 0;
  let den = 0;
  for (let a = 0; a < K; a++) {
    for (let b = 0; b < K; b++) {
      const w = ((a - b) / (K - 1)) ** 2;
      num += w * (O[a * K + b] as number);
      den += (w * (hg[a] as number) * (hp[b] as number)) / n;
    }
  }
  return den > 0 ? 1 - num / den : null;
}

export interface BenchMetrics {
  n: number;
  spearman: number;
  pearson: number;
  mae: number;
  qwk: number | null;
  coverage: number | null;
  width: number | null;
}

/** Metrics over the items with a prediction; coverage and width (mean interval width) over all items, an undecided item uncovered. */
export function benchMetrics(gold: Float64Array, pred: ArrayLike<number>, scale: Scale, interval?: { low: ArrayLike<number>; high: ArrayLike<number> }): BenchMetrics {
  const g: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < gold.length; i++) {
    if (Number.isNaN(pred[i] as number)) continue;
    g.push(gold[i] as number);
    p.push(pred[i] as number);
  }
  let covered = 0;
  let width = 0;
  if (interval) {
    for (let i = 0; i < gold.length; i++) {
      const lo = interval.low[i] as number;
      const hi = interval.high[i] as number;
      if (lo <= (gold[i] as number) && (gold[i] as number) <= hi) covered++;
      if (!Number.isNaN(lo)) width += hi - lo;
    }
  }
  return {
    n: g.length,
    spearman: pearsonOf(ranks(g), ranks(p)),
    pearson: pearsonOf(g, p),
    mae: g.reduce((a, v, i) => a + Math.abs(v - (p[i] as number)), 0) / g.length,
    qwk: qwkOf(g, p, scale),
    coverage: interval ? covered / gold.length : null,
    width: interval ? width / gold.length : null,
  };
}
