import type { FittedQaStrategy, QaItemAnswers, QaStrategy } from '../types.js';
import { pickByClusterScore, weightedShares } from './pick.js';
import { modelRecords, smoothedAccuracy } from './reliability.js';
import { loadModelNumbers, saveModelNumbers } from './state.js';

/**
 * Log-odds reliability weights (optimal when models err independently, Nitzan & Paroush 1982):
 * w = log(p (K-1) / (1-p)). Negative weights are clipped to 0: a model worse than chance is
 * ignored, not voted against.
 */
export function logOddsWeights(accuracy: ArrayLike<number>, K: number): Float64Array {
  return Float64Array.from(accuracy, (p) => Math.max(0, Math.log((p * Math.max(1, K - 1)) / (1 - p))));
}

function fitted(models: readonly string[], accuracy: Float64Array): FittedQaStrategy {
  const cache = new Map<number, Float64Array>();
  // K is the number of choices for multiple choice and 2 for open answers: wrong open answers
  // pile up on a few popular mistakes rather than spreading over many.
  const weightsFor = (item: QaItemAnswers): Float64Array => {
    const K = item.answerSpace > 0 ? item.answerSpace : 2;
    let w = cache.get(K);
    if (!w) {
      w = logOddsWeights(accuracy, K);
      cache.set(K, w);
    }
    return w;
  };
  return {
    name: 'weighted-vote',
    pick: (item) => {
      const w = weightsFor(item);
      return pickByClusterScore(item, weightedShares(item, w), w);
    },
    state: () => saveModelNumbers(models, accuracy),
  };
}

/** Vote weighted by each model's log-odds reliability, learned on training items (Laplace-smoothed accuracy). */
export const weightedVote: QaStrategy = {
  name: 'weighted-vote',
  supervised: true,
  fit: (train, correct, { models }) => fitted(models, Float64Array.from(modelRecords(train, correct, models.length), smoothedAccuracy)),
  load: (state, models) => fitted(models, loadModelNumbers('weighted-vote', state, models, 0.5)),
};
