import { describe, expect, it } from 'vitest';
import { selectStrategies } from '../../src/eval/evaluate.js';
import { evaluateClassification } from '../../src/kinds/classification/evaluate.js';
import { renderLeaderboard } from '../../src/eval/leaderboard.js';
import { type AnswerMatrix, emptyMatrix, setAnswer } from '../../src/fuse/answer-matrix.js';
import { expectedRank } from '../../src/fuse/expected-rank.js';
import { majorityVote } from '../../src/fuse/majority-vote.js';
import { medianLabel, medianLabelStrategy } from '../../src/fuse/median-label.js';
import { medianDecision, weightedMedianRank } from '../../src/fuse/ordered-labels.js';
import { getStrategy, STRATEGIES } from '../../src/fuse/registry.js';
import { softVoteStrategy } from '../../src/fuse/soft-vote.js';
import { StrategyError } from '../../src/fuse/strategy.js';
import type { ClassificationFolder } from '../../src/kinds/load-folder.js';
import { ClassificationTaskSchema } from '../../src/task/schema.js';
import { argmax } from '../../src/util/argmax.js';
import { seededRandom } from '../../src/util/random.js';
import { orderedLabelMetrics } from '../../src/validation/ordered-label-metrics.js';

const STARS = ['1', '2', '3', '4', '5'];

/**
 * A world of ordered labels where every model errs by one step: each answers the gold label with
 * probability `right`, else a neighbour (one step up or down, at random; at the ends the one that
 * exists). Nobody is ever two steps off, so a plurality can land a step away when the neighbours
 * outvote the truth, while the median of answers spread on both sides returns to it.
 */
function oneStepWorld(items: number, models: number, right: number, seed: number, ordered = true): { matrix: AnswerMatrix; gold: Int32Array } {
  const random = seededRandom(seed);
  const K = STARS.length;
  const base = emptyMatrix(STARS, Array.from({ length: models }, (_, j) => `m${j}`), Array.from({ length: items }, (_, i) => `i${i}`));
  const matrix: AnswerMatrix = ordered ? { ...base, ordered: true } : base;
  const gold = new Int32Array(items);
  for (let i = 0; i < items; i++) {
    const g = Math.floor(random() * K);
    gold[i] = g;
    for (let j = 0; j < models; j++) {
      let k = g;
      if (random() >= right) k = g === 0 ? 1 : g === K - 1 ? K - 2 : random() < 0.5 ? g - 1 : g + 1;
      const dist = new Float64Array(K);
      dist[k] = 1;
      setAnswer(matrix, i, j, dist);
    }
  }
  return { matrix, gold };
}

