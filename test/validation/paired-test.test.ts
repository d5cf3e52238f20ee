import { describe, expect, it } from 'vitest';
import { bootstrapResamples } from '../../src/validation/bootstrap.js';
import { effectiveVoters, errorCorrelation } from '../../src/validation/error-correlation.js';
import { comparePaired, describeComparison, mcnemarExact } from '../../src/validation/paired-test.js';
import { confusionMatrix, reliabilityBins } from '../../src/validation/reliability.js';

describe('mcnemarExact', () => {
  it('matches hand-worked binomial tails', () => {
    // 1 vs 5 discordant: 2 * P(X <= 1), X ~ Bin(6, 1/2) = 2 * 7/64.
    expect(mcnemarExact(1, 5)).toBeCloseTo(14 / 64, 12);
    expect(mcnemarExact(5, 1)).toBeCloseTo(14 / 64, 12);
    expect(mcnemarExact(0, 10)).toBeCloseTo(2 / 1024, 12);
    expect(mcnemarExact(3, 3)).toBe(1);
    expect(mcnemarExact(0, 0)).toBe(1);
  });

  it("agrees with scipy's binomtest on a large case", () => {
    // scipy.stats.binomtest(200, 500, 0.5).pvalue = 8.940066542253288e-06
    expect(mcnemarExact(300, 200)).toBeCloseTo(8.940066542253288e-6, 15);
  });
});

describe('comparePaired', () => {
  it('counts the discordant items and states the result in words', () => {
    const a = [1, 1, 1, 1, 1, 1, 0, 1, 0, 0];
    const b = [0, 0, 0, 0, 0, 1, 1, 1, 0, 0];
    const c = comparePaired(a, b, bootstrapResamples(a.length, { seed: 1, resamples: 500 }));
    expect(c.onlyA).toBe(5);
    expect(c.onlyB).toBe(1);
    expect(c.difference).toBeCloseTo(0.4, 12);
    expect(c.pValue).toBeCloseTo(14 / 64, 12);
    expect(c.differenceInterval.low).toBeLessThan(0.4);
    expect(c.differenceInterval.high).toBeGreaterThan(0.4);
    const text = describeComparison('auto', 'gpt', c);
    expect(text).toContain('auto is right on 5 items where gpt is wrong, and wrong on 1');
    expect(text).toContain('p = 0.219');
    expect(text).toContain('could well arise by chance');
  });

  it('calls a large gap significant', () => {
    const a = Array.from({ length: 200 }, (_, i) => (i < 150 ? 1 : 0));
    const b = Array.from({ length: 200 }, (_, i) => (i < 100 ? 1 : 0));
    const c = comparePaired(a, b, bootstrapResamples(200, { seed: 2, resamples: 500 }));
    expect(c.pValue).toBeLessThan(0.001);
    expect(c.differenceInterval.low).toBeGreaterThan(0);
    expect(describeComparison('auto', 'gpt', c)).toContain('auto is more accurate');
  });
});

describe('error correlation and effective voters', () => {
  it('matches hand-worked values', () => {
    expect(errorCorrelation([1, 0, 1, 0], [1, 0, 1, 0])).toBeCloseTo(1, 12);
    expect(errorCorrelation([1, 0, 1, 0], [0, 1, 0, 1])).toBeCloseTo(-1, 12);
    // a = 1100, b = 1010: cov = 1/4 - 1/4 = 0.
    expect(errorCorrelation([1, 1, 0, 0], [1, 0, 1, 0])).toBeCloseTo(0, 12);
    expect(errorCorrelation([0, 0, 0], [1, 0, 1])).toBe(0);
    expect(effectiveVoters(10, 0)).toBe(10);
    expect(effectiveVoters(10, 1)).toBeCloseTo(1, 12);
    expect(effectiveVoters(4, 1 / 3)).toBeCloseTo(2, 12);
    expect(effectiveVoters(4, -0.2)).toBe(4);
  });
});

describe('reliability bins and confusion matrix', () => {
  it('bins top-label confidence against accuracy (hand-worked)', () => {
    // Items: conf 0.95 right, 0.92 wrong, 0.65 right, undecided, unlabelled.
    const probs = [0.95, 0.05, 0.08, 0.92, 0.65, 0.35, 0, 0, 0.9, 0.1];
    const { bins, ece } = reliabilityBins(probs, [1, 1, 1, 0, 1], [0, 0, 0, 1, -1], 2);
    expect(bins).toHaveLength(2);
    expect(bins[0]).toMatchObject({ count: 1, accuracy: 1 });
    expect(bins[0]?.confidence).toBeCloseTo(0.65, 12);
    expect(bins[1]).toMatchObject({ count: 2, accuracy: 0.5 });
    expect(bins[1]?.confidence).toBeCloseTo(0.935, 12);
    expect(ece).toBeCloseTo((1 / 3) * 0.35 + (2 / 3) * 0.435, 12);
  });

  it('counts gold against prediction with an abstention column', () => {
    expect(confusionMatrix([0, 0, 1, 1, -1], [0, 1, 1, -1, 0], 2)).toEqual([
      [1, 1, 0],
      [0, 1, 1],
    ]);
  });
});
