import { describe, expect, it } from 'vitest';
import { dawidSkene, dawidSkeneStrategy, logGamma, oneCoinDawidSkeneStrategy, priorStrength } from '../../src/fuse/dawid-skene.js';
import { majorityVote } from '../../src/fuse/majority-vote.js';
import { syntheticAnswers } from '../../src/fuse/synthetic-answers.js';
import { hardVotes } from '../../src/fuse/votes.js';
import { decisions } from '../../src/validation/metrics.js';
import { decided, fromVotes } from './helpers.js';

const UNLABELLED = (n: number) => new Int32Array(n).fill(-1);

function accuracy(pred: Int32Array, gold: Int32Array): number {
  let c = 0;
  for (let i = 0; i < gold.length; i++) if (pred[i] === gold[i]) c++;
  return c / gold.length;
}

describe('dawid-skene', () => {
  it('recovers known confusion matrices and priors from seeded synthetic answers, without labels', () => {
    const { matrix, gold, confusion, priors } = syntheticAnswers({ items: 4000, models: 6, labels: 3, seed: 7, abstainRate: 0.1, skewedPriors: true });
    const r = dawidSkene(hardVotes(matrix), 4000, 6, 3, { variant: 'full', maxIterations: 1000 });
    expect(r.converged).toBe(true);
    let maxErr = 0;
    for (let c = 0; c < confusion.length; c++) maxErr = Math.max(maxErr, Math.abs((r.confusion[c] as number) - (confusion[c] as number)));
    expect(maxErr).toBeLessThan(0.05);
    for (let k = 0; k < 3; k++) expect(r.priors[k]).toBeCloseTo(priors[k] as number, 1);
    // And it beats the plurality it started from.
    const ds = accuracy(decisions(r.posteriors, r.decided, 3), gold);
    const mv = majorityVote(matrix);
    expect(ds).toBeGreaterThan(accuracy(decisions(mv.probs, mv.decided, 3), gold) + 0.01);
  });

  it('ignores gold: the same predictions with labels, without them, or with poisoned ones', () => {
    const { matrix, gold } = syntheticAnswers({ items: 300, models: 5, labels: 4, seed: 3 });
    const a = dawidSkeneStrategy.fit(matrix, UNLABELLED(300), { seed: 1 }).predict(matrix);
    const b = dawidSkeneStrategy.fit(matrix, gold, { seed: 1 }).predict(matrix);
    const c = dawidSkeneStrategy.fit(matrix, gold.map((g) => (g + 1) % 4), { seed: 1 }).predict(matrix);
    expect(Array.from(b.probs)).toEqual(Array.from(a.probs));
    expect(Array.from(c.probs)).toEqual(Array.from(a.probs));
  });

  it('learns to trust the model that agrees with the consensus and to discount an always-wrong one', () => {
    // "good" matches the two "ok" models' consensus; "wrong" systematically names another label.
    const rows: (number | null)[][] = [];
    for (let i = 0; i < 60; i++) {
      const t = i % 3;
      rows.push([t, (t + 1) % 3, i % 5 === 0 ? (t + 2) % 3 : t, i % 7 === 0 ? (t + 1) % 3 : t]);
    }
    // Test item: the good model against the wrong one plus one ok model that errs.
    rows.push([0, 1, 1, null]);
    const m = fromVotes(['a', 'b', 'c'], ['good', 'wrong', 'ok1', 'ok2'], rows);
    const p = dawidSkeneStrategy.fit(m, UNLABELLED(61), { seed: 1 }).predict(m);
    expect(decided(p, 3)[60]).toBe(0);
    expect(majorityVote(m).probs[60 * 3 + 1]).toBeGreaterThan(0.6);
  });

  it('handles abstentions, an all-abstained item, a label nobody uses and unknown models at predict', () => {
    const m = fromVotes(['a', 'b', 'c'], ['x', 'y', 'z'], [
      [0, 0, null],
      [1, 1, 1],
      [null, null, null],
      [0, null, 0],
    ]);
    const f = dawidSkeneStrategy.fit(m, UNLABELLED(4), { seed: 1 });
    const p = f.predict(m);
    expect(Array.from(p.decided)).toEqual([1, 1, 0, 1]);
    expect(decided(p, 3)).toEqual([0, 1, -1, 0]);
    for (const v of p.probs) expect(Number.isFinite(v)).toBe(true);
    const other = fromVotes(['a', 'b', 'c'], ['new', 'x'], [[2, 2], [1, 1]]);
    expect(decided(f.predict(other), 3)).toEqual([2, 1]);
  });

  it('one-coin variant recovers per-model accuracy on binary data (where it is the full model) and beats plurality', () => {
    const { matrix, gold, confusion } = syntheticAnswers({ items: 3000, models: 7, labels: 2, seed: 11 });
    const r = dawidSkene(hardVotes(matrix), 3000, 7, 2, { variant: 'one-coin', maxIterations: 1000 });
    for (let j = 0; j < 7; j++) {
      const trueAcc = ((confusion[j * 4] as number) + (confusion[j * 4 + 3] as number)) / 2;
      expect(Math.abs((r.confusion[j * 4] as number) - trueAcc)).toBeLessThan(0.04);
    }
    const p = oneCoinDawidSkeneStrategy.fit(matrix, UNLABELLED(3000), { seed: 1 }).predict(matrix);
    const mv = majorityVote(matrix);
    expect(accuracy(decisions(p.probs, p.decided, 2), gold)).toBeGreaterThan(accuracy(decisions(mv.probs, mv.decided, 2), gold));
  });

  it('stops at the iteration cap', () => {
    const { matrix } = syntheticAnswers({ items: 500, models: 4, labels: 3, seed: 5 });
    const r = dawidSkene(hardVotes(matrix), 500, 4, 3, { variant: 'full', maxIterations: 2, tolerance: 0 });
    expect(r.iterations).toBe(2);
    expect(r.converged).toBe(false);
  });
});

describe('dawid-skene prior strength (type-II maximum likelihood)', () => {
  it('logGamma matches known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(100.5)).toBeCloseTo(361.4355404677776, 9);
  });

  it('is strong where the rows follow the one-coin target and weak where many answers depart from it', () => {
    const K = 3;
    // One-coin target: right 0.7, wrong answers spread evenly.
    const target = Float64Array.from({ length: K * K }, (_, c) => (Math.floor(c / K) === c % K ? 0.7 : 0.15));
    const follows = Float64Array.from(target, (t) => t * 200);
    // Same accuracy, but every error of row 0 names label 1 and every error of row 1 names label 2.
    const departs = Float64Array.from([140, 60, 0, 0, 140, 60, 30, 30, 140]);
    for (let k = 0; k < K; k++) expect(priorStrength(follows, target, 0, K, k)).toBeGreaterThanOrEqual(1024);
    expect(priorStrength(departs, target, 0, K, 0)).toBeLessThanOrEqual(16);
    expect(priorStrength(departs, target, 0, K, 1)).toBeLessThanOrEqual(16);
    // Its last row follows the target.
    expect(priorStrength(departs, target, 0, K, 2)).toBeGreaterThanOrEqual(64);
  });
});
