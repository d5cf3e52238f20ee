import { describe, expect, it } from 'vitest';
import { between, gridResolution, refineGrid } from '../../../src/fuse/adaptive/refine-grid.js';
import { ruleGrid, type StopRule } from '../../../src/fuse/adaptive/stop-rule.js';

const tauOf = (r: StopRule) => (r.kind === 'agreement' ? r.tau : NaN);

describe('refineGrid', () => {
  // Calls of a hundred-model policy: flat at the cheap end, then a cliff between two grid thresholds near 1.
  const callsOf = (r: StopRule) => {
    const tau = tauOf(r);
    if (tau >= 1) return 112;
    if (tau <= 0.995) return 1 + 8 * Math.max(0, (tau - 0.98) / 0.015);
    return Math.min(112, 9 + (103 * (tau - 0.995)) / 0.004);
  };

  it('puts settings between neighbours whose calls are further apart than the resolution', () => {
    const grid = ruleGrid('agreement');
    const fixed = grid.map(callsOf);
    const gaps = (cs: number[]) => Math.max(...cs.slice(1).map((c, i) => (cs[i] as number) - c));
    expect(gaps(fixed)).toBeGreaterThan(60);
    const refined = refineGrid(grid, callsOf, gridResolution(112));
    const calls = refined.map(callsOf);
    // Still from most to fewest calls, every fixed setting kept, and no gap wider than the resolution left.
    expect(calls.every((c, i) => i === 0 || c <= (calls[i - 1] as number))).toBe(true);
    for (const r of grid) expect(refined).toContain(r);
    expect(gaps(calls)).toBeLessThanOrEqual(gridResolution(112));
  });

  it('leaves a grid alone where its neighbours are close in calls, and measures each setting once', () => {
    const grid = ruleGrid('agreement');
    let measured = 0;
    // Twelve models, a grid whose neighbours are less than a call apart.
    const refined = refineGrid(grid, (r) => {
      measured++;
      return 12 - 0.45 * grid.indexOf(r);
    }, gridResolution(12));
    expect(refined).toEqual(grid);
    expect(measured).toBe(grid.length);
  });
});

describe('between', () => {
  it('splits thresholds by their distance to 1 and never leaves the interval', () => {
    const mid = between({ kind: 'agreement', tau: 0.999 }, { kind: 'agreement', tau: 0.995 });
    expect(mid?.kind).toBe('agreement');
    const tau = tauOf(mid as StopRule);
    expect(tau).toBeGreaterThan(0.995);
    expect(tau).toBeLessThan(0.999);
    expect(1 - tau).toBeCloseTo(Math.sqrt(0.001 * 0.005), 12);
    const top = tauOf(between({ kind: 'agreement', tau: 1.01 }, { kind: 'agreement', tau: 0.999 }) as StopRule);
    expect(top).toBeGreaterThan(0.999);
    expect(top).toBeLessThan(1);
  });

  it('has nothing between settings of different kinds or decays', () => {
    expect(between({ kind: 'agreement', tau: 0.9 }, { kind: 'settled', slack: 0.5 })).toBeNull();
    expect(between({ kind: 'cascade', threshold: 0.9, decay: 0 }, { kind: 'cascade', threshold: 0.8, decay: 0.3 })).toBeNull();
    expect(between({ kind: 'settled', slack: 1 }, { kind: 'settled', slack: 0.5 })).toEqual({ kind: 'settled', slack: 0.75 });
  });
});
