import { describe, expect, it } from 'vitest';
import { selectItems } from '../../src/fuse/answer-matrix.js';
import { autoStrategy } from '../../src/fuse/auto.js';
import { calibrated, fitTemperatures } from '../../src/fuse/calibration.js';
import { fitLogistic, predictLogistic, selectRows as selectSparse, type SparseRows } from '../../src/fuse/logistic-regression.js';
import { softVoteStrategy } from '../../src/fuse/soft-vote.js';
import { createStacking, crossValidateConfigs, featurize, fitConfig, layoutFor, STACKING_GRID, stackingStrategy } from '../../src/fuse/stacking.js';
import type { FusionStrategy } from '../../src/fuse/strategy.js';
import { syntheticAnswers } from '../../src/fuse/synthetic-answers.js';
import { bestModelStrategy } from '../../src/fuse/best-model.js';
import { selectGold, stratifiedKFold, trainIndices } from '../../src/validation/folds.js';
import { decided, fromVotes } from './helpers.js';

const L = ['a', 'b', 'c'];

function dense(rows: number[][]): SparseRows {
  const start = new Int32Array(rows.length + 1);
  const index: number[] = [];
  const value: number[] = [];
  rows.forEach((r, i) => {
    r.forEach((v, f) => {
      if (v !== 0) {
        index.push(f);
        value.push(v);
      }
    });
    start[i + 1] = index.length;
  });
  return { rows: rows.length, dim: rows[0]?.length ?? 0, start, index: Int32Array.from(index), value: Float64Array.from(value) };
}

describe('logistic regression', () => {
  it('reaches the optimum: the gradient of the penalized loss vanishes', () => {
    const X = dense([[1, 0], [0, 1], [1, 1], [0, 0], [1, 0], [0, 1]]);
    const y = Int32Array.from([0, 1, 2, 0, 0, 1]);
    const l2 = 0.1;
    const m = fitLogistic(X, y, 3, { l2, tolerance: 1e-14, maxIterations: 1000 });
    // Numerical gradient of the objective at the solution, coefficient by coefficient.
    const objective = (coef: Float64Array): number => {
      const p = predictLogistic({ ...m, coef }, X);
      let loss = 0;
      for (let r = 0; r < 6; r++) loss -= Math.log(p[r * 3 + (y[r] as number)] as number);
      let pen = 0;
      for (const c of coef) pen += c * c;
      return loss / 6 + 0.5 * l2 * pen;
    };
    for (let c = 0; c < m.coef.length; c++) {
      const up = Float64Array.from(m.coef);
      const down = Float64Array.from(m.coef);
      up[c] = (up[c] as number) + 1e-5;
      down[c] = (down[c] as number) - 1e-5;
      expect(Math.abs((objective(up) - objective(down)) / 2e-5)).toBeLessThan(1e-5);
    }
  });

  it('keeps a class absent from training finite and unlikely', () => {
    const X = dense([[1], [0], [1], [0]]);
    const m = fitLogistic(X, Int32Array.from([0, 1, 0, 1]), 3, { l2: 0.01 });
    const p = predictLogistic(m, X);
    for (const v of p) expect(Number.isFinite(v)).toBe(true);
    expect(p[2]).toBeLessThan(0.05);
  });
});

