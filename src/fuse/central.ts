import { type AnswerMatrix, candidateCount } from './answer-matrix.js';
import { majorityVote, type VoteState, VoteStateSchema } from './majority-vote.js';
import { parseState } from './strategy-state.js';
import { agreementByModel, agreementFor, breakTies } from './tie-break.js';
import { voteContributions } from './weighted-vote.js';
import type { FittedStrategy, FusedPrediction, FusionStrategy } from './strategy.js';

const NAME = 'central';

/**
 * The candidate the other models' answers resemble most: the highest `centrality` (mean soft
 * similarity of the other models' answers to its best-placed answer, samples of a model averaged
 * first). Suited to free-form answers, where equivalent answers may land in different clusters;
 * on choices and numbers it is a vote. Ties go to the candidate with more votes, then as the vote
 * breaks them (`breakTies`). Answers without centrality (classification) fall back to the majority vote.
 */
export function central(answers: AnswerMatrix, agreement: ArrayLike<number> = agreementFor(answers, undefined)): FusedPrediction {
  const { centrality } = answers;
  if (!centrality) return majorityVote(answers, agreement);
  const votes = majorityVote(answers, agreement);
  const K = answers.labels.length;
  const N = answers.itemIds.length;
  const probs = new Float64Array(N * K);
  for (let i = 0; i < N; i++) {
    if (votes.decided[i] === 0) continue;
    const c = candidateCount(answers, i);
    let total = 0;
    for (let k = 0; k < c; k++) total += centrality[i * K + k] as number;
    // A distribution proportional to centrality; the vote share breaks ties at a far smaller scale.
    let sum = 0;
    for (let k = 0; k < c; k++) {
      const v = (total > 0 ? (centrality[i * K + k] as number) / total : 0) + 1e-6 * (votes.probs[i * K + k] as number);
      probs[i * K + k] = v;
      sum += v;
    }
    for (let k = 0; k < c; k++) probs[i * K + k] = sum > 0 ? (probs[i * K + k] as number) / sum : 1 / c;
  }
  return breakTies(answers, { probs, decided: votes.decided }, agreement);
}

function fitted(state: VoteState): FittedStrategy {
  return {
    name: NAME,
    predict: (answers) => central(answers, agreementFor(answers, state.agreement)),
    state: () => state,
    // Every answering model is one voice in the similarity it lends a candidate.
    explain: (answers, i) => voteContributions(answers, i, answers.models.map(() => 1)),
  };
}

export const centralStrategy: FusionStrategy = {
  name: NAME,
  supervised: false,
  fit: (train) => fitted({ agreement: agreementByModel(train) }),
  load: (state) => fitted(parseState(NAME, VoteStateSchema, state ?? {})),
};
