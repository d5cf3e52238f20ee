import { describe, expect, it } from 'vitest';
import { adaptiveCurve } from '../../../src/kinds/rating/adaptive-curve.js';
import { expectedMove, judgeOrder, replayAdaptive } from '../../../src/kinds/rating/adaptive.js';
import { calibratedEstimator, type CalibratedState } from '../../../src/kinds/rating/calibrated.js';
import { spearman, world } from './worlds.js';

describe('adaptive rating policy', () => {
  const w = world({ items: 1000, judges: [{ noise: 3 }, { noise: 0.3 }, { noise: 2, bias: 1 }, { noise: 3, missing: 0.3 }], seed: 11 });
  const state = calibratedEstimator.fit(w.matrix, w.gold, 1).state() as CalibratedState;

  it('asks the most reliable judge first', () => {
    expect(judgeOrder(state)[0]).toBe(1);
  });

  it('expects a smaller move when the judges asked agree and when many were asked', () => {
    const r = [1, 1, 1];
    expect(expectedMove(r, [{ judge: 0, score: 5 }, { judge: 1, score: 5 }], 2)).toBeLessThan(expectedMove(r, [{ judge: 0, score: 2 }, { judge: 1, score: 8 }], 2));
    expect(expectedMove(r, [{ judge: 0, score: 5 }, { judge: 1, score: 5 }], 2)).toBeLessThan(expectedMove(r, [{ judge: 0, score: 5 }], 2));
    expect(expectedMove(r, [], 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('asks every judge at tolerance 0 and fewer as the tolerance grows', () => {
    const all = replayAdaptive(state, w.matrix, 0);
    expect(all.asked.every((a) => a.length === 4)).toBe(true);
    const some = replayAdaptive(state, w.matrix, 0.2);
    const calls = (run: typeof all): number => run.asked.reduce((a, x) => a + x.length, 0);
    expect(calls(some)).toBeLessThan(calls(all));
    expect(calls(replayAdaptive(state, w.matrix, 1))).toBeLessThanOrEqual(calls(some));
    // What the fused score may read is only what was asked.
    const J = 4;
    some.asked.forEach((asked, i) => {
      for (let j = 0; j < J; j++) if (!asked.includes(j)) expect(Number.isNaN(some.seen.scores[i * J + j] as number)).toBe(true);
    });
  });

  it('out of fold, saves calls where one judge is far better, at little cost in Spearman', () => {
    const curve = adaptiveCurve(w.matrix, w.gold, { folds: 5, seed: 1, tolerances: [0, 0.2] });
    const [full, cheap] = curve as [(typeof curve)[0], (typeof curve)[0]];
    expect(full.callsPerItem).toBe(4);
    expect(cheap.callsPerItem).toBeLessThan(2.5);
    expect(spearman(cheap.score, w.gold)).toBeGreaterThan(spearman(full.score, w.gold) - 0.01);
  });
});
