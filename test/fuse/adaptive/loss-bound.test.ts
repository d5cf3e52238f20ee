import { describe, expect, it } from 'vitest';
import { expectedTruth, lossesWithUnseen, lossStandardErrors, weightedScore } from '../../../src/fuse/adaptive/loss-bound.js';
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

/**
 * A world where the reference's probabilities are calibrated by construction: each row's label is
 * drawn from them. The reference decides their argmax; a policy decides otherwise on some rows.
 */
function calibratedWorld(n: number, K: number, seed: number) {
  const random = seededRandom(seed);
  const probs = new Float64Array(n * K);
  for (let r = 0; r < n; r++) {
    // Easy rows (one label near certain) and hard ones (mass spread), as items are.
    const sharp = random() < 0.6 ? 8 : 1;
    let total = 0;
    for (let k = 0; k < K; k++) total += probs[r * K + k] = Math.exp(sharp * random() * (k === 0 ? 1.5 : 1));
    for (let k = 0; k < K; k++) probs[r * K + k] = (probs[r * K + k] as number) / total;
  }
  const reference = Int32Array.from({ length: n }, (_, r) => {
    let best = 0;
    for (let k = 1; k < K; k++) if ((probs[r * K + k] as number) > (probs[r * K + best] as number)) best = k;
    return best;
  });
  const policy = Int32Array.from(reference, (d) => (random() < 0.12 ? (d + 1 + Math.floor(random() * (K - 1))) % K : d));
  const drawLabels = () =>
    Int32Array.from({ length: n }, (_, r) => {
      let u = random();
      for (let k = 0; k < K - 1; k++) if ((u -= probs[r * K + k] as number) < 0) return k;
      return K - 1;
    });
  return { probs, reference, policy, drawLabels };
}

describe('the loss scored against a reference\'s probabilities (expected truth)', () => {
  it('is the score against gold when the truth is one-hot, and the reference\'s distribution where it decided', () => {
    const K = 3;
    const { y, reference } = world(200, K, 6, 0.3);
    const oneHot = new Float64Array(200 * K);
    y.forEach((g, r) => (oneHot[r * K + g] = 1));
    for (const metric of ['macro-f1', 'accuracy'] as const) expect(weightedScore({ probs: oneHot }, reference, K, metric)).toBeCloseTo(weightedScore(y, reference, K, metric), 12);
    const probs = Float64Array.from({ length: 2 * K }, (_, c) => (c < K ? [2, 1, 1][c] as number : 0));
    // One decided row is too few to recalibrate on: its distribution as it is, normalised.
    const truth = expectedTruth(Int32Array.from([1, 2]), { probs, decided: Uint8Array.from([1, 0]) }, K);
    Array.from(truth.probs).forEach((p, c) => expect(p).toBeCloseTo([0.5, 0.25, 0.25, 0, 0, 1][c] as number, 9));
  });

  it('is, for calibrated probabilities, the mean of the label-scored loss over draws of the labels, with a smaller spread', () => {
    const K = 3;
    const n = 600;
    const { probs, reference, policy, drawLabels } = calibratedWorld(n, K, 11);
    const truth = { probs };
    for (const metric of ['macro-f1', 'accuracy'] as const) {
      const expected = weightedScore(truth, reference, K, metric) - weightedScore(truth, policy, K, metric);
      const draws = Array.from({ length: 300 }, () => {
        const y = drawLabels();
        return weightedScore(y, reference, K, metric) - weightedScore(y, policy, K, metric);
      });
      const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
      const sd = Math.sqrt(draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1));
      // Unbiased for accuracy (linear in the labels), to well within the target for macro-F1 (a ratio).
      expect(Math.abs(mean - expected)).toBeLessThan(Math.max(3 * (sd / Math.sqrt(draws.length)), metric === 'accuracy' ? 0 : 0.001));
      // Its bootstrap spread over the rows is below the label-scored loss's: the label noise is gone.
      const y = drawLabels();
      const soft = lossStandardErrors(truth, reference, [policy], K, metric, 3)[0] as number;
      const hard = lossStandardErrors(y, reference, [policy], K, metric, 3)[0] as number;
      expect(soft).toBeLessThan(0.75 * hard);
    }
  });
});

describe('the reference\'s probabilities recalibrated on the labels', () => {
  it('leaves calibrated probabilities about as they are, and makes the expected loss of a too-sure or leaning reference that of the labels', () => {
    const K = 3;
    const n = 1500;
    const { probs, reference, policy, drawLabels } = calibratedWorld(n, K, 21);
    const y = drawLabels();
    const decided = new Uint8Array(n).fill(1);
    const calibrated = expectedTruth(y, { probs, decided }, K);
    let gap = 0;
    for (let c = 0; c < probs.length; c++) gap = Math.max(gap, Math.abs((calibrated.probs[c] as number) - (probs[c] as number)));
    expect(gap).toBeLessThan(0.1);
    // Too sure (probabilities sharpened) and leaning to label 0: scored as they are, the loss of
    // changing the reference's decisions is overstated; recalibrated, it is the true expected loss.
    const distorted = Float64Array.from(probs, (p, c) => (c % K === 0 ? 3 : 1) * p ** 4);
    for (let r = 0; r < n; r++) {
      let total = 0;
      for (let k = 0; k < K; k++) total += distorted[r * K + k] as number;
      for (let k = 0; k < K; k++) distorted[r * K + k] = (distorted[r * K + k] as number) / total;
    }
    const trueLoss = weightedScore({ probs }, reference, K, 'accuracy') - weightedScore({ probs }, policy, K, 'accuracy');
    const raw = { probs: distorted };
    const rawLoss = weightedScore(raw, reference, K, 'accuracy') - weightedScore(raw, policy, K, 'accuracy');
    const fixed = expectedTruth(y, { probs: distorted, decided }, K);
    const fixedLoss = weightedScore(fixed, reference, K, 'accuracy') - weightedScore(fixed, policy, K, 'accuracy');
    expect(Math.abs(rawLoss - trueLoss)).toBeGreaterThan(0.01);
    expect(Math.abs(fixedLoss - trueLoss)).toBeLessThan(0.4 * Math.abs(rawLoss - trueLoss));
  });
});

