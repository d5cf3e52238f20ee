import { describe, expect, it } from 'vitest';
import { createAdaptive } from '../../../src/fuse/adaptive/adaptive-strategy.js';
import { autoStrategy } from '../../../src/fuse/auto.js';
import { innerCvRows, innerFolds } from '../../../src/fuse/inner-cv.js';
import { innerOutOfFoldOf } from '../../../src/fuse/inner-out-of-fold.js';
import type { FusionStrategy } from '../../../src/fuse/strategy.js';
import { syntheticAnswers } from '../../../src/fuse/synthetic-answers.js';
import { weightedVoteStrategy } from '../../../src/fuse/weighted-vote.js';
import { decisions } from '../../../src/validation/metrics.js';

const { matrix, gold } = syntheticAnswers({ items: 180, models: 5, labels: 3, seed: 11, abstainRate: 0.05 });
const K = matrix.labels.length;

/** Counts the fits of a strategy and the items each was fitted on. */
function counting(inner: FusionStrategy, fits: number[]): FusionStrategy {
  return { ...inner, fit: (train, g, o) => (fits.push(train.itemIds.length), inner.fit(train, g, o)) };
}

describe("adaptive's reference: the final strategy's out-of-fold decisions on the training rows", () => {
  it('auto keeps the inner out-of-fold decisions of its mixture, on the rows and folds of its inner cross-validation', () => {
    const fitted = autoStrategy.fit(matrix, gold, { seed: 3 });
    const inner = innerOutOfFoldOf(fitted);
    expect(inner).not.toBeNull();
    const rows = innerCvRows(gold, 3);
    expect(inner?.rows).toEqual(rows);
    expect(inner?.folds).toEqual(innerFolds(Int32Array.from(rows, (i) => gold[i] as number), 3));
    // Out-of-fold, not the refitted mixture: on training rows it errs where the refitted mixture, which saw their labels, need not.
    const own = decisions(inner?.prediction.probs as Float64Array, inner?.prediction.decided as Uint8Array, K);
    expect(own.length).toBe(rows.length);
    expect(own.every((d) => d >= 0 && d < K)).toBe(true);
    // A loaded fit has none: only a fit in memory knows its inner predictions.
    expect(innerOutOfFoldOf(autoStrategy.load(fitted.state(), matrix.labels))).toBeNull();
  });

  it('fits auto once per policy (its kept decisions are the reference), where any other final strategy is cross-validated on the training rows', () => {
    const autoFits: number[] = [];
    createAdaptive({ final: counting(autoStrategy, autoFits) }).fit(matrix, gold, { seed: 1 });
    expect(autoFits).toEqual([matrix.itemIds.length]);
    const voteFits: number[] = [];
    createAdaptive({ final: counting(weightedVoteStrategy, voteFits) }).fit(matrix, gold, { seed: 1 });
    // The final fit on every training item, then one per inner fold.
    expect(voteFits.length).toBe(4);
    expect(voteFits[0]).toBe(matrix.itemIds.length);
    expect(voteFits.slice(1).every((n) => n < matrix.itemIds.length)).toBe(true);
  });
});
