import { z } from 'zod';
import { parseState, requireLength } from '../../fuse/strategy-state.js';
import { StrategyError } from '../../fuse/strategy.js';
import { pairMoments } from '../../validation/score-metrics.js';
import { labelledRows } from './inner-folds.js';
import { judgeColumns, scoreAt } from './judge-scores.js';
import type { PointEstimator, PointModel } from './point-estimator.js';
import { ratingStrategy } from './point-estimator.js';
import type { RatingMatrix } from './rating-matrix.js';
import { shrink } from './shrinkage.js';
import { stratumOf } from './strata.js';

/** Per judge, a linear map of its score onto the gold scale and the error variance left after it. */
const MapsSchema = z.object({ a: z.array(z.number()), b: z.array(z.number()), residual: z.array(z.number().positive()) });
type Maps = z.infer<typeof MapsSchema>;

const StateSchema = z.object({
  judges: z.array(z.string()),
  pooled: MapsSchema,
  /** Maps per stratum (the item's header), shrunk toward the pooled ones. */
  strata: z.record(z.string(), MapsSchema),
  /** The judges used (all, or the one best judge), by index into `judges`. */
  use: z.array(z.number().int().nonnegative()),
  /** `use` is a ranking, best first: each item takes the first of its judges that scored it, alone (best-model's fallback). */
  firstOf: z.boolean().optional(),
  /** Each judge's mean score minus the gold's mean on the items it scored. */
  bias: z.array(z.number()),
  /** A last linear map of the weighted mean onto the gold scale. */
  final: z.object({ a: z.number(), b: z.number() }),
});
type State = z.infer<typeof StateSchema>;
export type CalibratedState = State;
export type CalibrationMaps = Maps;

/** The maps that apply to item i of m: its stratum's, or the pooled ones for a null or unseen stratum. */
export function mapsFor(s: State, m: RatingMatrix, i: number): Maps {
  const key = stratumOf(m, i);
  return (key !== null ? s.strata[key] : undefined) ?? s.pooled;
}

interface Moments {
  n: number;
  mx: number;
  my: number;
  vxx: number;
  vxy: number;
  vyy: number;
}

function moments(xs: readonly number[], ys: readonly number[]): Moments {
  const { n, mx, my, sxx, sxy, syy } = pairMoments(xs, ys);
  return { n, mx, my, vxx: sxx / (n || 1), vxy: sxy / (n || 1), vyy: syy / (n || 1) };
}

/** Own moments shrunk toward the pooled ones by PRIOR_ITEMS. */
function shrinkMoments(own: Moments, pooled: Moments): Moments {
  return {
    n: own.n,
    mx: shrink(own.mx, own.n, pooled.mx),
    my: shrink(own.my, own.n, pooled.my),
    vxx: shrink(own.vxx, own.n, pooled.vxx),
    vxy: shrink(own.vxy, own.n, pooled.vxy),
    vyy: shrink(own.vyy, own.n, pooled.vyy),
  };
}

/** Least-squares line of gold on score; a judge whose score does not vary (a constant judge) gets slope 0. */
function line(mo: Moments, floor: number): { a: number; b: number; residual: number } {
  const b = mo.vxx > 1e-12 ? mo.vxy / mo.vxx : 0;
  return { a: mo.my - b * mo.mx, b, residual: Math.max(floor, mo.vyy - b * mo.vxy) };
}

function mapsFrom(lines: { a: number; b: number; residual: number }[]): Maps {
  return { a: lines.map((l) => l.a), b: lines.map((l) => l.b), residual: lines.map((l) => l.residual) };
}

/** The calibrated judges' error-weighted mean per item (before the final map); NaN where none of `use` scored. */
function weightedMean(s: State, m: RatingMatrix): Float64Array {
  const cols = judgeColumns(m, s.judges);
  const N = m.itemIds.length;
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const maps = mapsFor(s, m, i);
    let num = 0;
    let den = 0;
    for (const j of s.use) {
      const x = scoreAt(m, i, cols[j] as number);
      if (Number.isNaN(x)) continue;
      const w = 1 / (maps.residual[j] as number);
      num += w * ((maps.a[j] as number) + (maps.b[j] as number) * x);
      den += w;
      if (s.firstOf) break;
    }
    out[i] = den > 0 ? num / den : Number.NaN;
  }
  return out;
}

function model(s: State): PointModel {
  return {
    predict(m) {
      return weightedMean(s, m).map((v) => s.final.a + s.final.b * v);
    },
    state: () => s,
    judgeProfile() {
      const w = s.judges.map((_, j) => ((s.firstOf ? s.use[0] === j : s.use.includes(j)) ? 1 / (s.pooled.residual[j] as number) : 0));
      const total = w.reduce((a, b) => a + b, 0);
      // Noise on the gold scale: the error left after the judge's map.
      return s.judges.map((judge, j) => {
        const place = s.use.indexOf(j);
        return {
          judge,
          bias: s.bias[j] as number,
          noise: Math.sqrt(s.pooled.residual[j] as number),
          weight: total > 0 ? (w[j] as number) / total : 0,
          ...(s.firstOf && place >= 0 ? { fallback: place } : {}),
        };
      });
    },
    ...(s.use.length === 1 || s.firstOf ? { picked: () => s.judges[s.use[0] as number] as string } : {}),
  };
}

