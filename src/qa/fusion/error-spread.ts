import type { AnswerCorrectness, QaItemAnswers } from '../types.js';

/**
 * The effective number of answers K for a one-coin vote, learned on training items: if wrong
 * answers of two different models coincide with probability q, they behave as if spread uniformly
 * over K - 1 = 1/q wrong answers. Real errors pile up on attractive distractors, so K is usually far
 * below the number of choices (which would flatten the reliability weights towards a plain vote).
 * Returns at least 2, at most `cap` when the answer space is closed (0 = no cap).
 */
export function effectiveAnswerSpace(train: readonly QaItemAnswers[], correct: readonly AnswerCorrectness[], cap: number): number {
  let pairs = 0;
  let same = 0;
  train.forEach((item, i) => {
    const corr = correct[i] ?? [];
    // One wrong cluster per model (its first wrong answer), models that answered right left out.
    const wrongCluster = new Map<number, number>();
    item.answers.forEach((a, k) => {
      if (corr[k] === false && !wrongCluster.has(a.model)) wrongCluster.set(a.model, item.clusterOf[k] as number);
    });
    const counts = new Map<number, number>();
    for (const c of wrongCluster.values()) counts.set(c, (counts.get(c) ?? 0) + 1);
    const n = wrongCluster.size;
    pairs += (n * (n - 1)) / 2;
    for (const k of counts.values()) same += (k * (k - 1)) / 2;
  });
  const q = (same + 1) / (pairs + 2);
  const K = 1 + 1 / q;
  return Math.max(2, cap > 0 ? Math.min(cap, K) : K);
}
