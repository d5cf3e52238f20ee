import { type AnswerMatrix, emptyMatrix, setAnswer } from '../../src/fuse/answer-matrix.js';
import { decisions } from '../../src/validation/metrics.js';
import type { FusedPrediction } from '../../src/fuse/strategy.js';

/** A matrix from hard votes: votes[i][j] is a label index, or null for an abstention. */
export function fromVotes(labels: string[], models: string[], votes: (number | null)[][]): AnswerMatrix {
  const m = emptyMatrix(labels, models, votes.map((_, i) => `item-${i}`));
  votes.forEach((row, i) =>
    row.forEach((v, j) => {
      if (v === null) return;
      const d = new Float64Array(labels.length);
      d[v] = 1;
      setAnswer(m, i, j, d);
    }),
  );
  return m;
}

export function decided(pred: FusedPrediction, K: number): number[] {
  return Array.from(decisions(pred.probs, pred.decided, K));
}