describe('stacking', () => {
  // "flip" always names the label after the true one: useless to a vote, perfect to a stacker.
  const rows: (number | null)[][] = [];
  const gold: number[] = [];
  for (let i = 0; i < 90; i++) {
    const t = i % 3;
    gold.push(t);
    rows.push([(t + 1) % 3, i % 4 === 0 ? null : (t + (i % 2)) % 3, i % 3 === 1 ? 0 : 2]);
  }
  const m = fromVotes(L, ['flip', 'noisy', 'constant'], rows);
  const g = Int32Array.from(gold);

  it('learns that a systematically wrong model is informative, and handles its abstentions', () => {
    const f = stackingStrategy.fit(m, g, { seed: 1 });
    const test = fromVotes(L, ['flip', 'noisy', 'constant'], [[1, null, 2], [2, 2, 2], [0, 1, null]]);
    expect(decided(f.predict(test), 3)).toEqual([0, 1, 2]);
    expect(typeof (f.state() as { config: { C: number } }).config.C).toBe('number');
  });

  it('maps models by name: reordered columns give the same prediction; unknown and missing ones do not crash', () => {
    const f = stackingStrategy.fit(m, g, { seed: 1 });
    const a = fromVotes(L, ['flip', 'noisy', 'constant'], [[1, 0, 2]]);
    const b = fromVotes(L, ['constant', 'stranger', 'flip', 'noisy'], [[2, 1, 1, 0]]);
    expect(Array.from(f.predict(b).probs)).toEqual(Array.from(f.predict(a).probs));
    const onlyNew = fromVotes(L, ['stranger'], [[1]]);
    expect(Array.from(f.predict(onlyNew).decided)).toEqual([0]);
    const missing = fromVotes(L, ['flip'], [[2]]);
    expect(decided(f.predict(missing), 3)).toEqual([1]);
  });

  it('predicts a label never seen in training only when evidence is overwhelming (and never crashes)', () => {
    const two = fromVotes(L, ['x', 'y'], [[0, 0], [1, 1], [0, 0], [1, 1], [0, 1], [1, 0]]);
    const f = createStacking({ configs: [{ C: 1, classWeighting: 'balanced' }] }).fit(two, Int32Array.from([0, 1, 0, 1, 0, 1]), { seed: 1 });
    const p = f.predict(fromVotes(L, ['x', 'y'], [[2, 2], [0, 0]]));
    for (const v of p.probs) expect(Number.isFinite(v)).toBe(true);
    expect(decided(p, 3)[1]).toBe(0);
  });

  it('explains a decision by each model\'s logit contribution', () => {
    const f = stackingStrategy.fit(m, g, { seed: 1 });
    const e = f.explain?.(fromVotes(L, ['flip', 'noisy', 'constant'], [[1, null, 2]]), 0) ?? [];
    expect(e.map((c) => c.answer)).toEqual(['b', null, 'c']);
    expect(e[0]?.influence).toBeGreaterThan(0);
  });
});

describe('calibration', () => {
  it('fits a temperature per model that matches its accuracy on one-hot answers', () => {
    // "good" right 9 times in 10, "coin" right half the time on a binary task.
    const rows: (number | null)[][] = [];
    const gold: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t = i % 2;
      gold.push(t);
      rows.push([i % 10 === 0 ? 1 - t : t, i % 4 < 2 ? t : 1 - t]);
    }
    const m = fromVotes(['a', 'b'], ['good', 'coin'], rows);
    const [tGood, tCoin] = fitTemperatures(m, Int32Array.from(gold));
    // Tempered confidence 1 / (1 + floor^(1/T)) should be the accuracy: 0.9 for good, ~0.5 (T large) for coin.
    expect(1 / (1 + Math.pow(1e-4, 1 / (tGood as number)))).toBeCloseTo(0.9, 3);
    expect(tCoin).toBeGreaterThan(50);
    const f = calibrated(softVoteStrategy).fit(m, Int32Array.from(gold), { seed: 1 });
    // The good model now outweighs the coin-flipper when they disagree.
    expect(decided(f.predict(fromVotes(['a', 'b'], ['good', 'coin'], [[1, 0], [0, 1]])), 2)).toEqual([1, 0]);
  });
});

