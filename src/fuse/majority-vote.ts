import { type AnswerMatrix, blankPrediction, hardVote } from './answer-matrix.js';
import type { FittedStrategy, FusedPrediction, FusionStrategy, ModelContribution } from './strategy.js';

/**
 * Plurality of hard votes (each model's top label). The fused distribution is the vote
 * shares; ties are broken by task label order (the tied label listed first in task.json wins),
 * the same rule `argmax` applies everywhere, so the result never depends on model order.
 */
export function majorityVote(answers: AnswerMatrix): FusedPrediction {
  const { K, M, N, probs, decided } = blankPrediction(answers);
  for (let i = 0; i < N; i++) {
    let votes = 0;
    for (let j = 0; j < M; j++) {
      const k = hardVote(answers, i, j);
      if (k < 0) continue;
      probs[i * K + k] = (probs[i * K + k] as number) + 1;
      votes++;
    }
    if (votes === 0) continue;
    decided[i] = 1;
    for (let k = 0; k < K; k++) probs[i * K + k] = (probs[i * K + k] as number) / votes;
  }
  return { probs, decided };
}

const fitted: FittedStrategy = {
  name: 'majority-vote',
  predict: majorityVote,
  state: () => ({}),
  explain(answers, i): ModelContribution[] {
    const votes = answers.models.map((_, j) => hardVote(answers, i, j));
    const total = votes.filter((k) => k >= 0).length;
    return answers.models.map((model, j) => {
      const k = votes[j] as number;
      return {
        model,
        answer: k < 0 ? null : (answers.labels[k] as string),
        weight: k < 0 ? 0 : 1,
        influence: k < 0 || total === 0 ? 0 : 1 / total,
      };
    });
  },
};

export const majorityVoteStrategy: FusionStrategy = {
  name: 'majority-vote',
  supervised: false,
  fit: () => fitted,
  load: () => fitted,
};
