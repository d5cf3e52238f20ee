import { describe, expect, it } from 'vitest';
import { crossValidateStrategy } from '../../src/fuse/cross-validate.js';
import { stratifiedKFold } from '../../src/validation/folds.js';
import { type AnswerMatrix, emptyMatrix, setAnswer } from '../../src/fuse/answer-matrix.js';
import type { FittedStrategy, FusionStrategy } from '../../src/fuse/strategy.js';

describe('stratifiedKFold', () => {
  const gold = Int32Array.from({ length: 103 }, (_, i) => (i % 10 < 7 ? 0 : i % 10 < 9 ? 1 : 2));

  it('partitions every index exactly once', () => {
    const folds = stratifiedKFold(gold, 5, 7);
    const all = folds.flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 103 }, (_, i) => i));
  });

  it('keeps class proportions and fold sizes within one item', () => {
    const folds = stratifiedKFold(gold, 5, 7);
    const sizes = folds.map((f) => f.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const cls of [0, 1, 2]) {
      const counts = folds.map((f) => f.filter((i) => gold[i] === cls).length);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
  });

  it('is reproducible with a seed and changes with another seed', () => {
    expect(stratifiedKFold(gold, 5, 7)).toEqual(stratifiedKFold(gold, 5, 7));
    expect(stratifiedKFold(gold, 5, 7)).not.toEqual(stratifiedKFold(gold, 5, 8));
  });

  it('refuses impossible fold counts', () => {
    expect(() => stratifiedKFold(gold, 1, 1)).toThrow(RangeError);
    expect(() => stratifiedKFold(Int32Array.from([0, 1]), 3, 1)).toThrow(RangeError);
  });
});

describe('crossValidateStrategy', () => {
  const N = 40;
  const labels = ['x', 'y'];
  const answers: AnswerMatrix = emptyMatrix(labels, ['m'], Array.from({ length: N }, (_, i) => `item-${i}`));
  for (let i = 0; i < N; i++) setAnswer(answers, i, 0, i % 2 ? [0, 1] : [1, 0]);
  const gold = Int32Array.from({ length: N }, (_, i) => i % 2);

  it('never trains on the items of the fold it predicts, and predicts every item once', () => {
    const trainedOn: string[][] = [];
    const predictedOn: string[][] = [];
    const spy: FusionStrategy = {
      name: 'spy',
      supervised: true,
      fit(train, trainGold): FittedStrategy {
        expect(trainGold.length).toBe(train.itemIds.length);
        trainedOn.push([...train.itemIds]);
        return {
          name: 'spy',
          state: () => ({}),
          predict(test) {
            predictedOn.push([...test.itemIds]);
            const K = test.labels.length;
            const probs = new Float64Array(test.itemIds.length * K);
            for (let r = 0; r < test.itemIds.length; r++) probs[r * K] = 1;
            return { probs, decided: new Uint8Array(test.itemIds.length).fill(1) };
          },
        };
      },
      load: () => {
        throw new Error('unused');
      },
    };
    const cv = crossValidateStrategy(spy, answers, gold, { folds: 4, seed: 3 });
    expect(trainedOn).toHaveLength(4);
    trainedOn.forEach((train, f) => {
      const test = new Set(predictedOn[f]);
      expect(train.some((id) => test.has(id))).toBe(false);
      expect(train.length + test.size).toBe(N);
    });
    expect(predictedOn.flat().sort()).toEqual([...answers.itemIds].sort());
    expect(cv.prediction.decided.every((d) => d === 1)).toBe(true);
  });

  it('hands each fold the gold labels of its training items only, aligned with them', () => {
    const seen: Array<[string, number]> = [];
    const recorder: FusionStrategy = {
      name: 'recorder',
      supervised: true,
      fit(train, trainGold) {
        train.itemIds.forEach((id, r) => seen.push([id, trainGold[r] as number]));
        return { name: 'recorder', state: () => ({}), predict: (t) => ({ probs: new Float64Array(t.itemIds.length * 2), decided: new Uint8Array(t.itemIds.length) }) };
      },
      load: () => {
        throw new Error('unused');
      },
    };
    crossValidateStrategy(recorder, answers, gold, { folds: 5, seed: 1 });
    for (const [id, g] of seen) expect(g).toBe(Number(id.split('-')[1]) % 2);
  });
});
