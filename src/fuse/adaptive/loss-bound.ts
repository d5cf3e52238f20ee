import { seededRandom } from '../../util/random.js';

/** What the loss is measured in: macro-F1 over a fixed label set, or accuracy (candidates that differ per item). */
export type LossMetric = 'macro-f1' | 'accuracy';

/**
 * Score of decisions (a label index per row, -1 when undecided) against gold `y`, each row
 * counted `w[r]` times: macro-F1 as `scoreClassification` computes it (labels neither in the gold
 * nor predicted left out of the mean, undecided rows count in the support only), or accuracy.
 */
export function weightedScore(y: Int32Array, decided: Int32Array, K: number, metric: LossMetric, w?: Float64Array): number {
  if (metric === 'accuracy') {
    let n = 0;
    let hit = 0;
    for (let r = 0; r < y.length; r++) {
      const c = w ? (w[r] as number) : 1;
      n += c;
      if (decided[r] === y[r]) hit += c;
    }
    return n > 0 ? hit / n : 0;
  }
  const tp = new Float64Array(K);
  const predicted = new Float64Array(K);
  const support = new Float64Array(K);
  for (let r = 0; r < y.length; r++) {
    const c = w ? (w[r] as number) : 1;
    if (c === 0) continue;
    const g = y[r] as number;
    support[g] = (support[g] as number) + c;
    const p = decided[r] as number;
    if (p < 0) continue;
    predicted[p] = (predicted[p] as number) + c;
    if (p === g) tp[g] = (tp[g] as number) + c;
  }
  let sum = 0;
  let count = 0;
  for (let k = 0; k < K; k++) {
    const s = (support[k] as number) + (predicted[k] as number);
    if (s === 0) continue;
    sum += (2 * (tp[k] as number)) / s;
    count++;
  }
  return count > 0 ? sum / count : 0;
}

/** Bootstrap draws of the training rows behind a loss's standard error: enough for a standard error within a few percent of itself. */
export const BOOTSTRAP_DRAWS = 200;

/**
 * The standard error of each policy's loss against the reference (score of `reference` minus
 * score of the policy, on the same rows), by a paired bootstrap over the rows: every draw
 * resamples the rows once and scores the reference and every policy on that same resample, so
 * what the draws spread is the loss itself, not two scores' noise. A policy that decides every
 * row as the reference does has none. Deterministic for a seed.
 */
export function lossStandardErrors(y: Int32Array, reference: Int32Array, policies: readonly Int32Array[], K: number, metric: LossMetric, seed: number, draws = BOOTSTRAP_DRAWS): number[] {
  const n = y.length;
  const P = policies.length;
  if (n === 0 || draws < 2) return new Array<number>(P).fill(0);
  const random = seededRandom(seed);
  const w = new Float64Array(n);
  const sum = new Float64Array(P);
  const sq = new Float64Array(P);
  // Rows where a policy differs from the reference: elsewhere its loss cannot move, so most policies cost little.
  const differs = policies.map((p) => p.some((d, r) => d !== reference[r]));
  for (let b = 0; b < draws; b++) {
    w.fill(0);
    for (let r = 0; r < n; r++) {
      const i = Math.floor(random() * n);
      w[i] = (w[i] as number) + 1;
    }
    const ref = weightedScore(y, reference, K, metric, w);
    policies.forEach((p, q) => {
      const loss = differs[q] ? ref - weightedScore(y, p, K, metric, w) : 0;
      sum[q] = (sum[q] as number) + loss;
      sq[q] = (sq[q] as number) + loss * loss;
    });
  }
  return Array.from({ length: P }, (_, q) => {
    const mean = (sum[q] as number) / draws;
    return Math.sqrt(Math.max(0, (sq[q] as number) / draws - mean * mean) * (draws / (draws - 1)));
  });
}
