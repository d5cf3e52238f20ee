import { type AnswerMatrix } from '../../src/fuse/answer-matrix.js';
import type { FusedPrediction } from '../../src/fuse/strategy.js';
import { hardVotes } from '../../src/fuse/votes.js';

/** Additive smoothing of the textbook M-step, only there to keep logarithms finite. */
const SMOOTH = 0.01;

/**
 * The textbook baseline (Dawid & Skene 1979, as ../shared/data/README.md computes it): full
 * confusion matrices and class priors by maximum likelihood, started from the vote shares, a fixed
 * number of EM iterations, no screening, no priors beyond a tiny smoothing. Used as the reference
 * our Dawid-Skene is compared against (tests and bench/dawid-skene.ts), never shipped.
 */
export function textbookDawidSkene(answers: AnswerMatrix, iterations = 50): FusedPrediction {
  const K = answers.labels.length;
  const M = answers.models.length;
  const N = answers.itemIds.length;
  const votes = hardVotes(answers);
  const T = new Float64Array(N * K);
  const decided = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    let n = 0;
    for (let j = 0; j < M; j++) {
      const v = votes[i * M + j] as number;
      if (v < 0) continue;
      T[i * K + v] = (T[i * K + v] as number) + 1;
      n++;
    }
    if (n === 0) continue;
    decided[i] = 1;
    for (let k = 0; k < K; k++) T[i * K + k] = (T[i * K + k] as number) / n;
  }
  const logTheta = new Float64Array(M * K * K);
  const logPrior = new Float64Array(K);
  const row = new Float64Array(K);
  for (let it = 0; it < iterations; it++) {
    const counts = new Float64Array(M * K * K).fill(SMOOTH);
    const prior = new Float64Array(K).fill(SMOOTH);
    for (let i = 0; i < N; i++) {
      if (!decided[i]) continue;
      for (let k = 0; k < K; k++) prior[k] = (prior[k] as number) + (T[i * K + k] as number);
      for (let j = 0; j < M; j++) {
        const v = votes[i * M + j] as number;
        if (v < 0) continue;
        for (let k = 0; k < K; k++) counts[(j * K + k) * K + v] = (counts[(j * K + k) * K + v] as number) + (T[i * K + k] as number);
      }
    }
    let total = 0;
    for (let k = 0; k < K; k++) total += prior[k] as number;
    for (let k = 0; k < K; k++) logPrior[k] = Math.log((prior[k] as number) / total);
    for (let r = 0; r < M * K; r++) {
      let s = 0;
      for (let l = 0; l < K; l++) s += counts[r * K + l] as number;
      for (let l = 0; l < K; l++) logTheta[r * K + l] = Math.log((counts[r * K + l] as number) / s);
    }
    for (let i = 0; i < N; i++) {
      if (!decided[i]) continue;
      for (let k = 0; k < K; k++) row[k] = logPrior[k] as number;
      for (let j = 0; j < M; j++) {
        const v = votes[i * M + j] as number;
        if (v < 0) continue;
        for (let k = 0; k < K; k++) row[k] = (row[k] as number) + (logTheta[(j * K + k) * K + v] as number);
      }
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, row[k] as number);
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp((row[k] as number) - max);
      for (let k = 0; k < K; k++) T[i * K + k] = Math.exp((row[k] as number) - max) / sum;
    }
  }
  return { probs: T, decided };
}
