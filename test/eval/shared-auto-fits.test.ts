import { afterEach, describe, expect, it, vi } from 'vitest';
import { fusedPrediction, selectStrategies } from '../../src/eval/evaluate.js';
import { autoStrategy } from '../../src/fuse/auto.js';
import { syntheticAnswers } from '../../src/fuse/synthetic-answers.js';

const { matrix, gold } = syntheticAnswers({ items: 150, models: 5, labels: 3, seed: 3, abstainRate: 0.05 });
const options = { folds: 3, seed: 2 };

afterEach(() => vi.restoreAllMocks());

describe('fusion eval with auto and adaptive', () => {
  it("fits auto once per outer fold for both, with the same predictions as fitting each on its own", () => {
    const alone = fusedPrediction(autoStrategy, matrix, gold, options).prediction;
    const fit = vi.spyOn(autoStrategy, 'fit');
    const { run } = selectStrategies(matrix, ['auto', 'adaptive']);
    const [auto, adaptive] = run.map((s) => fusedPrediction(s, matrix, gold, options));
    // Once per outer training fold; the policy's other fits of auto are its inner out-of-fold reference, on parts of a training fold.
    const outer = (auto?.folds ?? []).map((test) => new Set(matrix.itemIds.filter((_, i) => !test.includes(i))));
    const onOuter = fit.mock.calls.filter(([train]) => outer.some((ids) => ids.size === train.itemIds.length && train.itemIds.every((id) => ids.has(id))));
    expect(outer).toHaveLength(options.folds);
    expect(onOuter).toHaveLength(options.folds);
    expect(Array.from(auto?.prediction.probs ?? [])).toEqual(Array.from(alone.probs));
    // The policy's final stage is the very fit `auto` made on the same training folds.
    adaptive?.fitted.forEach((f, k) => expect((f.state() as { final: { state: unknown } }).final.state).toEqual(auto?.fitted[k]?.state()));
  });

  it('leaves a run without both as it is', () => {
    const { run } = selectStrategies(matrix, ['auto']);
    expect(run[0]).toBe(autoStrategy);
  });
});