describe('weighted median rank: the label minimising expected absolute rank error', () => {
  it('is the lowest rank reaching half the mass', () => {
    expect(weightedMedianRank([0.1, 0.2, 0.15, 0.55, 0], 0, 5)).toBe(3);
    expect(weightedMedianRank([0, 0.25, 0.35, 0.4, 0], 0, 5)).toBe(2);
    expect(weightedMedianRank([0, 0, 0, 0, 0], 0, 5)).toBe(-1);
  });
  it('on an exact half, takes the minimiser nearest the mean (2-2 split of ranks 1 and 3 gives 2)', () => {
    expect(weightedMedianRank([0, 0.5, 0, 0.5, 0], 0, 5)).toBe(2);
    expect(weightedMedianRank([0.5, 0, 0, 0, 0.5], 0, 5)).toBe(2);
    expect(weightedMedianRank([0.5, 0.5, 0, 0, 0], 0, 5)).toBe(0);
  });
  it('minimises the expected absolute error on random distributions (brute force)', () => {
    const random = seededRandom(5);
    for (let t = 0; t < 500; t++) {
      const q = Array.from({ length: 5 }, () => (random() < 0.3 ? 0 : random()));
      if (q.every((v) => v === 0)) continue;
      const loss = (r: number) => q.reduce((a, v, k) => a + v * Math.abs(k - r), 0);
      const best = Math.min(...[0, 1, 2, 3, 4].map(loss));
      expect(loss(weightedMedianRank(q, 0, 5))).toBeCloseTo(best, 9);
    }
  });
  it('medianDecision makes the median the top label and keeps the fused values', () => {
    const fused = { probs: Float64Array.from([0.05, 0.25, 0.3, 0.0, 0.4]), decided: Uint8Array.from([1]) };
    const d = medianDecision(fused, 5);
    expect(argmax(d.probs, 0, 5)).toBe(2);
    expect([...d.probs].sort()).toEqual([...fused.probs].sort());
    const tied = medianDecision({ probs: Float64Array.from([0.4, 0.2, 0.4, 0, 0]), decided: Uint8Array.from([1]) }, 5);
    expect(argmax(tied.probs, 0, 5)).toBe(1);
    expect(tied.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });
});

describe('orderedLabelMetrics: rank MAE and QWK of the decisions', () => {
  it('a hand-computed case; undecided items and unknown gold are left out', () => {
    const K = 5;
    const probs = new Float64Array(5 * K);
    for (const [i, k] of [[0, 1], [1, 1], [2, 3], [4, 0]] as const) probs[i * K + k] = 1;
    const prediction = { probs, decided: Uint8Array.from([1, 1, 1, 0, 1]) };
    // Items 0-2: gold ranks 0 1 2, decided 1 1 3 (errors 1 0 1; QWK 1 - 2/6); item 3 undecided, item 4 without gold.
    const m = orderedLabelMetrics(Int32Array.from([0, 1, 2, 4, -1]), prediction, K);
    expect(m.n).toBe(3);
    expect(m.rankMae).toBeCloseTo(2 / 3, 12);
    expect(m.qwk).toBeCloseTo(2 / 3, 12);
    expect(orderedLabelMetrics(new Int32Array(0), { probs: new Float64Array(0), decided: new Uint8Array(0) }, K).rankMae).toBeNaN();
  });
});

describe('median-label and expected-rank on ordered labels', () => {
  it('on a world where models err by one step, both have lower rank MAE than the plain vote (three seeds)', () => {
    for (const seed of [1, 2, 3]) {
      const { matrix, gold } = oneStepWorld(600, 5, 0.4, seed);
      const K = STARS.length;
      const vote = orderedLabelMetrics(gold, majorityVote(matrix), K);
      const median = orderedLabelMetrics(gold, medianLabel(matrix), K);
      const expected = orderedLabelMetrics(gold, expectedRank(softVoteStrategy).fit(matrix, new Int32Array(600).fill(-1), { seed: 1 }).predict(matrix), K);
      expect(median.rankMae, `seed ${seed}`).toBeLessThan(vote.rankMae);
      expect(expected.rankMae, `seed ${seed}`).toBeLessThan(vote.rankMae);
      expect(median.qwk).toBeGreaterThan(vote.qwk);
    }
  });
  it('the registered expected-rank (over auto) beats the plain vote out of fold', () => {
    const { matrix, gold } = oneStepWorld(300, 5, 0.4, 4);
    const K = STARS.length;
    const train = Array.from({ length: 200 }, (_, i) => i);
    const test = Array.from({ length: 100 }, (_, i) => 200 + i);
    const pick = (rows: number[]) => ({ ...matrix, itemIds: rows.map((i) => matrix.itemIds[i] as string), probs: Float64Array.from(rows.flatMap((i) => [...matrix.probs.subarray(i * 5 * K, (i + 1) * 5 * K)])), present: Uint8Array.from(rows.flatMap((i) => [...matrix.present.subarray(i * 5, (i + 1) * 5)])) });
    const fitted = getStrategy('expected-rank').fit(pick(train), Int32Array.from(train, (i) => gold[i] as number), { seed: 1 });
    const testGold = Int32Array.from(test, (i) => gold[i] as number);
    expect(orderedLabelMetrics(testGold, fitted.predict(pick(test)), K).rankMae).toBeLessThan(orderedLabelMetrics(testGold, majorityVote(pick(test)), K).rankMae);
  });
  it('refuse a task that is not ordered, fitted or predicting (StrategyError)', () => {
    const { matrix } = oneStepWorld(20, 3, 0.5, 1, false);
    const none = new Int32Array(20).fill(-1);
    expect(() => medianLabelStrategy.fit(matrix, none, { seed: 1 })).toThrow(StrategyError);
    expect(() => medianLabelStrategy.fit(matrix, none, { seed: 1 })).toThrow(/median-label needs an ordered task/);
    expect(() => expectedRank(softVoteStrategy).fit(matrix, none, { seed: 1 })).toThrow(/expected-rank needs an ordered task/);
    const { matrix: ordered } = oneStepWorld(20, 3, 0.5, 1);
    const fitted = expectedRank(softVoteStrategy).fit(ordered, none, { seed: 1 });
    expect(() => fitted.predict(matrix)).toThrow(StrategyError);
    expect(() => medianLabelStrategy.fit({ ...ordered, candidates: ordered.itemIds.map(() => STARS) }, none, { seed: 1 })).toThrow(/fixed label set/);
  });
  it('save and load: the same predictions', () => {
    const { matrix } = oneStepWorld(60, 4, 0.5, 2);
    const s = getStrategy('expected-rank');
    const none = new Int32Array(60).fill(-1);
    const gold = Int32Array.from({ length: 60 }, (_, i) => i % 5);
    const fitted = s.fit(matrix, s.supervised ? gold : none, { seed: 1 });
    const loaded = s.load(JSON.parse(JSON.stringify(fitted.state())), STARS);
    expect(Array.from(loaded.predict(matrix).probs)).toEqual(Array.from(fitted.predict(matrix).probs));
    expect(() => s.load({ inner: 'soft-vote', state: {} }, STARS)).toThrow(StrategyError);
  });
});

describe('evaluation of an ordered classification task', () => {
  function folder(ordered: boolean): ClassificationFolder {
    const { matrix, gold } = oneStepWorld(80, 5, 0.45, 7);
    const M = matrix.models.length;
    const K = STARS.length;
    const task = ClassificationTaskSchema.parse({ name: 'stars', kind: 'classification', labels: STARS.map((name) => ({ name })), ...(ordered ? { ordered: true } : {}) });
    return {
      kind: 'classification',
      dir: '/tmp/stars',
      task,
      items: matrix.itemIds.map((id, i) => ({ id, text: `review ${i}`, label: STARS[gold[i] as number] as string })),
      gold,
      responses: matrix.itemIds.flatMap((item, i) => matrix.models.map((model, j) => ({ item, model, output: STARS[argmax(matrix.probs, (i * M + j) * K, K)] as string }))),
    };
  }
  it('the task schema takes an optional boolean "ordered"', () => {
    expect(ClassificationTaskSchema.safeParse({ name: 'x', kind: 'classification', labels: [{ name: 'a' }, { name: 'b' }], ordered: 'yes' }).success).toBe(false);
    expect(ClassificationTaskSchema.parse({ name: 'x', kind: 'classification', labels: [{ name: 'a' }, { name: 'b' }] }).ordered).toBeUndefined();
  });
  it('ordered: every entry carries rank MAE and QWK, and the order-aware strategies run', () => {
    const r = evaluateClassification(folder(true), { folds: 3, seed: 1, strategies: ['majority-vote', 'median-label', 'expected-rank'] });
    expect(r.strategies.map((s) => s.name)).toEqual(['majority-vote', 'median-label', 'expected-rank']);
    for (const e of [...r.models, ...r.strategies]) {
      expect(e.rankMae, e.name).toBeGreaterThanOrEqual(0);
      expect(e.qwk, e.name).toBeLessThanOrEqual(1);
    }
    const by = (n: string) => r.strategies.find((s) => s.name === n)?.rankMae ?? Number.NaN;
    expect(by('median-label')).toBeLessThan(by('majority-vote'));
    const json = JSON.parse(JSON.stringify(r)) as { strategies: { rankMae: number; qwk: number }[] };
    expect(typeof json.strategies[0]?.rankMae).toBe('number');
    // The terminal leaderboard shows them as columns, each row its own figures.
    const board = renderLeaderboard({ ...r, oracle: 1 });
    expect(board).toMatch(/rkMAE +QWK/);
    const median = board.split('\n').find((l) => /median-label/.test(l)) as string;
    expect(median).toContain(by('median-label').toFixed(3));
  }, 120_000);
  it('not ordered: no rank fields, the order-aware strategies skipped (refused when named)', () => {
    const f = folder(false);
    const r = evaluateClassification(f, { folds: 3, seed: 1, strategies: ['majority-vote'] });
    expect(r.strategies[0]).not.toHaveProperty('rankMae');
    expect(r.models[0]).not.toHaveProperty('qwk');
    expect(renderLeaderboard({ ...r, oracle: r.extras.oracle })).not.toMatch(/rkMAE/);
    const { matrix } = oneStepWorld(10, 3, 0.5, 1, false);
    const names = selectStrategies(matrix).run.map((s) => s.name);
    expect(names).not.toContain('median-label');
    expect(names).not.toContain('expected-rank');
    expect(STRATEGIES.filter((s) => s.needsOrderedLabels).map((s) => s.name)).toEqual(['median-label', 'expected-rank']);
    expect(() => selectStrategies(matrix, ['median-label'])).toThrow(StrategyError);
    expect(selectStrategies({ ...matrix, ordered: true }).run.map((s) => s.name)).toEqual(expect.arrayContaining(['median-label', 'expected-rank']));
  });
});
