/**
 * ROC-AUC as the Mann-Whitney statistic: the probability that a random positive item scores
 * higher than a random negative one, ties counting one half. Computed from average ranks, so
 * O(n log n) and exact with ties (it equals the area under the trapezoidal ROC curve, as
 * scikit-learn's roc_auc_score computes it).
 */
export function binaryAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let rankSumPos = 0;
  let pos = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && scores[order[end + 1] as number] === scores[order[start] as number]) end++;
    // Ranks are 1-based; a run of ties shares the mean of its ranks.
    const meanRank = (start + end) / 2 + 1;
    for (let r = start; r <= end; r++) {
      if (positive[order[r] as number]) {
        rankSumPos += meanRank;
        pos++;
      }
    }
    start = end + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * One-vs-rest macro ROC-AUC over K classes: the mean, over the classes that have both positive and
 * negative items among the gold labels, of the AUC of that class's probability. `probs` is N x K row
 * major; items with gold -1 are skipped. NaN when no class qualifies.
 */
export function macroOvrAuc(probs: ArrayLike<number>, K: number, gold: ArrayLike<number>): number {
  const rows: number[] = [];
  for (let i = 0; i < gold.length; i++) if ((gold[i] as number) >= 0) rows.push(i);
  let sum = 0;
  let count = 0;
  for (let k = 0; k < K; k++) {
    const scores = rows.map((i) => probs[i * K + k] as number);
    const positive = rows.map((i) => gold[i] === k);
    const auc = binaryAuc(scores, positive);
    if (Number.isNaN(auc)) continue;
    sum += auc;
    count++;
  }
  return count === 0 ? Number.NaN : sum / count;
}

/**
 * True when some decided item has a top probability strictly between 0 and 1: the predictor ranks
 * items, so an AUC says more than its accuracy does. Hard (one-hot) answers give no such ranking.
 */
export function isGraded(probs: ArrayLike<number>, decided: ArrayLike<number>, K: number): boolean {
  for (let i = 0; i < decided.length; i++) {
    if (!decided[i]) continue;
    for (let k = 0; k < K; k++) {
      const p = probs[i * K + k] as number;
      if (p > 1e-9 && p < 1 - 1e-9) return true;
    }
  }
  return false;
}
