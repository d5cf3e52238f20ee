import type { AnswerCorrectness, FittedQaStrategy, QaItemAnswers } from '../types.js';

/** Share of items whose fused answer is right, over items with known correctness; undecided items count as wrong. */
export function pickAccuracy(items: readonly QaItemAnswers[], correct: readonly AnswerCorrectness[], fitted: FittedQaStrategy): number {
  let hit = 0;
  let n = 0;
  items.forEach((item, i) => {
    const corr = correct[i] ?? [];
    if (!corr.some((c) => c !== null)) return;
    n++;
    const p = fitted.pick(item);
    if (p && corr[p.representative] === true) hit++;
  });
  return n === 0 ? 0 : hit / n;
}

