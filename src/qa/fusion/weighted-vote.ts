import { z } from 'zod';
import { type FittedQaStrategy, QaStateError, type QaStrategy } from '../types.js';
import { effectiveAnswerSpace } from './error-spread.js';
import { pickAccuracy } from './pick-accuracy.js';
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

function fitted(models: readonly string[], accuracy: Float64Array, K: number): FittedQaStrategy {
  const w = logOddsWeights(accuracy, K);
  return {
    name: 'weighted-vote',
    pick: (item) => pickByClusterScore(item, weightedShares(item, w), w),
    state: () => ({ ...saveModelNumbers(models, accuracy), answerSpace: K }),
  };
}

/**
 * Vote weighted by each model's log-odds reliability, learned on training items (Laplace-smoothed
 * accuracy), with the effective answer space K learned from how often wrong answers coincide.
 */
export const weightedVote: QaStrategy = {
  name: 'weighted-vote',
  supervised: true,
  fit: (train, correct, { models }) => {
    const accuracy = Float64Array.from(modelRecords(train, correct, models.length), smoothedAccuracy);
    const cap = train.find((it) => it.answerSpace > 0)?.answerSpace ?? 0;
    // K: the grid point (and the coincidence estimate) with the best training accuracy; one number
    // fitted on hundreds of items barely overfits. Ties go to the earlier (smaller) K.
    const grid = [...new Set([2, 3, 4, 6, 10, effectiveAnswerSpace(train, correct, cap)].filter((k) => cap === 0 || k <= cap))].sort((a, b) => a - b);
    let best = fitted(models, accuracy, grid[0] ?? 2);
    let bestAcc = pickAccuracy(train, correct, best);
    for (const K of grid.slice(1)) {
      const f = fitted(models, accuracy, K);
      const acc = pickAccuracy(train, correct, f);
      if (acc > bestAcc + 1e-12) {
        best = f;
        bestAcc = acc;
      }
    }
    return best;
  },
  load: (state, models) => {
    const parsed = z.object({ answerSpace: z.number().min(2) }).safeParse(state);
    if (!parsed.success) throw new QaStateError('weighted-vote: malformed state (expected answerSpace >= 2)');
    return fitted(models, loadModelNumbers('weighted-vote', state, models, 0.5), parsed.data.answerSpace);
  },
};
