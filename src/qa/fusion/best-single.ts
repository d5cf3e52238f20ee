import type { FittedQaStrategy, QaStrategy } from '../types.js';
import { majorityVote } from './majority-vote.js';
import { pickByClusterScore } from './pick.js';
import { modelRecords } from './reliability.js';

/**
 * Trusts the model with the best record on training items (accuracy over all training items, an
 * abstention counting as wrong; ties to the first model). Where it abstains, the plain vote decides.
 * Fusion must beat this to be worth its cost, so `auto` keeps it as a candidate.
 */
export const bestSingle: QaStrategy = {
  name: 'best-single',
  supervised: true,
  fit(train, correct, options): FittedQaStrategy {
    const rec = modelRecords(train, correct, options.models.length);
    let best = 0;
    rec.forEach((r, m) => {
      const score = r.seen > 0 ? r.correct / r.seen : 0;
      const top = rec[best];
      if (top && score > (top.seen > 0 ? top.correct / top.seen : 0) + 1e-12) best = m;
    });
    const fallback = majorityVote.fit(train, correct, options);
    return {
      name: 'best-single',
      pick: (item) => {
        if (!item.answered[best]) return fallback.pick(item);
        const C = item.clusters.length;
        const scores = item.share.subarray(best * C, (best + 1) * C);
        const weight = new Float64Array(options.models.length);
        weight[best] = 1;
        const p = pickByClusterScore(item, scores, weight);
        if (!p) return null;
        // Stand for the cluster with the chosen model's own answer.
        const own = item.clusters[p.cluster]?.members.find((a) => item.answers[a]?.model === best);
        return own === undefined ? p : { ...p, representative: own };
      },
      state: () => ({ model: options.models[best] ?? null }),
    };
  },
};
