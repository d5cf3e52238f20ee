import { z } from 'zod';
import { type AnswerMatrix, argmax, candidateCount, hardVote, isRight } from './answer-matrix.js';
import { checkLabels } from './model-alignment.js';
import { requireLabelledRows, type FittedStrategy, type FusedPrediction, type FusionStrategy, type ModelContribution } from './strategy.js';
import { parseState, requireLength } from './strategy-state.js';
import { rightAccuracy } from './inner-cv.js';
import { hardVotes, softmaxInPlace } from './votes.js';

const NAME = 'weighted-vote';

/**
 * Pseudo-answers at the pooled accuracy added to every model's record: a model seen on few
 * labelled items gets a weight close to the average one instead of an extreme one.
 */
export const ACCURACY_PRIOR_STRENGTH = 10;
/** Weights never reach zero so that, when all voters are useless, the plurality still decides. */
const MIN_WEIGHT = 1e-3;

/**
 * Weight of a model that is right with probability `acc` and otherwise picks one of the K-1
 * wrong labels uniformly: the log-likelihood ratio its vote adds to the label it names. Worse
 * than chance models get the floor, not a negative weight, because their errors carry no
 * reliable signal for any particular other label.
 */
export function logOddsWeight(acc: number, K: number): number {
  const a = Math.min(Math.max(acc, 1e-4), 1 - 1e-4);
  return Math.max(MIN_WEIGHT, Math.log((a * (K - 1)) / (1 - a)));
}

/** Accuracy of each model on the labelled items it answered, shrunk toward the pooled accuracy. */
export function shrunkAccuracies(votes: Int32Array, M: number, gold: Int32Array, right?: Uint8Array, K = 0): { acc: number[]; pooled: number } {
  const correct = new Float64Array(M);
  const answered = new Float64Array(M);
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i] as number;
    if (g < 0) continue;
    for (let j = 0; j < M; j++) {
      const v = votes[i * M + j] as number;
      if (v < 0) continue;
      answered[j] = (answered[j] as number) + 1;
      if (isRight(gold, right, K, i, v)) correct[j] = (correct[j] as number) + 1;
    }
  }
  let c = 0;
  let a = 0;
  for (let j = 0; j < M; j++) {
    c += correct[j] as number;
    a += answered[j] as number;
  }
  const pooled = a > 0 ? c / a : 0.5;
  const acc = Array.from({ length: M }, (_, j) => ((correct[j] as number) + ACCURACY_PRIOR_STRENGTH * pooled) / ((answered[j] as number) + ACCURACY_PRIOR_STRENGTH));
  return { acc, pooled };
}

interface WeightedVoteState {
  models: string[];
  weights: number[];
  /** Weight of a model the fit never saw: that of a model with the pooled accuracy. */
  defaultWeight: number;
}

const StateSchema = z.object({
  models: z.array(z.string()),
  weights: z.array(z.number().nonnegative()),
  defaultWeight: z.number().nonnegative(),
});

/** Weighted plurality: label scores are the summed weights of the models naming them, turned into a distribution by softmax. */
export function weightedVote(answers: AnswerMatrix, weightOf: (j: number) => number): FusedPrediction {
  const K = answers.labels.length;
  const M = answers.models.length;
  const N = answers.itemIds.length;
  const votes = hardVotes(answers);
  const w = Float64Array.from({ length: M }, (_, j) => weightOf(j));
  const probs = new Float64Array(N * K);
  const decided = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    let any = false;
    for (let j = 0; j < M; j++) {
      const v = votes[i * M + j] as number;
      if (v < 0) continue;
      any = true;
      probs[i * K + v] = (probs[i * K + v] as number) + (w[j] as number);
    }
    if (!any) continue;
    decided[i] = 1;
    softmaxInPlace(probs, i * K, candidateCount(answers, i));
  }
  return { probs, decided };
}

function fitted(state: WeightedVoteState, labels: readonly string[]): FittedStrategy {
  const byName = new Map(state.models.map((m, f) => [m, state.weights[f] as number]));
  const weightsFor = (answers: AnswerMatrix) => answers.models.map((m) => byName.get(m) ?? state.defaultWeight);
  return {
    name: NAME,
    predict(answers) {
      checkLabels(NAME, labels, answers);
      const w = weightsFor(answers);
      return weightedVote(answers, (j) => w[j] as number);
    },
    state: () => state,
    modelTrust: () => Object.fromEntries(state.models.map((m, f) => [m, state.weights[f] as number])),
    explain(answers, i): ModelContribution[] {
      const w = weightsFor(answers);
      return voteContributions(answers, i, w);
    },
  };
}

