import { describe, expect, it } from 'vitest';
import { refineGrid } from '../../../src/fuse/adaptive/refine-grid.js';
import { ruleGrid, ruleSetting, type StopRule, type StopRuleKind } from '../../../src/fuse/adaptive/stop-rule.js';

const KINDS: StopRuleKind[] = ['settled', 'posterior', 'cascade', 'agreement'];

/** The rule's number(s) as printed. */
const printed = (rule: StopRule): string[] => [...ruleSetting(rule).matchAll(/=([^,]+)/g)].map((m) => m[1] as string);

describe('a rule setting as printed in descriptions (leaderboard, picks, report)', () => {
  it('prints refined settings with a few digits, grid settings as written, and keeps refined neighbours apart', () => {
    for (const kind of KINDS) {
      const grid = ruleGrid(kind);
      for (const rule of grid) expect(ruleSetting(rule)).not.toMatch(/\d{6}/);
      // Calls falling steeply with the rule's index: every gap is split for all six rounds.
      const index = new Map(grid.map((r, i) => [JSON.stringify(r), i]));
      const callsOf = (rule: StopRule): number => {
        const exact = index.get(JSON.stringify(rule));
        if (exact !== undefined) return 1000 - 40 * exact;
        const at = grid.findIndex((r) => JSON.stringify(r) > JSON.stringify(rule));
        return 1000 - 40 * Math.max(0, at) + 20;
      };
      const refined = refineGrid(grid, callsOf, 1, 3);
      expect(refined.length).toBeGreaterThan(grid.length);
      for (const rule of refined) {
        const values = Object.entries(rule).filter(([k, v]) => k !== 'kind' && !(k === 'decay' && v === 0)).map(([, v]) => v as number);
        printed(rule).forEach((n, i) => {
          // A short number, never a float's seventeen digits...
          expect(n.length, `${kind}: ${ruleSetting(rule)}`).toBeLessThanOrEqual(9);
          // ...close to the value where it matters: its distance to the nearer of 0 and 1.
          const value = values[i] as number;
          const distance = Math.min(Math.abs(value), Math.abs(1 - value));
          expect(Math.abs(Number(n) - value)).toBeLessThanOrEqual(distance * 0.005 + 1e-12);
        });
      }
      // Distinct settings stay distinct in print.
      expect(new Set(refined.map(ruleSetting)).size).toBe(new Set(refined.map((r) => JSON.stringify(r))).size);
    }
  });

  it('the example of the walk-through: tau=0.9883578223453909 prints as tau=0.9884; the rule keeps its value', () => {
    const rule: StopRule = { kind: 'agreement', tau: 0.9883578223453909 };
    expect(ruleSetting(rule)).toBe('tau=0.9884');
    expect(rule.tau).toBe(0.9883578223453909);
    expect(ruleSetting({ kind: 'posterior', delta: Math.sqrt(0.001 * 0.005) })).toBe('delta=0.00224');
    expect(ruleSetting({ kind: 'cascade', threshold: 0.95, decay: 0.3 })).toBe('threshold=0.95,decay=0.3');
  });
});
