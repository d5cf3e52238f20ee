import type { AnswerCorrectness, QaItemAnswers } from '../types.js';

export interface ModelRecord {
  /** Sum over training items of the share of the model's answers that were correct. */
  correct: number;
  /** Training items with known correctness on which the model answered. */
  answered: number;
  /** Training items with known correctness (answered or not). */
  seen: number;
}

/**
 * Per-model track record on training items: the share of its answers that were correct, per item
 * (several samples of a model make one record, not several).
 */
export function modelRecords(train: readonly QaItemAnswers[], correct: readonly AnswerCorrectness[], M: number): ModelRecord[] {
  const rec: ModelRecord[] = Array.from({ length: M }, () => ({ correct: 0, answered: 0, seen: 0 }));
  const hits = new Float64Array(M);
  const count = new Float64Array(M);
  train.forEach((item, i) => {
    const corr = correct[i] ?? [];
    if (!corr.some((x) => x !== null)) return;
    hits.fill(0);
    count.fill(0);
    item.answers.forEach((a, k) => {
      const c = corr[k];
      if (c === null || c === undefined) return;
      hits[a.model] = (hits[a.model] ?? 0) + (c ? 1 : 0);
      count[a.model] = (count[a.model] ?? 0) + 1;
    });
    for (let m = 0; m < M; m++) {
      const r = rec[m] as ModelRecord;
      r.seen++;
      if ((count[m] ?? 0) > 0) {
        r.answered++;
        r.correct += (hits[m] as number) / (count[m] as number);
      }
    }
  });
  return rec;
}

/** Accuracy when answering, Laplace-smoothed so that an unseen model sits at 1/2. */
export function smoothedAccuracy(r: ModelRecord): number {
  return (r.correct + 1) / (r.answered + 2);
}
