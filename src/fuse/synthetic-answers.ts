import { seededRandom } from '../util/random.js';
import { type AnswerMatrix, emptyMatrix } from './answer-matrix.js';

export interface SyntheticOptions {
  items: number;
  models: number;
  labels: number;
  seed: number;
  /** Share of answers left missing (abstentions). */
  abstainRate?: number;
  /** Skewed class priors (class k has weight k+1) instead of uniform ones. */
  skewedPriors?: boolean;
}

export interface SyntheticAnswers {
  matrix: AnswerMatrix;
  gold: Int32Array;
  /** The true confusion matrices used, confusion[(j*K + true)*K + answered]. */
  confusion: Float64Array;
  priors: Float64Array;
}

/**
 * Answers drawn from known per-model confusion matrices (Dawid-Skene's generative model): each
 * model has its own accuracy in [0.35, 0.9] and its own uneven error pattern. For tests that
 * check recovery, and for the scale benchmark.
 */
export function syntheticAnswers(o: SyntheticOptions): SyntheticAnswers {
  const random = seededRandom(o.seed);
  const K = o.labels;
  const M = o.models;
  const labels = Array.from({ length: K }, (_, k) => `label-${k}`);
  const models = Array.from({ length: M }, (_, j) => `model-${j}`);
  const itemIds = Array.from({ length: o.items }, (_, i) => `item-${i}`);
  const matrix = emptyMatrix(labels, models, itemIds);
  const priors = Float64Array.from({ length: K }, (_, k) => (o.skewedPriors ? k + 1 : 1));
  const ps = priors.reduce((a, b) => a + b, 0);
  for (let k = 0; k < K; k++) priors[k] = (priors[k] as number) / ps;
  const confusion = new Float64Array(M * K * K);
  for (let j = 0; j < M; j++) {
    const acc = 0.35 + 0.55 * random();
    for (let k = 0; k < K; k++) {
      const base = (j * K + k) * K;
      let rest = 0;
      for (let l = 0; l < K; l++) {
        if (l === k) continue;
        const w = 0.2 + random();
        confusion[base + l] = w;
        rest += w;
      }
      for (let l = 0; l < K; l++) confusion[base + l] = l === k ? acc : ((confusion[base + l] as number) / rest) * (1 - acc);
    }
  }
  const draw = (p: Float64Array, base: number): number => {
    let u = random();
    for (let k = 0; k < K - 1; k++) {
      u -= p[base + k] as number;
      if (u < 0) return k;
    }
    return K - 1;
  };
  const gold = new Int32Array(o.items);
  const abstain = o.abstainRate ?? 0;
  for (let i = 0; i < o.items; i++) {
    const g = draw(priors, 0);
    gold[i] = g;
    for (let j = 0; j < M; j++) {
      if (random() < abstain) continue;
      const l = draw(confusion, (j * K + g) * K);
      matrix.probs[(i * M + j) * K + l] = 1;
      matrix.present[i * M + j] = 1;
    }
  }
  return { matrix, gold, confusion, priors };
}
