import type { AnswerMatrix } from '../answer-matrix.js';
import { StrategyError } from '../strategy.js';
import { hardVotes } from '../votes.js';
import { logOddsWeight, shrunkAccuracies } from '../weighted-vote.js';

/**
 * The order in which to ask the models, learned from training items labelled by `gold` (the true
 * labels, or the decisions of the fusion whose decision the policy wants to reach): greedily, the model
 * whose vote most raises the accuracy of the weighted vote of the models already chosen (so a
 * model that only repeats the leaders comes late), per dollar when prices are known. The first
 * pick is therefore the most accurate model per dollar. Ties go to the more accurate model.
 *
 * `pricePerCall[j]` is model j's expected USD per call, or null when unknown. The order is per
 * dollar only when every model has a price: with one unknown the cost per item is unknown too, and
 * guessing the missing prices would put cheap weak models first for no measurable saving.
 */
export function learnOrder(train: AnswerMatrix, gold: Int32Array, pricePerCall?: readonly (number | null)[]): number[] {
  const M = train.models.length;
  const N = train.itemIds.length;
  const K = train.labels.length;
  const votes = hardVotes(train);
  const { acc } = shrunkAccuracies(votes, M, gold);
  const w = acc.map((a) => logOddsWeight(a, K));
  const price = relativePrices(M, pricePerCall);
  const labelled: number[] = [];
  for (let i = 0; i < N; i++) if ((gold[i] as number) >= 0) labelled.push(i);
  const scores = new Float64Array(labelled.length * K);
  const order: number[] = [];
  const used = new Uint8Array(M);
  let current = 0;
  while (order.length < M) {
    let best = -1;
    let bestValue = -Infinity;
    for (let j = 0; j < M; j++) {
      if (used[j]) continue;
      // Correct items of the weighted vote with model j added (ties count half).
      let correct = 0;
      labelled.forEach((i, r) => {
        const v = votes[i * M + j] as number;
        correct += correctShare(scores, r * K, K, gold[i] as number, v, w[j] as number);
      });
      const gain = (correct - current) / Math.max(1, labelled.length);
      // Gain per dollar; accuracy breaks ties (e.g. when every remaining model adds nothing).
      const value = gain / (price[j] as number) + 1e-6 * (acc[j] as number);
      if (value > bestValue) {
        bestValue = value;
        best = j;
      }
    }
    used[best] = 1;
    order.push(best);
    current = 0;
    labelled.forEach((i, r) => {
      const v = votes[i * M + best] as number;
      if (v >= 0) scores[r * K + v] = (scores[r * K + v] as number) + (w[best] as number);
      current += correctShare(scores, r * K, K, gold[i] as number, -1, 0);
    });
  }
  return samplesAscending(order, train.models);
}

/**
 * The same order with each model's columns (its samples, see `expandSamples`) in ascending column
 * order at the places the model holds: a model's samples are exchangeable, and live they are asked
 * as sample 0, 1, 2... Without repeated names, `order` itself.
 */
export function samplesAscending(order: readonly number[], models: readonly string[]): number[] {
  const byName = new Map<string, number[]>();
  for (const j of order) byName.set(models[j] as string, [...(byName.get(models[j] as string) ?? []), j]);
  for (const cols of byName.values()) cols.sort((a, b) => a - b);
  const next = new Map<string, number>();
  return order.map((j) => {
    const name = models[j] as string;
    const n = next.get(name) ?? 0;
    next.set(name, n + 1);
    return (byName.get(name) as number[])[n] as number;
  });
}

/** 1 when gold leads the scores (plus a vote `v` of weight `wv`) alone, 1/n when tied with n-1 others, 0 otherwise. */
function correctShare(scores: Float64Array, offset: number, K: number, gold: number, v: number, wv: number): number {
  let max = -Infinity;
  let ties = 0;
  let goldScore = 0;
  for (let k = 0; k < K; k++) {
    const s = (scores[offset + k] as number) + (k === v ? wv : 0);
    if (k === gold) goldScore = s;
    if (s > max) {
      max = s;
      ties = 1;
    } else if (s === max) ties++;
  }
  return goldScore === max && max > 0 ? 1 / ties : 0;
}

/** Prices scaled to a mean of 1, free models a small positive price; all 1 unless every model has a price. */
function relativePrices(M: number, pricePerCall?: readonly (number | null)[]): number[] {
  const known = (pricePerCall ?? []).filter((p): p is number => p !== null && p !== undefined);
  if (known.length < M) return new Array<number>(M).fill(1);
  const mean = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : 0;
  return Array.from({ length: M }, (_, j) => {
    const p = pricePerCall?.[j];
    if (p === null || p === undefined || mean === 0) return 1;
    return Math.max(p / mean, 0.01);
  });
}

/**
 * An order given by the user as model names; the models it leaves out are asked after, in matrix
 * order. A name that repeats (samples of one model, see `expandSamples`) stands for that model's
 * next column each time: its n-th mention is its n-th sample.
 */
export function givenOrder(models: readonly string[], names: readonly string[]): number[] {
  const seen = new Set<number>();
  const order: number[] = [];
  for (const name of names) {
    if (!models.includes(name)) throw new StrategyError(`adaptive: order names model "${name}", not among the answers' models (${models.join(', ')})`);
    const j = models.findIndex((m, c) => m === name && !seen.has(c));
    if (j < 0) continue;
    order.push(j);
    seen.add(j);
  }
  models.forEach((_, j) => {
    if (!seen.has(j)) order.push(j);
  });
  return order;
}
