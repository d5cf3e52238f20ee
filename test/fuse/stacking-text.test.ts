import { describe, expect, it } from 'vitest';
import { type AnswerMatrix, selectItems, selectModels } from '../../src/fuse/answer-matrix.js';
import type { WarmStartable } from '../../src/fuse/warm-start.js';
import { autoStrategy } from '../../src/fuse/auto.js';
import type { SparseRows } from '../../src/fuse/logistic-regression.js';
import { createStacking } from '../../src/fuse/stacking.js';
import { createStackingText, stackingTextStrategy } from '../../src/fuse/stacking-text.js';
import { StrategyError } from '../../src/fuse/strategy.js';
import { StrategyStateError } from '../../src/fuse/strategy-state.js';
import { syntheticAnswers } from '../../src/fuse/synthetic-answers.js';
import { appendText, hashText } from '../../src/fuse/text-features.js';
import { selectGold, stratifiedKFold, trainIndices } from '../../src/validation/folds.js';
import { decided, fromVotes } from './helpers.js';

const withTexts = (m: AnswerMatrix, texts: string[]): AnswerMatrix => ({ ...m, texts });
function strip(m: AnswerMatrix): AnswerMatrix {
  const { texts, ...rest } = m;
  void texts;
  return rest;
}

describe('text features', () => {
  it('hashes stemmed lowercased words and word pairs into distinct sorted buckets', () => {
    expect(Array.from(hashText('Running', 10))).toEqual(Array.from(hashText('runs', 10)));
    const h = hashText('the cat sat on the cat', 10);
    // words the, cat, sat, on (4) and pairs the-cat, cat-sat, sat-on, on-the (4): at most 8 buckets.
    expect(h.length).toBeLessThanOrEqual(8);
    expect(h.length).toBeGreaterThanOrEqual(6);
    expect(Array.from(h)).toEqual([...h].sort((a, b) => a - b));
    expect(h.every((b) => b >= 0 && b < 1024)).toBe(true);
    expect(hashText('', 10).length).toBe(0);
  });

  it('appends each row\'s text after the existing columns with norm `scale`', () => {
    const X: SparseRows = { rows: 2, dim: 3, start: Int32Array.from([0, 1, 2]), index: Int32Array.from([0, 2]), value: Float64Array.from([1, 1]) };
    const Y = appendText(X, ['good food', ''], { bits: 4, scale: 10 });
    expect(Y.dim).toBe(3 + 16);
    expect(Array.from(Y.index.subarray(0, 1))).toEqual([0]);
    const textValues = Array.from(Y.value.subarray(1, Y.start[1]));
    expect(textValues.reduce((a, v) => a + v * v, 0)).toBeCloseTo(100, 9);
    expect(Array.from(Y.index.subarray(1, Y.start[1])).every((i) => i >= 3 && i < 19)).toBe(true);
    // An empty text adds nothing.
    expect((Y.start[2] as number) - (Y.start[1] as number)).toBe(1);
  });
});

