import type { AnswerMatrix } from '../answer-matrix.js';
import { givenOrder } from './order.js';

/**
 * A call the policy never makes: the `sample`-th call (counted from 0, in the order a model's
 * calls are made and its sample columns stand) of `model`.
 */
export interface SkippedCall {
  model: string;
  sample: number;
}

/**
 * The calls (columns of an expanded matrix: a model, or one sample of a model) that gave no
 * readable answer on any of its items. On the items a policy is fitted on, such a column is absent
 * everywhere: every fusion fitted there sees it as absent (a vote counts no abstention, a stacker's
 * features for it are constant), so leaving it unasked changes no fitted decision on those items,
 * by construction, and asking it can only cost. Empty when every column would be skipped (a policy
 * must ask something; with nothing readable at all it has learnt nothing to drop).
 */
export function neverReadColumns(answers: AnswerMatrix): number[] {
  const M = answers.models.length;
  const N = answers.itemIds.length;
  const read = new Uint8Array(M);
  for (let i = 0; i < N; i++) for (let j = 0; j < M; j++) if (answers.present[i * M + j] === 1) read[j] = 1;
  const never = Array.from({ length: M }, (_, j) => j).filter((j) => read[j] === 0);
  return never.length === M ? [] : never;
}

/** Each column's rank among the columns of its model name: its `sample` in a SkippedCall. */
function ranks(models: readonly string[]): number[] {
  const seen = new Map<string, number>();
  return models.map((m) => {
    const n = seen.get(m) ?? 0;
    seen.set(m, n + 1);
    return n;
  });
}

/** The columns `cols` of `models` as saved calls. */
export function skippedCalls(models: readonly string[], cols: readonly number[]): SkippedCall[] {
  const rank = ranks(models);
  return cols.map((j) => ({ model: models[j] as string, sample: rank[j] as number }));
}

/**
 * A saved policy's columns on a matrix with columns `models` (samples of a model repeat its name):
 * the calls it skips, and its asking order over the others. `order` names the asked calls as
 * `givenOrder` reads them (the n-th mention of a model is its n-th call not skipped); columns
 * neither asked nor skipped (a model the policy never saw) are asked last.
 */
export function policyColumns(models: readonly string[], order: readonly string[], skipped: readonly SkippedCall[]): { order: number[]; skipped: number[] } {
  const rank = ranks(models);
  const skip = new Set(skipped.map((s) => `${s.sample}\u0000${s.model}`));
  const skippedCols: number[] = [];
  const askable: number[] = [];
  models.forEach((m, j) => (skip.has(`${rank[j] as number}\u0000${m}`) ? skippedCols : askable).push(j));
  if (skippedCols.length === 0) return { order: givenOrder(models, order.filter((m) => models.includes(m))), skipped: [] };
  const names = askable.map((j) => models[j] as string);
  const within = givenOrder(names, order.filter((m) => names.includes(m)));
  return { order: within.map((k) => askable[k] as number), skipped: skippedCols };
}

/** `answers` with the columns `cols` absent on every item (what a policy that never asks them sees). */
export function blankColumns(answers: AnswerMatrix, cols: readonly number[]): AnswerMatrix {
  if (cols.length === 0) return answers;
  const M = answers.models.length;
  const K = answers.labels.length;
  const N = answers.itemIds.length;
  const probs = Float64Array.from(answers.probs);
  const present = Uint8Array.from(answers.present);
  for (let i = 0; i < N; i++) {
    for (const j of cols) {
      present[i * M + j] = 0;
      probs.fill(0, (i * M + j) * K, (i * M + j + 1) * K);
    }
  }
  return { ...answers, probs, present };
}
