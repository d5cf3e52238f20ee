import { describe, expect, it } from 'vitest';
import { allCalls, callShare, curveTop, recordedCalls } from '../../bench/call-share.js';

/**
 * The quality table's share of calls: `adaptive`'s calls over every call it could make, in the
 * unit its replay counts (every model and sample asked, readable or not), not over `auto`'s
 * readable answers. mot-gsm8k's shape: 44 (model, sample) calls per item of which about 8.4 are
 * readable (the program-of-thought answers are unexecuted code); a policy asking 8.5 calls per item
 * asks a fifth of them, not all of `auto`'s readable answers and more.
 */
describe('callShare', () => {
  const curve = [
    { setting: 'tau=1.01', callsPerItem: 44, score: 0.97 },
    { setting: 'tau=0.999', callsPerItem: 27.87, score: 0.97 },
    { setting: 'tau=0.985', callsPerItem: 1, score: 0.9725 },
  ];

  it('divides by the top of the policy curve, not by the answers auto could read', () => {
    const adaptive = { callsPerItem: 8.5, allCalls: curveTop({ curve }) };
    expect(adaptive.allCalls).toBe(44);
    expect(callShare(adaptive, { callsPerItem: 8.3925 })).toBeCloseTo(8.5 / 44, 12);
  });

  it("falls back to auto's answers per item where the kind reports no curve", () => {
    expect(curveTop({})).toBeUndefined();
    expect(callShare({ callsPerItem: 2 }, { callsPerItem: 4 })).toBe(0.5);
    expect(callShare({ callsPerItem: 2 }, {})).toBeNull();
    expect(callShare({}, { callsPerItem: 4 })).toBeNull();
  });

  it("divides by every call auto makes, not by the policy's own curve, which leaves out the calls it never makes", () => {
    // mot-gsm8k's shape after the policy skips the 32 program-of-thought calls: its curve tops at 12.
    const result = { items: 400, callsPerItem: 8.39, allCallsPerItem: 44, models: [{ abstentions: { 'unexecuted-code': 400 * 28, missing: 3 } }] };
    const skipping = { callsPerItem: 6, allCalls: allCalls(result) ?? curveTop({ curve: [{ callsPerItem: 12 }] }) };
    expect(skipping.allCalls).toBe(44);
    expect(callShare(skipping, { callsPerItem: 8.39 })).toBeCloseTo(6 / 44, 12);
    // Every recorded answer, readable or not; `missing` is no call.
    expect(recordedCalls(result)).toBeCloseTo(8.39 + 28, 12);
    expect(allCalls({ callsPerItem: 3 })).toBeUndefined();
    expect(recordedCalls({ callsPerItem: 3 })).toBeUndefined();
  });
});
