import type { FittedQaStrategy, QaStrategy } from '../types.js';
import { pickByClusterScore, weightedShares } from './pick.js';

function fitted(models: readonly string[]): FittedQaStrategy {
  const ones = new Float64Array(models.length).fill(1);
  return { name: 'majority-vote', pick: (item) => pickByClusterScore(item, weightedShares(item, ones)), state: () => ({}) };
}

/**
 * Plurality over answer clusters, one vote per model (a model's samples split its vote by their
 * shares). Ties: more readable answers, then the cluster seen first in response order.
 */
export const majorityVote: QaStrategy = {
  name: 'majority-vote',
  supervised: false,
  fit: (_train, _correct, { models }) => fitted(models),
  load: (_state, models) => fitted(models),
};
