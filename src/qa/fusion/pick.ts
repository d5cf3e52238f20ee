import { mostCentralMember } from '../build-items.js';
import type { QaItemAnswers, QaPick } from '../types.js';

/**
 * The cluster with the highest score. Ties (within 1e-9) go to the cluster with more readable
 * answers, then to the cluster seen first in response order: deterministic for a given input.
 */
export function argmaxCluster(item: QaItemAnswers, scores: ArrayLike<number>): number {
  let best = -1;
  for (let c = 0; c < item.clusters.length; c++) {
    if (best < 0) {
      best = c;
      continue;
    }
    const d = (scores[c] as number) - (scores[best] as number);
    if (d > 1e-9 || (Math.abs(d) <= 1e-9 && (item.clusters[c]?.members.length ?? 0) > (item.clusters[best]?.members.length ?? 0))) best = c;
  }
  return best;
}

/** Share of the (non-negative) score mass on one cluster. */
export function supportOf(scores: ArrayLike<number>, c: number): number {
  let total = 0;
  for (let k = 0; k < scores.length; k++) total += Math.max(0, scores[k] as number);
  return total > 0 ? Math.max(0, scores[c] as number) / total : 0;
}

/** Picks the best-scored cluster and its most central member (model weights break centrality ties). */
export function pickByClusterScore(item: QaItemAnswers, scores: ArrayLike<number>, modelWeight?: ArrayLike<number>): QaPick | null {
  if (item.clusters.length === 0) return null;
  const cluster = argmaxCluster(item, scores);
  return { cluster, representative: mostCentralMember(item, cluster, modelWeight), support: supportOf(scores, cluster) };
}

/** Sum over models of weight[m] * share of model m on each cluster. */
export function weightedShares(item: QaItemAnswers, weight: ArrayLike<number>): Float64Array {
  const C = item.clusters.length;
  const M = item.answered.length;
  const scores = new Float64Array(C);
  for (let m = 0; m < M; m++) {
    if (!item.answered[m]) continue;
    const w = weight[m] ?? 0;
    for (let c = 0; c < C; c++) scores[c] = (scores[c] as number) + w * (item.share[m * C + c] as number);
  }
  return scores;
}
