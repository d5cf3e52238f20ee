import { z } from 'zod';
import { type AnswerMatrix, blankPrediction, hardVote } from './answer-matrix.js';
import type { FittedStrategy, FusedPrediction, FusionStrategy, ModelContribution } from './strategy.js';
import { parseState } from './strategy-state.js';
import { agreementByModel, agreementFor, breakTies } from './tie-break.js';

const NAME = 'majority-vote';

/**
 * Plurality of hard votes (each model's top label). The fused distribution is the vote shares;
 * a tie goes to the label named by the voter that agrees most with the others (`breakTies`, the
 * one rule of every vote-like strategy, for both task kinds), so it never depends on label or
 * model order. `agreement` per model of `answers` (voterAgreement); measured on `answers` when omitted.
 */
export function majorityVote(answers: AnswerMatrix, agreement?: ArrayLike<number>): FusedPrediction {
  return breakTies(answers, voteShares(answers), agreement ?? agreementFor(answers, undefined));
}

/** Each item's share of the models' hard votes per label (one vote per model); undecided where none voted. */
export function voteShares(answers: AnswerMatrix): FusedPrediction {
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

/** What a fitted vote keeps: each model's agreement with the others on the fit's answers (no labels), for its ties. */
export const VoteStateSchema = z.object({ agreement: z.record(z.string(), z.number().min(0).max(1)).optional() });
export type VoteState = z.infer<typeof VoteStateSchema>;

function fitted(state: VoteState): FittedStrategy {
  return {
    name: NAME,
    predict: (answers) => majorityVote(answers, agreementFor(answers, state.agreement)),
    state: () => state,
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
}

export const majorityVoteStrategy: FusionStrategy = {
  name: NAME,
  supervised: false,
  // Learns no label: only how often each model agrees with the others, to break ties.
  fit: (train) => fitted({ agreement: agreementByModel(train) }),
  // A state saved before ties were broken this way ({}) measures the agreement on the answers it fuses.
  load: (state) => fitted(parseState(NAME, VoteStateSchema, state ?? {})),
};