describe('lossesWithUnseen', () => {
  it('gives a policy that matched the reference on every row about the Poisson bound of zero disagreements, shrinking with the rows', () => {
    // Zero disagreements in n rows bound the rate at about 1.8/n one-sidedly at one standard error's level (Poisson);
    // the current bootstrap says 0 and 0 for any n.
    const K = 3;
    for (const n of [100, 400]) {
      const { y, reference } = world(n, K, 7, 0.2);
      expect(lossStandardErrors(y, reference, [reference], K, 'accuracy', 1)).toEqual([0]);
      const u = lossesWithUnseen(y, reference, [reference], [1], K, 'accuracy', 1);
      const bound = (u.loss[0] as number) + (u.se[0] as number);
      expect(u.loss[0]).toBeGreaterThan(0);
      expect(bound).toBeGreaterThan(1.5 / n);
      expect(bound).toBeLessThan(2.6 / n);
      // Macro-F1 moves by about as much for one missed row of a label.
      const f = lossesWithUnseen(y, reference, [reference], [1], K, 'macro-f1', 1);
      expect((f.loss[0] as number) + (f.se[0] as number)).toBeGreaterThan(1 / n);
    }
  });

  it('adds nothing to a policy that cannot stop early, and a vanishing share to one whose rows show many disagreements', () => {
    const K = 3;
    const { y, reference, random } = world(2000, K, 8, 0.2);
    const policy = Int32Array.from(reference, (d) => (random() < 0.2 ? (d + 1) % K : d));
    const u = lossesWithUnseen(y, reference, [reference, policy], [0, 1], K, 'macro-f1', 2);
    expect(u.loss[0]).toBe(0);
    expect(u.se[0]).toBe(0);
    const plain = weightedScore(y, reference, K, 'macro-f1') - weightedScore(y, policy, K, 'macro-f1');
    expect(Math.abs((u.loss[1] as number) - plain)).toBeLessThan(2 / 2000);
    const se = lossStandardErrors(y, reference, [policy], K, 'macro-f1', 2)[0] as number;
    expect(Math.abs((u.se[1] as number) - se)).toBeLessThan(0.2 * se);
    // Deterministic for a seed, against soft truth as against labels.
    const soft = { probs: Float64Array.from({ length: 2000 * K }, (_, e) => (y[Math.floor(e / K)] === e % K ? 0.8 : 0.1)) };
    expect(lossesWithUnseen(soft, reference, [policy], [1], K, 'accuracy', 3)).toEqual(lossesWithUnseen(soft, reference, [policy], [1], K, 'accuracy', 3));
  });

  it('charges one disagreement per claim the rows must vouch for, each policy on its own draws', () => {
    // A policy whose stops come from two stages (checkpoint 0 and the later ones) pays twice.
    const K = 3;
    const n = 400;
    const { y, reference, random } = world(n, K, 9, 0.2);
    const one = lossesWithUnseen(y, reference, [reference], [1], K, 'accuracy', 1);
    const two = lossesWithUnseen(y, reference, [reference], [2], K, 'accuracy', 1);
    // Accuracy: one missed row of n + 1 against two of n + 2.
    expect(one.loss[0]).toBeCloseTo(1 / (n + 1), 12);
    expect(two.loss[0]).toBeCloseTo(2 / (n + 2), 12);
    expect(two.se[0]).toBeGreaterThan(one.se[0] as number);
    for (const metric of ['accuracy', 'macro-f1'] as const) {
      const f1 = lossesWithUnseen(y, reference, [reference], [1], K, metric, 1);
      const f2 = lossesWithUnseen(y, reference, [reference], [2], K, metric, 1);
      expect(f2.loss[0]).toBeGreaterThan(1.8 * (f1.loss[0] as number));
      // A policy's figures do not depend on which others are measured with it.
      const policy = Int32Array.from(reference, (d) => (random() < 0.1 ? (d + 1) % K : d));
      const mixed = lossesWithUnseen(y, reference, [reference, policy, reference], [2, 1, 0], K, metric, 1);
      const alone = lossesWithUnseen(y, reference, [policy], [1], K, metric, 1);
      expect([mixed.loss[0], mixed.se[0]]).toEqual([f2.loss[0], f2.se[0]]);
      expect([mixed.loss[1], mixed.se[1]]).toEqual([alone.loss[0], alone.se[0]]);
      expect([mixed.loss[2], mixed.se[2]]).toEqual([0, 0]);
    }
  });
});