describe('supervised strategies never see test-fold labels', () => {
  const { matrix, gold } = syntheticAnswers({ items: 240, models: 6, labels: 3, seed: 21, abstainRate: 0.1 });
  const folds = stratifiedKFold(gold, 4, 1);
  const test = folds[0] as number[];
  const train = trainIndices(240, test);

  const cases: FusionStrategy[] = [stackingStrategy, autoStrategy, calibrated(stackingStrategy), bestModelStrategy];
  for (const s of cases) {
    it(`${s.name}: poisoning the held-out rows' labels changes nothing, poisoning training labels does`, () => {
      const run = (labels: Int32Array) => s.fit(selectItems(matrix, train), selectGold(labels, train), { seed: 3 }).predict(selectItems(matrix, test));
      const clean = run(gold);
      const poisonedTest = Int32Array.from(gold);
      for (const i of test) poisonedTest[i] = ((gold[i] as number) + 1) % 3;
      // Fitting once on everything with the poisoned labels first must not leave anything behind either.
      s.fit(matrix, poisonedTest, { seed: 3 });
      expect(Array.from(run(poisonedTest).probs)).toEqual(Array.from(clean.probs));
      const poisonedTrain = Int32Array.from(gold);
      for (const i of train) poisonedTrain[i] = ((gold[i] as number) + 1) % 3;
      expect(Array.from(run(poisonedTrain).probs)).not.toEqual(Array.from(clean.probs));
    });
  }

  it('auto reports its mixture, the inner scores and weights of all candidates, and restores to the same predictions', () => {
    const f = autoStrategy.fit(selectItems(matrix, train), selectGold(gold, train), { seed: 3 });
    const s = f.state() as { picked: string; innerScores: Record<string, number>; weights: Record<string, number>; components: { name: string; weight: number }[] };
    expect(Object.keys(s.innerScores)).toEqual(expect.arrayContaining(['majority-vote', 'dawid-skene', 'weighted-vote', 'stacking(C=1,none)']));
    expect(Object.keys(s.weights).sort()).toEqual(Object.keys(s.innerScores).sort());
    expect(Object.values(s.weights).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(s.components.reduce((a, c) => a + c.weight, 0)).toBeCloseTo(1, 12);
    for (const c of s.components) expect(s.weights[c.name]).toBeGreaterThanOrEqual(0.01 * 0.99);
    expect(s.picked.split('+').map((p) => p.split('*')[0])).toEqual(s.components.map((c) => c.name));
    const restored = autoStrategy.load(JSON.parse(JSON.stringify(s)), matrix.labels);
    expect(Array.from(restored.predict(selectItems(matrix, test)).probs)).toEqual(Array.from(f.predict(selectItems(matrix, test)).probs));
  });

  it('auto gives all the weight to a stacker when only a stacker can read the models', () => {
    // "flip" names the label after the true one, "constant" always says a: votes are useless, stacking is perfect.
    const rows: (number | null)[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 120; i++) {
      y.push(i % 3);
      rows.push([((i % 3) + 1) % 3, 0]);
    }
    const f = autoStrategy.fit(fromVotes(L, ['flip', 'constant'], rows), Int32Array.from(y), { seed: 1 });
    const s = f.state() as { components: { name: string }[] };
    expect(s.components.every((c) => c.name.startsWith('stacking('))).toBe(true);
    expect(decided(f.predict(fromVotes(L, ['flip', 'constant'], [[1, 0], [2, 0], [0, 0]])), 3)).toEqual([0, 1, 2]);
  });
});

describe('stacking feature layout', () => {
  it('gives soft features only to models whose distributions say more than their top label', async () => {
    const { emptyMatrix, setAnswer } = await import('../../src/fuse/answer-matrix.js');
    const { layoutFor } = await import('../../src/fuse/stacking.js');
    const m = emptyMatrix(['a', 'b'], ['onehot', 'tempered', 'graded'], ['i0', 'i1', 'i2']);
    const rows: [number[], number[], number[]][] = [
      [[1, 0], [0.8, 0.2], [0.9, 0.1]],
      [[0, 1], [0.2, 0.8], [0.3, 0.7]],
      [[1, 0], [0.8, 0.2], [0.6, 0.4]],
    ];
    rows.forEach((r, i) => r.forEach((d, j) => setAnswer(m, i, j, d)));
    expect(layoutFor(m, true).soft).toEqual([false, false, true]);
  });
});

describe('stacking inner cross-validation', () => {
  it('predicts the inner folds of every config with the fit it would use, not one started from the previous C', () => {
    // Many models with uneven confusions and skewed priors: a weak penalty lets each model's error
    // pattern carry weight the strong penalties shrink away, so the C settings differ and a fit that
    // stops near the previous C's solution shows.
    const K = 4;
    const { matrix, gold } = syntheticAnswers({ items: 300, models: 7, labels: K, seed: 11, skewedPriors: true, abstainRate: 0.1 });
    const { X } = featurize(matrix, layoutFor(matrix, true, true));
    const folds = stratifiedKFold(gold, 3, 1);
    const probs = crossValidateConfigs(X, gold, K, folds, STACKING_GRID);
    let largest = 0;
    STACKING_GRID.forEach((c, idx) => {
      for (const test of folds) {
        const train = trainIndices(gold.length, test);
        const own = predictLogistic(fitConfig(selectSparse(X, train), Int32Array.from(train, (i) => gold[i] as number), K, c), selectSparse(X, test));
        test.forEach((i, t) => {
          for (let k = 0; k < K; k++) largest = Math.max(largest, Math.abs((probs[idx] as Float64Array)[i * K + k]! - own[t * K + k]!));
        });
      }
    });
    expect(largest).toBeLessThan(1e-9);
  });
});
