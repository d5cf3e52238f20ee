import { describe, expect, it } from 'vitest';
import { lossStandardErrors, weightedScore } from '../../../src/fuse/adaptive/loss-bound.js';
import { seededRandom } from '../../../src/util/random.js';
import { scoreClassification } from '../../../src/validation/metrics.js';

/** A one-hot prediction of the decisions (-1: undecided), as `scoreClassification` reads one. */
function asPrediction(d: Int32Array, K: number) {
  const probs = new Float64Array(d.length * K);
  const decided = new Uint8Array(d.length);
  d.forEach((k, i) => {
    if (k < 0) return;
    probs[i * K + k] = 1;
    decided[i] = 1;
  });
  return { probs, decided };
}

function world(n: number, K: number, seed: number, noise: number) {
  const random = seededRandom(seed);
  // An unbalanced gold (a rare class, as in most classification sets) makes macro-F1 move unlike accuracy.
  const y = Int32Array.from({ length: n }, () => (random() < 0.1 ? K - 1 : Math.floor(random() * (K - 1))));
  const noisy = (rate: number) => Int32Array.from(y, (g) => (random() < rate ? (random() < 0.1 ? -1 : Math.floor(random() * K)) : g));
  return { y, reference: noisy(noise), random };
}

describe('weightedScore', () => {
  it('is the macro-F1 and accuracy of scoreClassification, undecided rows and unused labels included', () => {
    const K = 4;
    const labels = ['a', 'b', 'c', 'd'];
    for (const seed of [1, 2, 3]) {
      const { y, reference } = world(300, K, seed, 0.3);
      const s = scoreClassification(y, asPrediction(reference, K), labels);
      expect(weightedScore(y, reference, K, 'macro-f1')).toBeCloseTo(s.macroF1, 12);
      expect(weightedScore(y, reference, K, 'accuracy')).toBeCloseTo(s.accuracy, 12);
    }
  });

  it('counts a row of weight w as w copies of it', () => {
    const K = 3;
    const { y, reference } = world(50, K, 4, 0.4);
    const w = Float64Array.from(y, (_, r) => r % 3);
    const rows: number[] = [];
    w.forEach((c, r) => {
      for (let k = 0; k < c; k++) rows.push(r);
    });
    const yy = Int32Array.from(rows, (r) => y[r] as number);
    const dd = Int32Array.from(rows, (r) => reference[r] as number);
    expect(weightedScore(y, reference, K, 'macro-f1', w)).toBeCloseTo(weightedScore(yy, dd, K, 'macro-f1'), 12);
  });
});

describe('lossStandardErrors', () => {
  it('is zero for a policy that decides as the reference, and grows with the rows it decides otherwise', () => {
    const K = 3;
    const { y, reference, random } = world(600, K, 5, 0.2);
    const differ = (share: number) => Int32Array.from(reference, (d) => (random() < share ? (d + 1) % K : d));
    const se = lossStandardErrors(y, reference, [reference, differ(0.02), differ(0.1), differ(0.3)], K, 'macro-f1', 1);
    expect(se[0]).toBe(0);
    expect(se[1]).toBeGreaterThan(0);
    expect(se[2]).toBeGreaterThan(se[1] as number);
    expect(se[3]).toBeGreaterThan(se[2] as number);
    // Deterministic for a seed.
    const p = differ(0.1);
    expect(lossStandardErrors(y, reference, [p], K, 'accuracy', 9)).toEqual(lossStandardErrors(y, reference, [p], K, 'accuracy', 9));
  });

  it('is the spread of the loss over fresh draws of the same world: one standard error covers it about as a normal one does', () => {
    // Known truth: a reference right 80% of the time and a policy that changes 15% of its decisions.
    // Across independent draws of n rows, the loss varies by its true standard deviation; the
    // bootstrap, from one draw alone, must estimate it within a fifth.
    const K = 3;
    const n = 500;
    const losses: number[] = [];
    const estimates: number[] = [];
    for (let s = 0; s < 60; s++) {
      const { y, reference, random } = world(n, K, 100 + s, 0.2);
      const policy = Int32Array.from(reference, (d) => (random() < 0.15 ? Math.floor(random() * K) : d));
      losses.push(weightedScore(y, reference, K, 'macro-f1') - weightedScore(y, policy, K, 'macro-f1'));
      if (s < 10) estimates.push(lossStandardErrors(y, reference, [policy], K, 'macro-f1', s)[0] as number);
    }
    const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
    const sd = Math.sqrt(losses.reduce((a, b) => a + (b - mean) ** 2, 0) / (losses.length - 1));
    const estimate = estimates.reduce((a, b) => a + b, 0) / estimates.length;
    expect(estimate).toBeGreaterThan(0.8 * sd);
    expect(estimate).toBeLessThan(1.25 * sd);
  });
});
