import type { FittedQaStrategy, QaStrategy } from '../types.js';

/**
 * The answer most supported by the other models: highest mean similarity to their answers
 * (1 for an equivalent answer, content-token F1 otherwise, samples of a model averaged first).
 * Suited to free-form answers where clusters are fragile; on choices and numbers it is a vote.
 * Ties go to the answer whose cluster has more members, then to the first answer.
 */
function fitted(): FittedQaStrategy {
    return {
      name: 'central',
      pick: (item) => {
        if (item.answers.length === 0) return null;
        let best = 0;
        for (let a = 1; a < item.answers.length; a++) {
          const d = (item.centrality[a] as number) - (item.centrality[best] as number);
          const size = (k: number): number => item.clusters[item.clusterOf[k] as number]?.members.length ?? 0;
          if (d > 1e-9 || (Math.abs(d) <= 1e-9 && size(a) > size(best))) best = a;
        }
        let total = 0;
        for (const c of item.centrality) total += c;
        return { cluster: item.clusterOf[best] as number, representative: best, support: total > 0 ? (item.centrality[best] as number) / total : 0 };
      },
      state: () => ({}),
    };
}

export const central: QaStrategy = {
  name: 'central',
  supervised: false,
  fit: () => fitted(),
  load: () => fitted(),
};
