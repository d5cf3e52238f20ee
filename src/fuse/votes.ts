import { type AnswerMatrix, argmax } from './answer-matrix.js';

/** Every model's hard vote, votes[i*M + j] = its top label on item i, or -1 when it abstained. */
export function hardVotes(m: AnswerMatrix): Int32Array {
  const K = m.labels.length;
  const M = m.models.length;
  const N = m.itemIds.length;
  const votes = new Int32Array(N * M).fill(-1);
  for (let c = 0; c < N * M; c++) {
    if (m.present[c] === 1) votes[c] = argmax(m.probs, c * K, K);
  }
  return votes;
}

/** Normalizes the K values at `offset` into a distribution from log-scores (max-shifted for stability). */
export function softmaxInPlace(values: Float64Array, offset: number, K: number): void {
  let max = -Infinity;
  for (let k = 0; k < K; k++) max = Math.max(max, values[offset + k] as number);
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const e = Math.exp((values[offset + k] as number) - max);
    values[offset + k] = e;
    sum += e;
  }
  for (let k = 0; k < K; k++) values[offset + k] = (values[offset + k] as number) / sum;
}