describe('stacking-text', () => {
  // Two equally reliable models: they agree and are right on half the items; on the other half one
  // of them is right, and the text says which label it is ("great" food is pos, "awful" food neg).
  const L = ['neg', 'pos'];
  const votes: number[][] = [];
  const y: number[] = [];
  const texts: string[] = [];
  const fillers = ['soup', 'pizza', 'salad', 'noodles', 'steak'];
  for (let i = 0; i < 80; i++) {
    const label = i % 2;
    const kind = Math.floor(i / 2) % 4; // 0, 1: both right; 2: only A right; 3: only B right
    const a = kind === 3 ? 1 - label : label;
    const b = kind === 2 ? 1 - label : label;
    y.push(label);
    votes.push([a, b]);
    texts.push(`the ${fillers[i % 5]} was ${label === 1 ? 'great' : 'awful'}`);
  }
  const train = withTexts(fromVotes(L, ['A', 'B'], votes), texts);
  const gold = Int32Array.from(y);
  // A says pos and B says neg on both; only the words differ.
  const probe = withTexts(fromVotes(L, ['A', 'B'], [[1, 0], [1, 0]]), ['the curry was great', 'the curry was awful']);

  it('lets the text decide which of two disagreeing, equally trusted models to follow', () => {
    const plain = createStacking().fit(strip(train), gold, { seed: 1 }).predict(strip(probe));
    // Without the text the two probes are the same item.
    expect(Array.from(plain.probs.subarray(0, 2))).toEqual(Array.from(plain.probs.subarray(2, 4)));
    const f = stackingTextStrategy.fit(train, gold, { seed: 1 });
    expect(decided(f.predict(probe), 2)).toEqual([1, 0]);
  });

  it('predicts with its answers-only model where texts are not given', () => {
    const f = stackingTextStrategy.fit(train, gold, { seed: 1 });
    const s = f.state() as { config: { C: number; classWeighting: 'none' | 'balanced' } };
    const plain = createStacking({ configs: [s.config] }).fit(strip(train), gold, { seed: 1 });
    // The same optimum as plain stacking with its setting, reached from a warm start.
    const got = f.predict(strip(probe)).probs;
    const want = plain.predict(strip(probe)).probs;
    want.forEach((p, x) => expect(got[x]).toBeCloseTo(p, 3));
  });

  it('needs labels to fit; fitted without texts it decides as plain stacking', () => {
    expect(() => stackingTextStrategy.fit(train, new Int32Array(80).fill(-1), { seed: 1 })).toThrow(StrategyError);
    const f = createStackingText({ configs: [{ C: 1, classWeighting: 'none' }] }).fit(strip(train), gold, { seed: 1 });
    const plain = createStacking({ configs: [{ C: 1, classWeighting: 'none' }] }).fit(strip(train), gold, { seed: 1 });
    expect(decided(f.predict(probe), 2)).toEqual(decided(plain.predict(strip(probe)), 2));
  });

  it('saves its hashing with the weights, restores to the same predictions, rejects a damaged state', () => {
    const f = createStackingText({ configs: [{ C: 1, classWeighting: 'none' }], hashing: { bits: 6, scale: 3 } }).fit(train, gold, { seed: 1 });
    const state = JSON.parse(JSON.stringify(f.state())) as { hashing: { bits: number; scale: number }; coef: number[] };
    expect(state.hashing).toEqual({ bits: 6, scale: 3 });
    const restored = stackingTextStrategy.load(state, L);
    expect(Array.from(restored.predict(probe).probs)).toEqual(Array.from(f.predict(probe).probs));
    expect(() => stackingTextStrategy.load({ ...state, hashing: { bits: 7, scale: 3 } }, L)).toThrow(StrategyStateError);
    expect(() => stackingTextStrategy.load({ ...state, coef: state.coef.slice(1) }, L)).toThrow(StrategyStateError);
  });

  it('explains a decision model by model', () => {
    const f = stackingTextStrategy.fit(train, gold, { seed: 1 });
    const parts = f.explain?.(probe, 0) ?? [];
    expect(parts.map((p) => [p.model, p.answer])).toEqual([['A', 'pos'], ['B', 'neg']]);
  });
});

