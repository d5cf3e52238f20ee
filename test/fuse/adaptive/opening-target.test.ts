import { describe, expect, it } from 'vitest';
import { chooseOperatingPoint, type CurvePoint, openingTarget } from '../../../src/fuse/adaptive/operating-point.js';

/**
 * Checkpoint 0's threshold is walked down from "never stop at 0" and the walk ends at the first
 * threshold over the bound (a threshold is trusted only when every one that stops fewer items also
 * kept it), whatever the user's target: a loss, a budget, or both. Its thresholds only take calls
 * away from the policy without it, so a budget that policy met is met by each of them; a budget
 * must not turn the walk into "the cheapest anywhere within the bound", which trusts a threshold
 * whose bound dipped by luck past one that broke it.
 */
describe('openingTarget: the walk down checkpoint 0\'s thresholds', () => {
  const point = (tau: number, calls: number, lossBound: number): CurvePoint => ({ rule: { kind: 'agreement', tau }, calls, cost: calls / 1000, score: 0.8, loss: 0, lossBound });
  // Without checkpoint 0 (tau above 1), then thresholds stopping more items: the second breaks the bound, the third dips under it.
  const without = point(1.01, 3, 0.004);
  const curve0 = [without, point(0.97, 2.8, 0.0042), point(0.95, 2.6, 0.009), point(0.9, 2.2, 0.0038)];

  it('under a loss target it stops at the first threshold over it', () => {
    expect(chooseOperatingPoint(curve0, openingTarget({ maxLoss: 0.005 }, without)).rule).toEqual({ kind: 'agreement', tau: 0.97 });
  });

  it.each([[{ maxCalls: 3 }], [{ maxCost: 0.01 }], [{ maxCalls: 3, maxLoss: 0.005 }]])('under %j as well: the threshold past the one that broke the bound is not taken', (target) => {
    const held = openingTarget(target, without);
    const pick = chooseOperatingPoint(curve0, held);
    expect(pick.rule).not.toEqual({ kind: 'agreement', tau: 0.9 });
    expect(pick.lossBound).toBeLessThanOrEqual(held.maxLoss + 1e-12);
  });

  it('a budget alone holds it to the bound of the policy without it, a loss target to that loss', () => {
    expect(openingTarget({ maxCalls: 3 }, without).maxLoss).toBe(0.004);
    expect(openingTarget({ maxCalls: 3 }, { lossBound: 0.004 }).maxLoss).toBe(0.004);
    expect(openingTarget({ maxLoss: 0.02, maxCalls: 3 }, without).maxLoss).toBe(0.02);
    expect(openingTarget({}, without).maxLoss).toBe(0.005);
  });
});
