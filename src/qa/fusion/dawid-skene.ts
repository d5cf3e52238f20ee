import { z } from 'zod';
import { type FittedQaStrategy, type QaItemAnswers, QaStateError, type QaStrategy } from '../types.js';
import { effectiveAnswerSpace } from './error-spread.js';
import { pickByClusterScore, weightedShares } from './pick.js';
import { loadModelNumbers, saveModelNumbers } from './state.js';

const ITERATIONS = 50;
const MIN_ACC = 0.01;
const MAX_ACC = 0.99;

/**
 * Size of the answer space assumed by the one-coin model: the number of choices when closed, else
 * the observed clusters plus one (the truth may be an answer nobody gave).
 */
function spaceSize(item: QaItemAnswers, closedK?: number): number {
  return Math.max(2, item.answerSpace > 0 ? (closedK ?? item.answerSpace) : item.clusters.length + 1);
}

/** log a_m and log(1 - a_m), computed once per set of accuracies. */
export function logAccuracies(accuracy: ArrayLike<number>): { right: Float64Array; wrong: Float64Array } {
  return { right: Float64Array.from(accuracy, (a) => Math.log(a)), wrong: Float64Array.from(accuracy, (a) => Math.log(1 - a)) };
}

/** Posterior over the item's clusters given per-model accuracies (one-coin Dawid-Skene). */
export function clusterPosterior(item: QaItemAnswers, logs: { right: Float64Array; wrong: Float64Array }, closedK?: number): Float64Array {
  const C = item.clusters.length;
  const spread = Math.log(spaceSize(item, closedK) - 1);
  const logp = new Float64Array(C);
  for (let m = 0; m < item.answered.length; m++) {
    if (!item.answered[m]) continue;
    const right = logs.right[m] as number;
    const wrong = (logs.wrong[m] as number) - spread;
    for (let c = 0; c < C; c++) {
      const s = item.share[m * C + c] as number;
      logp[c] = (logp[c] as number) + s * right + (1 - s) * wrong;
    }
  }
  let max = -Infinity;
  for (const v of logp) max = Math.max(max, v);
  let z = 0;
  for (let c = 0; c < C; c++) {
    logp[c] = Math.exp((logp[c] as number) - max);
    z += logp[c] as number;
  }
  for (let c = 0; c < C; c++) logp[c] = (logp[c] as number) / z;
  return logp;
}

/**
 * Estimates each model's accuracy without any label (EM over the clusters of the training items,
 * one-coin Dawid-Skene: a model is right with probability a_m and otherwise picks one of the other
 * K-1 answers uniformly). Starts from the plain vote. Best where the answer space is closed
 * (multiple choice); on open answers K is the observed clusters plus one.
 */
export function estimateAccuracies(items: readonly QaItemAnswers[], M: number): { accuracy: Float64Array; closedK: number | undefined } {
  const acc = new Float64Array(M).fill(0.7);
  const cap = items.find((it) => it.answerSpace > 0)?.answerSpace ?? 0;
  let closedK: number | undefined;
  const ones = new Float64Array(M).fill(1);
  let posts: Float64Array[] = items.map((item) => {
    const s = weightedShares(item, ones);
    let z = 0;
    for (const v of s) z += v;
    return s.map((v) => (z > 0 ? v / z : 0));
  });
  for (let it = 0; it < ITERATIONS; it++) {
    const before = Float64Array.from(acc);
    const hit = new Float64Array(M);
    const n = new Float64Array(M);
    items.forEach((item, i) => {
      const post = posts[i] as Float64Array;
      const C = item.clusters.length;
      for (let m = 0; m < M; m++) {
        if (!item.answered[m]) continue;
        let h = 0;
        for (let c = 0; c < C; c++) h += (post[c] as number) * (item.share[m * C + c] as number);
        hit[m] = (hit[m] as number) + h;
        n[m] = (n[m] as number) + 1;
      }
    });
    for (let m = 0; m < M; m++) acc[m] = Math.min(MAX_ACC, Math.max(MIN_ACC, ((hit[m] as number) + 1) / ((n[m] as number) + 2)));
    if (cap > 0) {
      // Errors pile up on attractive distractors: estimate the effective number of choices from how
      // often answers outside the currently most probable cluster coincide (no labels involved).
      const pseudo = items.map((item, i) => {
        const post = posts[i] as Float64Array;
        let top = 0;
        for (let c = 1; c < post.length; c++) if ((post[c] as number) > (post[top] as number)) top = c;
        return item.answers.map((_, a) => item.clusterOf[a] === top);
      });
      closedK = effectiveAnswerSpace(items, pseudo, cap);
    }
    const logs = logAccuracies(acc);
    posts = items.map((item) => clusterPosterior(item, logs, closedK));
    let change = 0;
    for (let m = 0; m < M; m++) change = Math.max(change, Math.abs((acc[m] as number) - (before[m] as number)));
    if (change < 1e-6) break;
  }
  return { accuracy: acc, closedK };
}

function fitted(models: readonly string[], accuracy: Float64Array, closedK: number | undefined): FittedQaStrategy {
  const logs = logAccuracies(accuracy);
  return {
    name: 'dawid-skene',
    pick: (item) => pickByClusterScore(item, clusterPosterior(item, logs, closedK), accuracy),
    state: () => ({ ...saveModelNumbers(models, accuracy), ...(closedK === undefined ? {} : { answerSpace: closedK }) }),
  };
}

export const dawidSkene: QaStrategy = {
  name: 'dawid-skene',
  supervised: false,
  fit: (train, _correct, { models }) => {
    const { accuracy, closedK } = estimateAccuracies(train, models.length);
    return fitted(models, accuracy, closedK);
  },
  load: (state, models) => {
    const parsed = z.object({ answerSpace: z.number().min(2).optional() }).safeParse(state);
    if (!parsed.success) throw new QaStateError('dawid-skene: malformed answerSpace');
    return fitted(models, loadModelNumbers('dawid-skene', state, models, 0.5), parsed.data.answerSpace);
  },
};