/** Each model's vote and weight on item i; influence is its share of the weight behind the winning label. */
export function voteContributions(answers: AnswerMatrix, i: number, w: readonly number[]): ModelContribution[] {
  const K = answers.labels.length;
  const votes = answers.models.map((_, j) => hardVote(answers, i, j));
  const score = new Float64Array(K);
  let total = 0;
  votes.forEach((v, j) => {
    if (v < 0) return;
    score[v] = (score[v] as number) + (w[j] as number);
    total += w[j] as number;
  });
  const top = argmax(score, 0, K);
  return answers.models.map((model, j) => {
    const v = votes[j] as number;
    const wj = v < 0 ? 0 : (w[j] as number);
    return { model, answer: v < 0 ? null : (answers.labels[v] as string), weight: wj, influence: v === top && total > 0 ? wj / total : 0 };
  });
}

/**
 * The number of answers a wrong model spreads over. On a classification label set, the label count.
 * For QA answers (they carry centrality), the effective count learned from the training items: if
 * the wrong answers of two models coincide with probability q, they behave as if spread uniformly
 * over K - 1 = 1/q wrong answers; real errors pile up on attractive distractors, so K is usually far
 * below the number of options, and the largest K would flatten the weights towards a plain vote.
 */
export function answerSpace(train: AnswerMatrix, gold: Int32Array, votes: Int32Array, right?: Uint8Array): number {
  if (!train.centrality) return train.labels.length;
  const K = train.labels.length;
  const M = train.models.length;
  let pairs = 0;
  let same = 0;
  let cap = 0;
  let n = 0;
  const wrong = new Map<number, number>();
  for (let i = 0; i < gold.length; i++) {
    if ((gold[i] as number) < 0) continue;
    cap += candidateCount(train, i);
    n++;
    wrong.clear();
    let w = 0;
    for (let j = 0; j < M; j++) {
      const v = votes[i * M + j] as number;
      if (v < 0 || isRight(gold, right, K, i, v)) continue;
      wrong.set(v, (wrong.get(v) ?? 0) + 1);
      w++;
    }
    pairs += (w * (w - 1)) / 2;
    for (const c of wrong.values()) same += (c * (c - 1)) / 2;
  }
  const q = (same + 1) / (pairs + 2);
  const limit = train.candidates ? Math.max(2, n === 0 ? 2 : cap / n) : K;
  return Math.max(2, Math.min(limit, 1 + 1 / q));
}

export const weightedVoteStrategy: FusionStrategy = {
  name: NAME,
  supervised: true,
  fit(train, gold, { right }) {
    requireLabelledRows(NAME, gold);
    const M = train.models.length;
    const votes = hardVotes(train);
    const { acc, pooled } = shrunkAccuracies(votes, M, gold, right, train.labels.length);
    const stateFor = (K: number): WeightedVoteState => ({ models: [...train.models], weights: acc.map((a) => logOddsWeight(a, K)), defaultWeight: logOddsWeight(pooled, K) });
    const estimate = answerSpace(train, gold, votes, right);
    if (!train.centrality) return fitted(stateFor(estimate), train.labels);
    // QA: the estimate and a small grid of answer spaces, the one with the best training accuracy
    // (one number fitted on hundreds of items barely overfits; ties to the smaller K).
    const grid = [...new Set([2, 3, 4, 6, 10, estimate].filter((k) => train.candidates !== undefined || k <= train.labels.length))].sort((a, b) => a - b);
    let best = stateFor(grid[0] as number);
    let bestAcc = -1;
    for (const K of grid) {
      const s = stateFor(K);
      const a = rightAccuracy(gold, weightedVote(train, (j) => s.weights[j] as number), train.labels.length, right);
      if (a > bestAcc + 1e-12) {
        best = s;
        bestAcc = a;
      }
    }
    return fitted(best, train.labels);
  },
  load(state, labels) {
    const s = parseState(NAME, StateSchema, state);
    requireLength(NAME, 'weights', s.weights.length, s.models.length);
    return fitted(s, labels);
  },
};