describe('stacking-text and auto with texts never see test-fold labels', () => {
  const { matrix: m, gold } = syntheticAnswers({ items: 240, models: 6, labels: 3, seed: 21, abstainRate: 0.1 });
  const words = ['alpha', 'beta', 'gamma', 'delta'];
  const matrix = withTexts(m, Array.from(gold, (g, i) => `item ${words[i % 4]} ${words[(g + i) % 4]}`));
  const test = stratifiedKFold(gold, 4, 1)[0] as number[];
  const train = trainIndices(240, test);
  for (const s of [stackingTextStrategy, autoStrategy]) {
    it(`${s.name}: poisoning the held-out rows' labels changes nothing, poisoning training labels does`, () => {
      const run = (labels: Int32Array) => s.fit(selectItems(matrix, train), selectGold(labels, train), { seed: 3 }).predict(selectItems(matrix, test));
      const clean = run(gold);
      const poisonedTest = Int32Array.from(gold);
      for (const i of test) poisonedTest[i] = ((gold[i] as number) + 1) % 3;
      s.fit(matrix, poisonedTest, { seed: 3 });
      expect(Array.from(run(poisonedTest).probs)).toEqual(Array.from(clean.probs));
      const poisonedTrain = Int32Array.from(gold);
      for (const i of train) poisonedTrain[i] = ((gold[i] as number) + 1) % 3;
      expect(Array.from(run(poisonedTrain).probs)).not.toEqual(Array.from(clean.probs));
    });
  }

  it('starts a fit from its fit with one model fewer and reaches the same optimum (adaptive\'s next checkpoint)', () => {
    const strategy = createStackingText({ configs: [{ C: 1, classWeighting: 'none' }] }) as WarmStartable;
    const rows = selectItems(matrix, train);
    const g = selectGold(gold, train);
    const fewer = selectModels(rows, [0, 1, 2, 3, 4]);
    const previous = strategy.fit(fewer, g, { seed: 3 });
    const cold = strategy.fit(rows, g, { seed: 3 }).predict(selectItems(matrix, test));
    const warm = strategy.fitFrom(rows, g, { seed: 3 }, previous).predict(selectItems(matrix, test));
    // The same optimum up to the solver's tolerance: the same decisions, probabilities within a few hundredths.
    expect(decided(warm, 3)).toEqual(decided(cold, 3));
    cold.probs.forEach((p, x) => expect(Math.abs((warm.probs[x] as number) - p)).toBeLessThan(0.02));
    // Started from its own optimum, a fit stays there.
    const again = strategy.fitFrom(fewer, g, { seed: 3 }, previous).state() as { coef: number[] };
    const before = previous.state() as { coef: number[] };
    again.coef.forEach((c, x) => expect(Math.abs(c - (before.coef[x] as number))).toBeLessThan(0.01));
    // A fit of another strategy is no starting point: the fit runs from scratch.
    const other = createStacking({ configs: [{ C: 1, classWeighting: 'none' }] }).fit(fewer, g, { seed: 3 });
    expect(Array.from(strategy.fitFrom(rows, g, { seed: 3 }, other).predict(selectItems(matrix, test)).probs)).toEqual(Array.from(cold.probs));
  });

  it('with a grid of settings, a fit started from an earlier one is the fit from scratch: the setting it uses was judged on inner fits from scratch', () => {
    const { matrix: m8, gold: g8 } = syntheticAnswers({ items: 400, models: 8, labels: 2, seed: 5, abstainRate: 0.2 });
    const eight = ['alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta', 'eta', 'theta'];
    const world = withTexts(m8, Array.from(g8, (g, i) => `item ${eight[i % 8]} ${eight[(g + i) % 8]}`));
    const held = stratifiedKFold(g8, 4, 1)[0] as number[];
    const rows = selectItems(world, trainIndices(400, held));
    const g = selectGold(g8, trainIndices(400, held));
    const strategy = stackingTextStrategy as WarmStartable;
    const previous = strategy.fit(selectModels(rows, [0, 1, 2, 3, 4, 5, 6]), g, { seed: 3 });
    const cold = strategy.fit(rows, g, { seed: 3 });
    // The same setting chosen with one model fewer: the fit could have started from the earlier one.
    expect((previous.state() as { config: unknown }).config).toEqual((cold.state() as { config: unknown }).config);
    const warm = strategy.fitFrom(rows, g, { seed: 3 }, previous);
    expect(Array.from(warm.predict(selectItems(world, held)).probs)).toEqual(Array.from(cold.predict(selectItems(world, held)).probs));
  });

  it('auto mixes text stackers in when texts are given, restores them, and still predicts without texts', () => {
    const f = autoStrategy.fit(selectItems(matrix, train), selectGold(gold, train), { seed: 3 });
    const s = f.state() as { innerScores: Record<string, number> };
    expect(Object.keys(s.innerScores)).toEqual(expect.arrayContaining(['stacking-text(C=1,none)', 'stacking-text(C=0.1,balanced)']));
    const restored = autoStrategy.load(JSON.parse(JSON.stringify(s)), matrix.labels);
    const probe = selectItems(matrix, test);
    expect(Array.from(restored.predict(probe).probs)).toEqual(Array.from(f.predict(probe).probs));
    const bare = restored.predict(strip(probe));
    expect(Array.from(bare.decided)).toEqual(Array.from(f.predict(probe).decided));
  });
});
