import { z } from 'zod';
import { QaStateError, type FittedQaStrategy, type QaStrategy } from '../types.js';
import { majorityVote } from './majority-vote.js';
import { pickByClusterScore } from './pick.js';
import { modelRecords } from './reliability.js';

function fitted(models: readonly string[], best: number): FittedQaStrategy {
  const fallback = majorityVote.load({}, models);
  return {
    name: 'best-single',
    pick: (item) => {
      if (best < 0 || !item.answered[best]) return fallback.pick(item);
      const C = item.clusters.length;
      const weight = new Float64Array(models.length);
      weight[best] = 1;
      const p = pickByClusterScore(item, item.share.subarray(best * C, (best + 1) * C), weight);
      if (!p) return null;
      // The cluster is stated in the chosen model's own words.
      const own = item.clusters[p.cluster]?.members.find((a) => item.answers[a]?.model === best);
      return own === undefined ? p : { ...p, representative: own };
    },
    state: () => ({ model: models[best] ?? null }),
  };
}

/**
 * Trusts the model with the best record on training items (accuracy over all training items, an
 * abstention counting as wrong; ties to the first model). Where it abstains, the plain vote decides.
 * Fusion must beat this to be worth its cost, so `auto` keeps it as a candidate.
 */
export const bestSingle: QaStrategy = {
  name: 'best-single',
  supervised: true,
  fit(train, correct, { models }) {
    const rec = modelRecords(train, correct, models.length);
    const score = rec.map((r) => (r.seen > 0 ? r.correct / r.seen : 0));
    let best = 0;
    score.forEach((s, m) => {
      if (s > (score[best] as number) + 1e-12) best = m;
    });
    return fitted(models, best);
  },
  load(state, models) {
    const parsed = z.object({ model: z.string().nullable() }).safeParse(state);
    if (!parsed.success) throw new QaStateError('best-single: malformed state (expected {model})');
    // A best model absent from the given models leaves the decision to the plain vote.
    return fitted(models, parsed.data.model === null ? -1 : models.indexOf(parsed.data.model));
  },
};
