import { type AnswerMatrix, candidateCount } from './answer-matrix.js';
import type { FusedPrediction } from './strategy.js';
import { hardVotes } from './votes.js';

/**
 * How far below the top a label may be and still count as tied with it: vote shares differ by at
 * least 1/M, so anything closer is a tie (or rounding of one).
 */
export const TIE_TOLERANCE = 1e-12;
/** Mass moved onto the winner of a tie, so that every later argmax agrees with the tie-break. */
export const TIE_NUDGE = 1e-9;

/**
 * Each model's agreement with the others, learned without labels: over the items it answered
 * alongside at least one other model, the mean share of the other answering models whose top
 * answer equals its own (0 for a model that never answered with company). A voter that agrees more
 * with the crowd is, under the usual independent-errors assumption, the more accurate one.
 */
export function voterAgreement(answers: AnswerMatrix): Float64Array {
  const M = answers.models.length;
  const N = answers.itemIds.length;
  const votes = hardVotes(answers);
  const sum = new Float64Array(M);
  const seen = new Float64Array(M);
  const count = new Map<number, number>();
  for (let i = 0; i < N; i++) {
    count.clear();
    let total = 0;
    for (let j = 0; j < M; j++) {
      const v = votes[i * M + j] as number;
      if (v < 0) continue;
      count.set(v, (count.get(v) ?? 0) + 1);
      total++;
    }
    if (total < 2) continue;
    for (let j = 0; j < M; j++) {
      const v = votes[i * M + j] as number;
      if (v < 0) continue;
      sum[j] = (sum[j] as number) + ((count.get(v) as number) - 1) / (total - 1);
      seen[j] = (seen[j] as number) + 1;
    }
  }
  return sum.map((s, j) => ((seen[j] as number) > 0 ? s / (seen[j] as number) : 0));
}

/** Agreement by model name, from a fit: what a saved vote carries so that one question alone breaks ties the same way. */
export function agreementByModel(answers: AnswerMatrix): Record<string, number> {
  const a = voterAgreement(answers);
  return Object.fromEntries(answers.models.map((m, j) => [m, a[j] as number]));
}

/**
 * The agreement of `answers`' models from a fitted record (models it never saw count 0), or, with
 * no record (a state saved before ties were broken this way), measured on `answers` themselves.
 */
export function agreementFor(answers: AnswerMatrix, record: Readonly<Record<string, number>> | undefined): Float64Array {
  if (!record) return voterAgreement(answers);
  return Float64Array.from(answers.models, (m) => record[m] ?? 0);
}

/**
 * Breaks the ties of a vote-like prediction in place, the same way for every task kind: among the
 * labels tied at the top of item i, the one named (as its top answer) by the voter that agrees most
 * with the others wins (`agreement[j]`, see voterAgreement); a further tie, or tied labels no voter
 * named, keep the first. The winner gains TIE_NUDGE of mass (then the row is renormalized), far
 * below any real difference of vote shares, so the distribution is unchanged for every other use.
 */
export function breakTies(answers: AnswerMatrix, prediction: FusedPrediction, agreement: ArrayLike<number>): FusedPrediction {
  const K = answers.labels.length;
  const M = answers.models.length;
  const N = answers.itemIds.length;
  const { probs, decided } = prediction;
  let votes: Int32Array | null = null;
  for (let i = 0; i < N; i++) {
    if (decided[i] === 0) continue;
    const c = candidateCount(answers, i);
    let top = -Infinity;
    for (let k = 0; k < c; k++) top = Math.max(top, probs[i * K + k] as number);
    let tied = 0;
    for (let k = 0; k < c; k++) if ((probs[i * K + k] as number) >= top - TIE_TOLERANCE) tied++;
    if (tied < 2) continue;
    votes ??= hardVotes(answers);
    let winner = -1;
    let best = -Infinity;
    for (let k = 0; k < c; k++) {
      if ((probs[i * K + k] as number) < top - TIE_TOLERANCE) continue;
      let strongest = -Infinity;
      for (let j = 0; j < M; j++) if (votes[i * M + j] === k) strongest = Math.max(strongest, agreement[j] as number);
      if (winner < 0 || strongest > best + TIE_TOLERANCE) {
        winner = k;
        best = strongest;
      }
    }
    probs[i * K + winner] = top + TIE_NUDGE;
    let sum = 0;
    for (let k = 0; k < c; k++) sum += probs[i * K + k] as number;
    for (let k = 0; k < c; k++) probs[i * K + k] = (probs[i * K + k] as number) / sum;
  }
  return prediction;
}
