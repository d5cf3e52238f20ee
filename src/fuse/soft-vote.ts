import { z } from 'zod';
import { type AnswerMatrix, blankPrediction, candidateCount } from './answer-matrix.js';
import { checkLabels } from './model-alignment.js';
import type { FittedStrategy, FusedPrediction, FusionStrategy, ModelContribution } from './strategy.js';
import { parseState } from './strategy-state.js';
import { agreementByModel, agreementFor, breakTies } from './tie-break.js';
import { softmaxInPlace } from './votes.js';

export type Pooling = 'linear' | 'log';

/**
 * Probability floor for log-linear pooling: a one-hot answer would otherwise veto every label it
 * did not name (log 0), letting a single model override all the others.
 */
export const LOG_POOL_FLOOR = 1e-3;

export interface SoftVoteOptions {
  pooling?: Pooling;
  /** Per-model weights by model name; models not listed weigh 1. */
  weights?: Readonly<Record<string, number>>;
}

/**
 * Weighted mean of the present models' distributions (linear pooling), or the normalized weighted
 * geometric mean (log-linear pooling), which rewards labels all models find plausible. Ties (one-hot
 * answers make them as often as in a vote) are broken as the vote breaks them (`breakTies`), when
 * `agreement` is given.
 */
export function softVote(answers: AnswerMatrix, weights: ArrayLike<number>, pooling: Pooling, agreement?: ArrayLike<number>): FusedPrediction {
  const { K, M, N, probs, decided } = blankPrediction(answers);
  for (let i = 0; i < N; i++) {
    let total = 0;
    for (let j = 0; j < M; j++) {
      if (answers.present[i * M + j] === 0) continue;
      const w = weights[j] as number;
      if (!(w > 0)) continue;
      total += w;
      const base = (i * M + j) * K;
      for (let k = 0; k < K; k++) {
        const p = answers.probs[base + k] as number;
        probs[i * K + k] = (probs[i * K + k] as number) + w * (pooling === 'linear' ? p : Math.log(Math.max(p, LOG_POOL_FLOOR)));
      }
    }
    if (total === 0) {
      for (let k = 0; k < K; k++) probs[i * K + k] = 0;
      continue;
    }
    decided[i] = 1;
    if (pooling === 'log') {
      // Weights normalized to sum 1: a geometric mean, as confident as one average model, not a product.
      const c = candidateCount(answers, i);
      for (let k = 0; k < K; k++) probs[i * K + k] = k < c ? (probs[i * K + k] as number) / total : 0;
      softmaxInPlace(probs, i * K, c);
    }
    else {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += probs[i * K + k] as number;
      for (let k = 0; k < K; k++) probs[i * K + k] = sum > 0 ? (probs[i * K + k] as number) / sum : 1 / K;
    }
  }
  return agreement ? breakTies(answers, { probs, decided }, agreement) : { probs, decided };
}

/** Each present model's weight and the probability it added to the fused label (its weighted share of that label). */
export function softContributions(answers: AnswerMatrix, i: number, weights: ArrayLike<number>, pooling: Pooling, agreement?: ArrayLike<number>): ModelContribution[] {
  const K = answers.labels.length;
  const M = answers.models.length;
  const one: AnswerMatrix = {
    labels: answers.labels,
    models: answers.models,
    itemIds: [answers.itemIds[i] as string],
    probs: answers.probs.subarray(i * M * K, (i + 1) * M * K),
    present: answers.present.subarray(i * M, (i + 1) * M),
  };
  // The same tie-break as predict, so the label explained is the label predicted.
  const fused = softVote(one, weights, pooling, agreement);
  let top = 0;
  for (let k = 1; k < K; k++) if ((fused.probs[k] as number) > (fused.probs[top] as number)) top = k;
  let total = 0;
  for (let j = 0; j < M; j++) if (one.present[j] === 1) total += Math.max(0, weights[j] as number);
  return answers.models.map((model, j) => {
    if (one.present[j] === 0) return { model, answer: null, weight: 0, influence: 0 };
    let best = 0;
    for (let k = 1; k < K; k++) if ((one.probs[j * K + k] as number) > (one.probs[j * K + best] as number)) best = k;
    const w = weights[j] as number;
    const p = one.probs[j * K + top] as number;
    const influence = total === 0 ? 0 : pooling === 'linear' ? (w * p) / total : (w * (Math.log(Math.max(p, LOG_POOL_FLOOR)) - Math.log(1 / K))) / total;
    return { model, answer: answers.labels[best] as string, weight: w, influence };
  });
}

const StateSchema = z.object({
  pooling: z.enum(['linear', 'log']),
  weights: z.record(z.string(), z.number().nonnegative()),
  /** Each model's agreement with the others on the fit's answers, for ties (absent in states saved before). */
  agreement: z.record(z.string(), z.number().min(0).max(1)).optional(),
});
type SoftVoteState = z.infer<typeof StateSchema>;

function fitted(name: string, state: SoftVoteState, labels: readonly string[]): FittedStrategy {
  const weightsFor = (a: AnswerMatrix) => a.models.map((m) => state.weights[m] ?? 1);
  return {
    name,
    predict(answers) {
      checkLabels(name, labels, answers);
      return softVote(answers, weightsFor(answers), state.pooling, agreementFor(answers, state.agreement));
    },
    state: () => state,
    explain: (answers, i) => softContributions(answers, i, weightsFor(answers), state.pooling, agreementFor(answers, state.agreement)),
  };
}

/** Soft vote with fixed options; it learns nothing, so gold is ignored. */
export function createSoftVote(options: SoftVoteOptions = {}): FusionStrategy {
  const pooling = options.pooling ?? 'linear';
  const name = pooling === 'linear' ? 'soft-vote' : 'soft-vote-log';
  const state: SoftVoteState = { pooling, weights: { ...(options.weights ?? {}) } };
  return {
    name,
    supervised: false,
    fit: (train) => fitted(name, { ...state, agreement: agreementByModel(train) }, train.labels),
    load: (s, labels) => fitted(name, parseState(name, StateSchema, s), labels),
  };
}

export const softVoteStrategy = createSoftVote({ pooling: 'linear' });
export const logSoftVoteStrategy = createSoftVote({ pooling: 'log' });
