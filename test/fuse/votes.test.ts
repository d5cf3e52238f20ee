import { describe, expect, it } from 'vitest';
import { createSoftVote, logSoftVoteStrategy, softVoteStrategy } from '../../src/fuse/soft-vote.js';
import { emptyMatrix, setAnswer } from '../../src/fuse/answer-matrix.js';
import { logOddsWeight, weightedVoteStrategy } from '../../src/fuse/weighted-vote.js';
import { decided, fromVotes } from './helpers.js';

const L = ['a', 'b', 'c'];
const NONE = new Int32Array(0);

describe('weighted-vote', () => {
  // Model "good" is perfect on training, "bad" always wrong, "mid" right half the time.
  const train = fromVotes(L, ['good', 'bad', 'mid'], [
    [0, 1, 0],
    [1, 2, 0],
    [2, 0, 2],
    [0, 2, 1],
    [1, 0, 1],
    [2, 1, 0],
  ]);
  const gold = Int32Array.from([0, 1, 2, 0, 1, 2]);

  it('weights a perfect model above a coin-flipper and an always-wrong model at the floor', () => {
    const s = weightedVoteStrategy.fit(train, gold, { seed: 1 }).state() as { models: string[]; weights: number[] };
    const w = Object.fromEntries(s.models.map((m, f) => [m, s.weights[f] as number]));
    // Hand-worked: pooled accuracy 9/18 = 0.5; good = (6 + 5) / 16, bad = (0 + 5) / 16, mid = (3 + 5) / 16.
    expect(w.good).toBeCloseTo(Math.log(((11 / 16) * 2) / (5 / 16)), 10);
    expect(w.mid).toBeCloseTo(Math.log(((8 / 16) * 2) / (8 / 16)), 10);
    expect(w.bad).toBeCloseTo(1e-3, 10);
  });

  it('lets the reliable model outvote two unreliable ones and abstains only when nobody answered', () => {
    const f = weightedVoteStrategy.fit(train, gold, { seed: 1 });
    const test = fromVotes(L, ['good', 'bad', 'mid'], [
      [2, 1, 1],
      [null, 0, 1],
      [null, null, null],
    ]);
    const pred = f.predict(test);
    expect(decided(pred, 3)).toEqual([2, 1, -1]);
    expect(Array.from(pred.probs.subarray(6, 9))).toEqual([0, 0, 0]);
  });

  it('maps models by name, gives an unknown model the pooled weight, ignores a missing one', () => {
    const f = weightedVoteStrategy.fit(train, gold, { seed: 1 });
    // Reordered, "bad" missing, "new" unseen: good (weight ~1.48) vs new (pooled weight log 2 ~0.69).
    const test = fromVotes(L, ['new', 'good'], [[1, 2]]);
    expect(decided(f.predict(test), 3)).toEqual([2]);
  });

  it('breaks exact ties by task label order', () => {
    const f = weightedVoteStrategy.fit(fromVotes(L, ['x', 'y'], [[0, 0]]), Int32Array.from([0]), { seed: 1 });
    expect(decided(f.predict(fromVotes(L, ['x', 'y'], [[2, 1]])), 3)).toEqual([1]);
  });

  it('refuses to fit without labels', () => {
    expect(() => weightedVoteStrategy.fit(train, new Int32Array(6).fill(-1), { seed: 1 })).toThrow(/labelled/);
  });

  it('floors worse-than-chance accuracy and grows with accuracy', () => {
    expect(logOddsWeight(0.2, 3)).toBe(1e-3);
    expect(logOddsWeight(0.9, 3)).toBeGreaterThan(logOddsWeight(0.6, 3));
  });
});

describe('soft-vote', () => {
  const m = emptyMatrix(['a', 'b'], ['x', 'y', 'z'], ['i0', 'i1']);
  setAnswer(m, 0, 0, [0.9, 0.1]);
  setAnswer(m, 0, 1, [0.4, 0.6]);
  setAnswer(m, 0, 2, [0.4, 0.6]);
  setAnswer(m, 1, 1, [0.3, 0.7]);

  it('averages distributions of the models that answered', () => {
    const p = softVoteStrategy.fit(m, NONE, { seed: 1 }).predict(m);
    expect(p.probs[0]).toBeCloseTo(1.7 / 3, 12);
    expect(p.probs[2]).toBeCloseTo(0.3, 12);
    expect(Array.from(p.decided)).toEqual([1, 1]);
  });

  it('log-linear pooling takes the normalized geometric mean', () => {
    const p = logSoftVoteStrategy.fit(m, NONE, { seed: 1 }).predict(m);
    const a = Math.cbrt(0.9 * 0.4 * 0.4);
    const b = Math.cbrt(0.1 * 0.6 * 0.6);
    expect(p.probs[0]).toBeCloseTo(a / (a + b), 12);
  });

  it('applies per-model weights by name; an all-absent item is undecided', () => {
    const s = createSoftVote({ weights: { x: 3, y: 1, z: 0 } });
    const p = s.fit(m, NONE, { seed: 1 }).predict(m);
    expect(p.probs[0]).toBeCloseTo((3 * 0.9 + 0.4) / 4, 12);
    const empty = emptyMatrix(['a', 'b'], ['x'], ['i']);
    expect(Array.from(s.fit(m, NONE, { seed: 1 }).predict(empty).decided)).toEqual([0]);
  });

  it('explains each model by its weight and share of the fused label', () => {
    const e = softVoteStrategy.fit(m, NONE, { seed: 1 }).explain?.(m, 1) ?? [];
    expect(e.map((c) => c.answer)).toEqual([null, 'b', null]);
    expect(e[1]?.influence).toBeCloseTo(0.7, 12);
  });
});
