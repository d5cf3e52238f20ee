import { describe, expect, it } from 'vitest';
import { unvouchedLossTarget } from '../../../src/fuse/adaptive/unvouched.js';
import type { CurvePoint } from '../../../src/fuse/adaptive/operating-point.js';

/**
 * When `fusion fit` says a policy asks every model: only when it does. A policy whose setting is
 * its dearest still asks no model on the items its checkpoint 0 decides from their text, so it is
 * not "every model asked", whatever its setting.
 */
describe('unvouchedLossTarget', () => {
  const point = (tau: number, calls: number): CurvePoint => ({ rule: { kind: 'agreement', tau }, calls, cost: null, score: 0.8, loss: 0, lossBound: calls < 5 ? 0.02 : 0 });
  const curve = [point(0.5, 1.5), point(0.9, 3), point(1.01, 5)];
  const dearest = { rule: { kind: 'agreement', tau: 1.01 }, curve, target: { maxLoss: 0.005 } };

  it('names the loss target when the dearest setting was chosen because no cheaper one kept it', () => {
    expect(unvouchedLossTarget(dearest)).toEqual({ maxLoss: 0.005 });
  });

  it('is silent when a cheaper setting was chosen, or a budget chose it', () => {
    expect(unvouchedLossTarget({ ...dearest, rule: { kind: 'agreement', tau: 0.9 } })).toBeUndefined();
    expect(unvouchedLossTarget({ ...dearest, target: { maxCalls: 5 } })).toBeUndefined();
  });

  it('is silent when checkpoint 0 decides items from their text with no call (the policy does not ask every model)', () => {
    const text = { prefix: { strategy: 'text-only', state: {} }, agreement: {}, tau: 0.9, curve };
    expect(unvouchedLossTarget({ ...dearest, text })).toBeUndefined();
  });
});
