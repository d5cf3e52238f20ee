import { type AnswerMatrix, expandSamples } from '../answer-matrix.js';
import type { FittedStrategy } from '../strategy.js';

/**
 * Which answers a fitted strategy uses on these items: for an adaptive policy the ones it asks
 * for (its replay), for any other strategy every recorded answer. asked[i*C + c] = 1 when call c
 * (a model, or one sample of a model: the columns of `expandSamples(answers)`) was used.
 */
export function answersUsed(fitted: FittedStrategy, answers: AnswerMatrix): Uint8Array {
  const f = fitted as FittedStrategy & { replay?: (a: AnswerMatrix) => { asked: Uint8Array } };
  if (typeof f.replay === 'function') return f.replay(answers).asked;
  return Uint8Array.from(expandSamples(answers).present);
}

/**
 * Mean USD per item of the calls in `asked` (N*M), given each model's price per call; null as soon
 * as a model without a price was asked (an unknown cost is not a zero cost).
 */
export function meanCallCost(asked: Uint8Array, M: number, pricePerCall: readonly (number | null)[]): number | null {
  const N = asked.length / Math.max(1, M);
  let total = 0;
  for (let c = 0; c < asked.length; c++) {
    if (asked[c] === 0) continue;
    const p = pricePerCall[c % M];
    if (p === null || p === undefined) return null;
    total += p;
  }
  return N > 0 ? total / N : 0;
}

/** Each call's price (the columns of `expandSamples(answers)`), from its model's price per call. */
export function callPrices(answers: AnswerMatrix, pricePerCall: readonly (number | null)[]): { C: number; prices: (number | null)[] } {
  const s = answers.samples;
  if (!s) return { C: answers.models.length, prices: [...pricePerCall] };
  return { C: s.model.length, prices: Array.from(s.model, (j) => pricePerCall[j] ?? null) };
}

/**
 * Reads a mask over the calls of `answers` (the columns of `expandSamples(answers)`, as
 * `answersUsed` returns it) by item, model and sample: whether that call was made.
 */
export function callWasMade(answers: AnswerMatrix, asked: Uint8Array): (item: number) => (model: number, sample: number) => boolean {
  const s = answers.samples;
  const C = s ? s.model.length : answers.models.length;
  const column = new Map<string, number>();
  if (s) for (let c = 0; c < C; c++) column.set(`${s.model[c]}:${s.sample[c]}`, c);
  return (i) => (model, sample) => {
    const c = s ? column.get(`${model}:${sample}`) : sample === 0 ? model : undefined;
    return c !== undefined && asked[i * C + c] === 1;
  };
}

/** Mean number of answers used per item. */
export function meanCalls(asked: Uint8Array, N: number): number {
  let total = 0;
  for (let c = 0; c < asked.length; c++) total += asked[c] as number;
  return N > 0 ? total / N : 0;
}

/** Calls and cost a fitted strategy spends on one test fold: summed over its items (cost null when unknown). */
export function foldUsage(fitted: FittedStrategy, answers: AnswerMatrix, pricePerCall: readonly (number | null)[]): { calls: number; cost: number | null } {
  const asked = answersUsed(fitted, answers);
  const N = answers.itemIds.length;
  const { C, prices } = callPrices(answers, pricePerCall);
  const cost = meanCallCost(asked, C, prices);
  return { calls: meanCalls(asked, N) * N, cost: cost === null ? null : cost * N };
}
