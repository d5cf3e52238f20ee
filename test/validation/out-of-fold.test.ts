import { describe, expect, it } from 'vitest';
import { groupedKFold } from '../../src/validation/folds.js';
import { makeFolds, outOfFold } from '../../src/validation/out-of-fold.js';

describe('the one out-of-fold helper', () => {
  it('grouped folds never split a group, and partition every item once', () => {
    const groups = Array.from({ length: 60 }, (_, i) => (i % 7 === 0 ? null : `story-${i % 11}`));
    const folds = groupedKFold(groups, 4, 3);
    expect(folds.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    const foldOf = new Map<string, number>();
    folds.forEach((test, f) =>
      test.forEach((i) => {
        const g = groups[i];
        if (g === null || g === undefined) return;
        if (foldOf.has(g)) expect(foldOf.get(g)).toBe(f);
        foldOf.set(g, f);
      }),
    );
    expect(makeFolds(60, 4, 3, { groups })).toEqual(folds);
  });

  it('puts each fold prediction back on its rows, any record of typed arrays, never training on the test rows', () => {
    const n = 10;
    const folds = makeFolds(n, 3, 1);
    const r = outOfFold(
      n,
      folds,
      (train) => new Set(train),
      (seen, test) => {
        for (const i of test) expect(seen.has(i)).toBe(false);
        return { score: Float64Array.from(test, (i) => i * 10), pair: Float64Array.from(test.flatMap((i) => [i, -i])) };
      },
    );
    expect(Array.from(r.prediction.score)).toEqual(Array.from({ length: n }, (_, i) => i * 10));
    expect(Array.from(r.prediction.pair.subarray(6, 8))).toEqual([3, -3]);
    expect(r.fitted).toHaveLength(3);
  });

  it('leaves the rows of a fold it may skip at the fill value', () => {
    const folds = [[0, 1], [2, 3]];
    const r = outOfFold(
      4,
      folds,
      (train, f) => {
        if (f === 0) throw new Error('no labels');
        return train;
      },
      (_t, test) => ({ score: Float64Array.from(test, () => 1) }),
      { skip: () => true, fill: { score: Number.NaN }, shape: { score: new Float64Array(4) } },
    );
    expect(Array.from(r.prediction.score)).toEqual([Number.NaN, Number.NaN, 1, 1]);
  });
});