/**
 * Per judge, a linear map of its score onto the gold scale (least squares), per stratum (the
 * criterion header, where the items have one: the same score means a different gold score under
 * another criterion) shrunk toward the judge's pooled map; the calibrated scores are averaged with
 * weights inverse to each map's error variance, and the average is mapped once more onto the gold
 * scale (averaging calibrated scores pulls them toward the gold mean). `best` keeps only the judge
 * whose calibrated error on the training items is lowest: the best single judge, on the gold scale;
 * with `fallback`, the next best judge scores an item its better judges left unscored, as the label
 * kinds' best-model falls back to the next best model where the best abstained.
 */
export function createCalibrated(options: { name: string; best: boolean; fallback?: boolean }): PointEstimator {
  const { name, best, fallback = false } = options;
  return {
    name,
    supervised: true,
    fit(train, gold) {
      const rows = labelledRows(gold);
      if (rows.length === 0) throw new StrategyError(`${name} needs labelled training items`);
      const J = train.judges.length;
      if (J === 0) throw new StrategyError(`${name} needs at least one judge`);
      const goldMoments = moments(rows.map((i) => gold[i] as number), rows.map((i) => gold[i] as number));
      const floor = Math.max(goldMoments.vyy, 1e-12) * 1e-6;
      const pooledLines: { a: number; b: number; residual: number }[] = [];
      const byStratum = new Map<string, { a: number; b: number; residual: number }[]>();
      const keys = rows.map((i) => stratumOf(train, i));
      const strata = [...new Set(keys.filter((k): k is string => k !== null))].sort();
      strata.forEach((k) => byStratum.set(k, []));
      const bias: number[] = [];
      const sse = new Float64Array(J);
      const seen = new Float64Array(J);
      for (let j = 0; j < J; j++) {
        const xs: number[] = [];
        const ys: number[] = [];
        const at: (string | null)[] = [];
        rows.forEach((i, r) => {
          const x = scoreAt(train, i, j);
          if (Number.isNaN(x)) return;
          xs.push(x);
          ys.push(gold[i] as number);
          at.push(keys[r] ?? null);
        });
        // A judge with no labelled score says nothing: the gold mean with the gold's own variance.
        const pooled = xs.length > 0 ? moments(xs, ys) : { ...goldMoments, n: 0, mx: 0, vxx: 0, vxy: 0 };
        bias.push(xs.length > 0 ? pooled.mx - pooled.my : 0);
        const pooledLine = line(pooled, floor);
        pooledLines.push(pooledLine);
        for (const k of strata) {
          const idx = at.flatMap((a, t) => (a === k ? [t] : []));
          const own = moments(idx.map((t) => xs[t] as number), idx.map((t) => ys[t] as number));
          const l = line(shrinkMoments(own, pooled), floor);
          (byStratum.get(k) as { a: number; b: number; residual: number }[]).push(l);
        }
        xs.forEach((x, t) => {
          const key = at[t] ?? null;
          const l = key !== null ? ((byStratum.get(key) as { a: number; b: number }[])[j] as { a: number; b: number }) : pooledLine;
          const e = (ys[t] as number) - (l.a + l.b * x);
          sse[j] = (sse[j] as number) + e * e;
          seen[j] = (seen[j] as number) + 1;
        });
      }
      let use = Array.from({ length: J }, (_, j) => j);
      if (best) {
        // Error per labelled item, an unseen judge scoring as badly as the gold's spread.
        const mse = Array.from(sse, (e, j) => ((seen[j] as number) > 0 ? e / (seen[j] as number) : goldMoments.vyy));
        const ranking = Array.from(mse.keys()).sort((x, y) => (mse[x] as number) - (mse[y] as number) || x - y);
        use = fallback ? ranking : ranking.slice(0, 1);
      }
      const partial: State = {
        judges: [...train.judges],
        pooled: mapsFrom(pooledLines),
        strata: Object.fromEntries([...byStratum].map(([k, ls]) => [k, mapsFrom(ls)])),
        use,
        ...(best && fallback ? { firstOf: true } : {}),
        bias,
        final: { a: 0, b: 1 },
      };
      let final = { a: 0, b: 1 };
      if (!best) {
        const mean = weightedMean(partial, train);
        const fitted = rows.filter((i) => !Number.isNaN(mean[i] as number));
        if (fitted.length >= 2) {
          const l = line(moments(fitted.map((i) => mean[i] as number), fitted.map((i) => gold[i] as number)), floor);
          final = { a: l.a, b: l.b };
        }
      }
      return model({ ...partial, final });
    },
    load(state) {
      const s = parseState(name, StateSchema, state);
      const J = s.judges.length;
      for (const [k, maps] of [['pooled', s.pooled] as const, ...Object.entries(s.strata).map(([k, v]) => [`strata.${k}`, v] as const)]) {
        for (const f of ['a', 'b', 'residual'] as const) requireLength(name, `${k}.${f}`, maps[f].length, J);
      }
      requireLength(name, 'bias', s.bias.length, J);
      if (s.use.some((j) => j >= J)) throw new StrategyError(`${name}: state uses a judge index out of range`);
      return model(s);
    },
  };
}

export const calibratedEstimator = createCalibrated({ name: 'calibrated', best: false });
export const bestJudgeEstimator = createCalibrated({ name: 'best-judge', best: true });
export const calibratedRating = ratingStrategy(calibratedEstimator);
/**
 * `best-model`, the name every kind gives its best single model: the judge auto weighs as
 * `best-judge`, on its own, and where it left an item unscored the next best judge (a saved auto
 * names its components, so auto's candidate keeps its name and its behaviour).
 */
export const bestModelRating = ratingStrategy(createCalibrated({ name: 'best-model', best: true, fallback: true }));
