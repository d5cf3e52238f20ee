import { describe, expect, it } from 'vitest';
import { isConfident } from '../../../src/fuse/adaptive/cascade.js';
import { isLeaderLikelyFinal, leaderStaysProbability } from '../../../src/fuse/adaptive/leader-posterior.js';
import { chooseOperatingPoint, type CurvePoint } from '../../../src/fuse/adaptive/operating-point.js';
import { isSettled } from '../../../src/fuse/adaptive/settled.js';

describe('settled rule', () => {
  it('stops only when the unasked weight cannot overturn the leader', () => {
    expect(isSettled([3, 1, 0], 1.9)).toBe(true);
    expect(isSettled([3, 1, 0], 2)).toBe(false); // a tie could flip it
    expect(isSettled([3, 1, 0], 3, 0.5)).toBe(true);
    expect(isSettled([0, 0], 0)).toBe(true); // nothing asked and nothing left: stop
    expect(isSettled([0, 0], 1)).toBe(false);
  });
});

describe('Adaptive-Consistency posterior', () => {
  it('is P(X > 1/2) for X ~ Beta(a+1, b+1)', () => {
    expect(leaderStaysProbability(0, 0)).toBeCloseTo(0.5, 12);
    expect(leaderStaysProbability(1, 0)).toBeCloseTo(0.75, 12); // density 2x: 1 - 1/4
    expect(leaderStaysProbability(2, 0)).toBeCloseTo(0.875, 12); // density 3x^2: 1 - 1/8
    expect(leaderStaysProbability(3, 3)).toBeCloseTo(0.5, 12);
    // Beta(3, 2): P(X > 1/2) = 11/16
    expect(leaderStaysProbability(2, 1)).toBeCloseTo(11 / 16, 12);
    expect(leaderStaysProbability(400, 300)).toBeGreaterThan(0.999);
  });
  it('stops once the leader is likely final', () => {
    expect(isLeaderLikelyFinal([4, 0, 0], 0.05)).toBe(true); // 1 - 1/32
    expect(isLeaderLikelyFinal([3, 0, 0], 0.05)).toBe(false); // 1 - 1/16
    expect(isLeaderLikelyFinal([0, 0, 0], 0.5)).toBe(false);
  });
});

describe('cascade rule', () => {
  it('stops when the fused top label reaches the threshold', () => {
    expect(isConfident([0.1, 0.9, 0.2, 0.8], 2, 2, 0.8)).toBe(true);
    expect(isConfident([0.1, 0.9, 0.25, 0.75], 2, 2, 0.8)).toBe(false);
  });
});

describe('operating point', () => {
  const point = (threshold: number, calls: number, loss: number, lossBound = loss, cost: number | null = null): CurvePoint => ({
    rule: { kind: 'cascade', threshold, decay: 0 },
    calls,
    cost,
    score: 0.8 - loss,
    loss,
    lossBound,
  });
  const curve = [point(1.01, 10, 0), point(0.95, 5, 0.002), point(0.9, 3, 0.004, 0.006), point(0.8, 2, -0.01), point(0.5, 1, 0.05)];
  it('takes the fewest calls whose loss bound is within maxLoss, trusting no point past the first failure', () => {
    expect(chooseOperatingPoint(curve, { maxLoss: 0.005 }).calls).toBe(5);
    expect(chooseOperatingPoint(curve, { maxLoss: 0.01 }).calls).toBe(2);
    expect(chooseOperatingPoint(curve, { maxLoss: 0 }).calls).toBe(10);
  });
  it('takes the best score within a call budget, the cheapest point when none fits', () => {
    expect(chooseOperatingPoint(curve, { maxCalls: 4 }).calls).toBe(2);
    expect(chooseOperatingPoint(curve, { maxCalls: 0.5 }).calls).toBe(1);
  });
  it('treats an unknown cost as over any cost budget', () => {
    expect(chooseOperatingPoint([point(1.01, 10, 0, 0, 0.5), point(0.9, 3, 0.01, 0.01, null)], { maxCost: 1 }).calls).toBe(10);
  });
});

describe('checkpoints', () => {
  it('checks after each of the first models, then at doubling counts, then after all', async () => {
    const { defaultCheckpoints } = await import('../../../src/fuse/adaptive/checkpoints.js');
    expect(defaultCheckpoints(5)).toEqual([1, 2, 3, 4, 5]);
    expect(defaultCheckpoints(12)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(defaultCheckpoints(16)).toHaveLength(16);
    expect(defaultCheckpoints(17)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 16, 17]);
    expect(defaultCheckpoints(112)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 16, 32, 64, 112]);
  });

  it('with a growth below 2, puts checkpoints between the doublings, each once, the last all models', async () => {
    const { defaultCheckpoints } = await import('../../../src/fuse/adaptive/checkpoints.js');
    expect(defaultCheckpoints(112, 8, Math.SQRT2)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 11, 16, 23, 32, 45, 64, 91, 112]);
    expect(defaultCheckpoints(17, 8, Math.SQRT2)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 11, 16, 17]);
    expect(defaultCheckpoints(12, 8, Math.SQRT2)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });
});
