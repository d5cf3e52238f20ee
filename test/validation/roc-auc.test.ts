import { describe, expect, it } from 'vitest';
import { buildAnswerMatrix } from '../../src/eval/build-matrix.js';
import { softVote } from '../../src/fuse/soft-vote.js';
import { createClassificationNormalizer } from '../../src/normalize/classification.js';
import { loadEvalFolder } from '../../src/kinds/load-folder.js';
import { binaryAuc, isGraded, macroOvrAuc } from '../../src/validation/roc-auc.js';

/** The definition itself, independent of the rank computation: P(score+ > score-) + P(tie) / 2 over all pairs. */
function pairCountingAuc(scores: number[], positive: boolean[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((s, i) => {
    if (!positive[i]) return;
    scores.forEach((t, j) => {
      if (positive[j]) return;
      pairs++;
      wins += s > t ? 1 : s === t ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe('binaryAuc', () => {
  it('matches hand-worked cases', () => {
    // scikit-learn's documentation example: 3 of the 4 positive/negative pairs are ordered right.
    expect(binaryAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    // Ties count one half: positives 0.5 and 0.9 against negatives 0.5, 0.5 -> (0.5 + 0.5 + 1 + 1) / 4.
    expect(binaryAuc([0.5, 0.5, 0.5, 0.9], [0, 1, 0, 1])).toBeCloseTo(0.75, 12);
    expect(binaryAuc([1, 2, 3], [0, 1, 1])).toBe(1);
    expect(binaryAuc([3, 2, 1], [0, 1, 1])).toBe(0);
    expect(binaryAuc([0.3, 0.3, 0.3], [0, 1, 0])).toBe(0.5);
  });

  it('is NaN without positives or without negatives', () => {
    expect(binaryAuc([0.1, 0.2], [1, 1])).toBeNaN();
    expect(binaryAuc([0.1, 0.2], [0, 0])).toBeNaN();
  });

  it('equals the pair-counting definition on random scores with ties', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let trial = 0; trial < 20; trial++) {
      const scores = Array.from({ length: 60 }, () => Math.round(rnd() * 10) / 10);
      const positive = scores.map(() => rnd() < 0.4);
      if (!positive.some(Boolean) || positive.every(Boolean)) continue;
      expect(binaryAuc(scores, positive)).toBeCloseTo(pairCountingAuc(scores, positive), 12);
    }
  });
});

describe('macroOvrAuc', () => {
  it('averages the one-vs-rest AUCs of the classes present (hand-worked, 3 classes)', () => {
    // gold: 0, 1, 2, 0; rows of probabilities over the 3 classes.
    const probs = [0.7, 0.2, 0.1, 0.3, 0.4, 0.3, 0.2, 0.2, 0.6, 0.4, 0.5, 0.1];
    const gold = [0, 1, 2, 0];
    // class 0: positives 0.7, 0.4 vs negatives 0.3, 0.2 -> 1. class 1: positive 0.4 vs 0.2, 0.2, 0.5 -> 2/3.
    // class 2: positive 0.6 vs 0.1, 0.3, 0.1 -> 1. Mean 8/9.
    expect(macroOvrAuc(probs, 3, gold)).toBeCloseTo(8 / 9, 12);
    // Unlabelled items (gold -1) are skipped; a class without positives is left out of the mean.
    expect(macroOvrAuc([...probs, 0.9, 0.05, 0.05], 3, [...gold, -1])).toBeCloseTo(8 / 9, 12);
    expect(macroOvrAuc([0.8, 0.2, 0, 0.4, 0.6, 0, 0.3, 0.7, 0], 3, [0, 1, 1])).toBeCloseTo(1, 12);
  });

  it("agrees with scikit-learn's value on the bundled policy-topic-en set (soft-vote probabilities)", () => {
    // Reference: scikit-learn 1.2.1 (Debian python3-sklearn),
    // roc_auc_score(gold, probs, multi_class='ovr', average='macro', labels=range(21)) on the soft-vote
    // probabilities below (abstentions as uniform rows) over all 926 items: 0.9175324999993794.
    const folder = loadEvalFolder('evals/policy-topic-en', { requireResponses: true });
    if (folder.kind !== 'classification') throw new Error('expected a classification folder');
    const { matrix } = buildAnswerMatrix(folder, createClassificationNormalizer(folder.task));
    // The pooled distributions themselves: the strategy also breaks vote ties by nudging a winner by 1e-9, which reorders tied scores.
    const p = softVote(matrix, matrix.models.map(() => 1), 'linear');
    const K = matrix.labels.length;
    const probs = Float64Array.from(p.probs);
    p.decided.forEach((d, i) => d || probs.fill(1 / K, i * K, (i + 1) * K));
    expect(K).toBe(21);
    expect(macroOvrAuc(probs, K, folder.gold)).toBeCloseTo(0.9175324999993794, 10);
    // And the independent pair-counting definition on one class, as a second check.
    const rows = Array.from(folder.gold, (_, i) => i);
    const scores = rows.map((i) => probs[i * K + 3] as number);
    const positive = rows.map((i) => folder.gold[i] === 3);
    expect(binaryAuc(scores, positive)).toBeCloseTo(pairCountingAuc(scores, positive), 12);
  });
});

describe('isGraded', () => {
  it('tells graded distributions from one-hot answers', () => {
    expect(isGraded([1, 0, 0, 1], [1, 1], 2)).toBe(false);
    expect(isGraded([0.6, 0.4, 0, 1], [1, 1], 2)).toBe(true);
    expect(isGraded([0.6, 0.4, 0, 1], [0, 1], 2)).toBe(false);
  });
});
