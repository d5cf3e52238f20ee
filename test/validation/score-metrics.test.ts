import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/util/random.js';
import { averageRanks, kendallTauB, pearson, quadraticWeightedKappa, scoreMetricIntervals, scoreMetrics, spearman } from '../../src/validation/score-metrics.js';

const FIVE = { min: 1, max: 5 };

/** Kendall's tau-b by its definition, over every pair: the O(n^2) reference for the O(n log n) one. */
function kendallBrute(x: number[], y: number[]): number {
  let s = 0;
  let tx = 0;
  let ty = 0;
  let pairs = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const dx = Math.sign((x[j] as number) - (x[i] as number));
      const dy = Math.sign((y[j] as number) - (y[i] as number));
      pairs++;
      if (dx === 0) tx++;
      if (dy === 0) ty++;
      s += dx * dy;
    }
  }
  return s / Math.sqrt((pairs - tx) * (pairs - ty));
}

describe('scoreMetrics: hand-computed cases', () => {
  it('a perfect prediction', () => {
    const m = scoreMetrics([1, 2, 3, 4, 5], [1, 2, 3, 4, 5], FIVE);
    expect(m).toEqual({ n: 5, mae: 0, rmse: 0, pearson: 1, spearman: 1, kendall: 1, qwk: 1, withinOne: 1 });
  });
  it('three items with a tie in the predictions', () => {
    // gold 1 2 3, predicted 2 2 4: errors 1 0 1; ranks of the predictions 1.5 1.5 3; one pair tied in y.
    const m = scoreMetrics([1, 2, 3], [2, 2, 4], FIVE);
    expect(m.n).toBe(3);
    expect(m.mae).toBeCloseTo(2 / 3, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(m.pearson).toBeCloseTo(2 / Math.sqrt(48 / 9), 12);
    expect(m.spearman).toBeCloseTo(1.5 / Math.sqrt(3), 12);
    expect(m.kendall).toBeCloseTo(2 / Math.sqrt(6), 12);
    // Observed squared disagreement 2, expected 6 (marginals 1,1,1 and 0,2,0,1): 1 - 2/6.
    expect(m.qwk).toBeCloseTo(2 / 3, 12);
    expect(m.withinOne).toBe(1);
  });
  it('matches scipy on a case with ties on both sides', () => {
    // scipy 1.x: kendalltau (tau-b) 0.408248290463863, spearmanr 0.45628564870888755, pearsonr 0.48271079202547784.
    const x = [1, 2, 2, 3, 4, 4, 4, 5];
    const y = [2, 1, 3, 3, 5, 4, 4, 2];
    expect(kendallTauB(x, y)).toBeCloseTo(0.408248290463863, 12);
    expect(spearman(x, y)).toBeCloseTo(0.45628564870888755, 12);
    expect(pearson(x, y)).toBeCloseTo(0.48271079202547784, 12);
    expect(quadraticWeightedKappa([0, 1, 2, 3, 4, 4, 2, 1], [0, 2, 2, 3, 3, 4, 1, 1], 5)).toBeCloseTo(0.8888888888888888, 12);
  });
  it('average ranks for ties', () => {
    expect(Array.from(averageRanks([10, 20, 20, 5, 20]))).toEqual([2, 4, 4, 1, 4]);
  });
  it('within one step and QWK round both sides to the nearest step', () => {
    const m = scoreMetrics([1, 1, 5], [2.4, 2.6, 5], FIVE);
    expect(m.withinOne).toBeCloseTo(2 / 3, 12);
    expect(m.mae).toBeCloseTo((1.4 + 1.6) / 3, 12);
  });
});

describe('scoreMetrics: properties', () => {
  const random = seededRandom(7);
  const gold = Array.from({ length: 300 }, () => 1 + Math.round(random() * 8) / 2);
  const pred = gold.map((g) => Math.min(5, Math.max(1, g + Math.round((random() - 0.5) * 4) / 2)));

  it('Kendall tau-b equals its definition over all pairs (with many ties)', () => {
    expect(kendallTauB(gold, pred)).toBeCloseTo(kendallBrute(gold, pred), 12);
    const x = Array.from({ length: 500 }, () => Math.floor(random() * 4));
    const y = x.map((v) => (random() < 0.5 ? v : Math.floor(random() * 4)));
    expect(kendallTauB(x, y)).toBeCloseTo(kendallBrute(x, y), 12);
  });
  it('a monotone transform of the predictions keeps Spearman and Kendall, not Pearson', () => {
    const warped = pred.map((p) => Math.exp(2 * p));
    const a = scoreMetrics(gold, pred, FIVE);
    const b = scoreMetrics(gold, warped, { min: Math.exp(2), max: Math.exp(10) });
    expect(b.spearman).toBeCloseTo(a.spearman, 12);
    expect(b.kendall).toBeCloseTo(a.kendall, 12);
    expect(Math.abs(b.pearson - a.pearson)).toBeGreaterThan(1e-3);
  });
  it('constant predictions: correlations are NaN (undefined), QWK too; errors are still measured', () => {
    const m = scoreMetrics([1, 2, 3, 4], [3, 3, 3, 3], FIVE);
    expect(m.pearson).toBeNaN();
    expect(m.spearman).toBeNaN();
    expect(m.kendall).toBeNaN();
    expect(m.mae).toBe(1);
    // Expected disagreement is not 0 here (gold varies): QWK is defined and 0, a chance-level rater.
    expect(m.qwk).toBeCloseTo(0, 12);
    expect(scoreMetrics([2, 2], [2, 2], FIVE).qwk).toBeNaN();
  });
  it('NaN predictions are undecided: left out of every metric', () => {
    const m = scoreMetrics([1, 2, 3, 5], [1, Number.NaN, 3, Number.NaN], FIVE);
    expect(m.n).toBe(2);
    expect(m.mae).toBe(0);
    expect(m).toEqual(scoreMetrics([1, 3], [1, 3], FIVE));
    expect(scoreMetrics([1, 2], [Number.NaN, Number.NaN], FIVE).mae).toBeNaN();
  });
  it('QWK and within-one are null on a scale not in whole steps, and follow the step option', () => {
    expect(scoreMetrics([0.5, 1], [0.5, 1], { min: 0.5, max: 5 }).qwk).toBeNull();
    expect(scoreMetrics([0.5, 1], [0.5, 1], { min: 0.5, max: 5 }).withinOne).toBeNull();
    const halves = scoreMetrics([0.5, 1, 2], [1, 1, 1], { min: 0.5, max: 5 }, { step: 0.5 });
    expect(halves.qwk).not.toBeNull();
    expect(halves.withinOne).toBeCloseTo(2 / 3, 12);
  });
  it('refuses arrays of different lengths', () => {
    expect(() => scoreMetrics([1, 2], [1], FIVE)).toThrow(RangeError);
  });
});

describe('scoreMetricIntervals: bootstrap', () => {
  const random = seededRandom(3);
  const gold = Array.from({ length: 200 }, () => 1 + Math.floor(random() * 5));
  const pred = gold.map((g) => Math.min(5, Math.max(1, g + (random() < 0.4 ? (random() < 0.5 ? -1 : 1) : 0))));

  it('brackets each point estimate, is seeded, and narrows with a lower level', () => {
    const point = scoreMetrics(gold, pred, FIVE);
    const a = scoreMetricIntervals(gold, pred, FIVE, { resamples: 300, seed: 1 });
    expect(scoreMetricIntervals(gold, pred, FIVE, { resamples: 300, seed: 1 })).toEqual(a);
    for (const name of ['mae', 'rmse', 'pearson', 'spearman', 'kendall', 'qwk'] as const) {
      const iv = a[name];
      expect(iv, name).not.toBeNull();
      expect(iv?.low ?? Number.NaN).toBeLessThanOrEqual(point[name] as number);
      expect(iv?.high ?? Number.NaN).toBeGreaterThanOrEqual(point[name] as number);
    }
    const narrow = scoreMetricIntervals(gold, pred, FIVE, { resamples: 300, seed: 1, level: 0.5 });
    expect((narrow.mae?.high ?? 0) - (narrow.mae?.low ?? 0)).toBeLessThan((a.mae?.high ?? 0) - (a.mae?.low ?? 0));
  });
  it('null where a metric is never defined: QWK off whole steps, correlations of a constant judge', () => {
    const r = scoreMetricIntervals([1, 2, 3, 4], [3, 3, 3, 3], { min: 0.5, max: 5 }, { resamples: 50, seed: 1 });
    expect(r.qwk).toBeNull();
    expect(r.spearman).toBeNull();
    expect(r.mae).not.toBeNull();
  });
});
