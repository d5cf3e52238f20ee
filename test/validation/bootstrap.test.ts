import { describe, expect, it } from 'vitest';
import { scoreClassification } from '../../src/validation/metrics.js';
import { accuracyOf, bootstrapResamples, macroF1Of, percentileInterval, quantile } from '../../src/validation/bootstrap.js';

describe('bootstrap', () => {
  it('draws the same resamples for the same seed, others for another', () => {
    const a = bootstrapResamples(50, { seed: 3, resamples: 20 });
    expect(bootstrapResamples(50, { seed: 3, resamples: 20 })).toEqual(a);
    expect(bootstrapResamples(50, { seed: 4, resamples: 20 })).not.toEqual(a);
    expect(a).toHaveLength(20);
    for (const idx of a) for (const i of idx) expect(i >= 0 && i < 50).toBe(true);
  });

  it('interpolates quantiles between order statistics', () => {
    expect(quantile([0, 0.5, 0.5, 1], 0.25)).toBeCloseTo(0.375, 12);
    expect(quantile([0, 0.5, 0.5, 1], 0.75)).toBeCloseTo(0.625, 12);
    expect(quantile([2], 0.9)).toBe(2);
  });

  it('gives the percentile interval of a statistic over given resamples (hand-worked)', () => {
    // Two items, right and wrong; the four possible resamples give accuracies 1, 0.5, 0, 0.5.
    const correct = [1, 0];
    const resamples = [Int32Array.from([0, 0]), Int32Array.from([0, 1]), Int32Array.from([1, 1]), Int32Array.from([1, 0])];
    expect(percentileInterval(resamples, (idx) => accuracyOf(correct, idx), 0.5)).toEqual({ low: 0.375, high: 0.625 });
    expect(percentileInterval(resamples, (idx) => accuracyOf(correct, idx), 1)).toEqual({ low: 0, high: 1 });
  });

  it('covers the normal-approximation interval of an accuracy', () => {
    // 280 of 400 right: p = 0.7, standard error sqrt(0.21 / 400) = 0.0229, 95% half-width 0.0449.
    const correct = Array.from({ length: 400 }, (_, i) => (i < 280 ? 1 : 0));
    const ci = percentileInterval(bootstrapResamples(400, { seed: 1, resamples: 2000 }), (idx) => accuracyOf(correct, idx));
    expect(ci.low).toBeGreaterThan(0.7 - 0.0449 - 0.01);
    expect(ci.low).toBeLessThan(0.7 - 0.0449 + 0.01);
    expect(ci.high).toBeGreaterThan(0.7 + 0.0449 - 0.01);
    expect(ci.high).toBeLessThan(0.7 + 0.0449 + 0.01);
  });

  it("macroF1Of on all items equals the leaderboard's macro-F1", () => {
    const gold = Int32Array.from([0, 0, 1, 1, 2, 2, 0, 1]);
    const pred = [0, 1, 1, 1, 0, -1, 0, 2];
    const K = 3;
    const probs = new Float64Array(gold.length * K);
    const decided = new Uint8Array(gold.length);
    pred.forEach((p, i) => {
      if (p < 0) return;
      probs[i * K + p] = 1;
      decided[i] = 1;
    });
    const all = gold.map((_, i) => i);
    expect(macroF1Of(gold, pred, K, all)).toBeCloseTo(scoreClassification(gold, { probs, decided }, ['a', 'b', 'c']).macroF1, 12);
    // Hand-worked: class 0 P 2/3 R 2/3, class 1 P 2/3 R 2/3, class 2 P 0 R 0 -> (2/3 + 2/3 + 0) / 3.
    expect(macroF1Of(gold, pred, K, all)).toBeCloseTo(4 / 9, 12);
  });
});
