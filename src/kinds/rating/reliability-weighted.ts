import { z } from 'zod';
import { parseState, requireLength } from '../../fuse/strategy-state.js';
import { StrategyError } from '../../fuse/strategy.js';
import { labelledRows } from './inner-folds.js';
import { judgeColumns, scoreAt } from './judge-scores.js';
import type { PointEstimator, PointModel } from './point-estimator.js';
import { ratingStrategy } from './point-estimator.js';
import { shrink } from './shrinkage.js';

const NAME = 'reliability-weighted';

const StateSchema = z.object({
  judges: z.array(z.string()),
  /** Inverse mean squared error of each judge against the gold, shrunk toward the pooled error. */
  weights: z.array(z.number().nonnegative()),
  bias: z.array(z.number()),
  noise: z.array(z.number().nonnegative()),
});
type State = z.infer<typeof StateSchema>;

function model(s: State): PointModel {
  const total = s.weights.reduce((a, b) => a + b, 0);
  return {
    predict(m) {
      const cols = judgeColumns(m, s.judges);
      const N = m.itemIds.length;
      const out = new Float64Array(N);
      for (let i = 0; i < N; i++) {
        let num = 0;
        let den = 0;
        cols.forEach((c, k) => {
          const x = scoreAt(m, i, c);
          if (Number.isNaN(x)) return;
          num += (s.weights[k] as number) * x;
          den += s.weights[k] as number;
        });
        out[i] = den > 0 ? num / den : Number.NaN;
      }
      return out;
    },
    state: () => s,
    judgeProfile: () => s.judges.map((judge, k) => ({ judge, bias: s.bias[k] as number, noise: s.noise[k] as number, weight: total > 0 ? (s.weights[k] as number) / total : 0 })),
  };
}

/**
 * The weighted mean of the judges' scores, each weighted by the inverse of its mean squared error
 * against the training gold (the weights that minimise the error of a mean of independent
 * estimates). A judge's error is shrunk toward the pooled error of all judges, so a judge seen on
 * few labelled items is weighted about equally with the others.
 */
export const reliabilityWeightedEstimator: PointEstimator = {
  name: NAME,
  supervised: true,
  fit(train, gold) {
    const rows = labelledRows(gold);
    if (rows.length === 0) throw new StrategyError(`${NAME} needs labelled training items`);
    const J = train.judges.length;
    const n = new Float64Array(J);
    const sum = new Float64Array(J);
    const sumSq = new Float64Array(J);
    for (const i of rows) {
      for (let j = 0; j < J; j++) {
        const x = scoreAt(train, i, j);
        if (Number.isNaN(x)) continue;
        const e = x - (gold[i] as number);
        n[j] = (n[j] as number) + 1;
        sum[j] = (sum[j] as number) + e;
        sumSq[j] = (sumSq[j] as number) + e * e;
      }
    }
    const pooledN = n.reduce((a, b) => a + b, 0);
    const pooled = pooledN > 0 ? sumSq.reduce((a, b) => a + b, 0) / pooledN : 1;
    // A floor keeps a judge that matched the gold exactly from taking every weight with a division by zero.
    const floor = Math.max(pooled, 1e-12) * 1e-6;
    const weights: number[] = [];
    const bias: number[] = [];
    const noise: number[] = [];
    for (let j = 0; j < J; j++) {
      const nj = n[j] as number;
      const mse = nj > 0 ? (sumSq[j] as number) / nj : Number.NaN;
      weights.push(1 / Math.max(floor, shrink(mse, nj, pooled)));
      const b = nj > 0 ? (sum[j] as number) / nj : 0;
      bias.push(b);
      noise.push(nj > 0 ? Math.sqrt(Math.max(0, mse - b * b)) : Math.sqrt(pooled));
    }
    return model({ judges: [...train.judges], weights, bias, noise });
  },
  load(state) {
    const s = parseState(NAME, StateSchema, state);
    for (const f of ['weights', 'bias', 'noise'] as const) requireLength(NAME, f, s[f].length, s.judges.length);
    return model(s);
  },
};

export const reliabilityWeightedRating = ratingStrategy(reliabilityWeightedEstimator);
