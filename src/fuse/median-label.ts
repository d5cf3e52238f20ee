import { z } from 'zod';
import { type AnswerMatrix, hardVote } from './answer-matrix.js';
import { voteShares } from './majority-vote.js';
import { medianDecision, requireOrderedLabels } from './ordered-labels.js';
import type { FittedStrategy, FusedPrediction, FusionStrategy, ModelContribution } from './strategy.js';
import { parseState } from './strategy-state.js';

const NAME = 'median-label';

/**
 * On an ordered task, each item's median of the models' answers (label ranks, one vote per model):
 * one model a step too high and another a step too low cancel out, where a plurality vote could
 * follow either. Refuses a task without ordered labels (StrategyError).
 */
export function medianLabel(answers: AnswerMatrix): FusedPrediction {
  requireOrderedLabels(NAME, answers);
  return medianDecision(voteShares(answers), answers.labels.length);
}

function fitted(): FittedStrategy {
  return {
    name: NAME,
    predict: medianLabel,
    state: () => ({}),
    explain(answers, i): ModelContribution[] {
      const votes = answers.models.map((_, j) => hardVote(answers, i, j));
      const total = votes.filter((k) => k >= 0).length;
      return answers.models.map((model, j) => {
        const k = votes[j] as number;
        return { model, answer: k < 0 ? null : (answers.labels[k] as string), weight: k < 0 ? 0 : 1, influence: k < 0 || total === 0 ? 0 : 1 / total };
      });
    },
  };
}

export const medianLabelStrategy: FusionStrategy = {
  name: NAME,
  supervised: false,
  needsSharedLabels: true,
  needsOrderedLabels: true,
  fit: (train) => {
    requireOrderedLabels(NAME, train);
    return fitted();
  },
  load: (state) => {
    parseState(NAME, z.object({}), state ?? {});
    return fitted();
  },
};
