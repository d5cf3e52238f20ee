import { describe, expect, it } from 'vitest';
import { groupedKFold } from '../../src/validation/folds.js';

describe('groupedKFold', () => {
  it('partitions the items, never splits a group, and keeps fold sizes close', () => {
    const groups = Array.from({ length: 60 }, (_, i) => (i % 5 === 0 ? null : `g${Math.floor(i / 3)}`));
    const folds = groupedKFold(groups, 5, 7);
    expect(folds.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    const foldOf = new Map<string, number>();
    folds.forEach((f, k) =>
      f.forEach((i) => {
        const g = groups[i];
        if (g === null || g === undefined) return;
        expect(foldOf.get(g) ?? k).toBe(k);
        foldOf.set(g, k);
      }),
    );
    const sizes = folds.map((f) => f.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(3);
    expect(groupedKFold(groups, 5, 7)).toEqual(folds);
  });

  it('makes fewer folds with fewer groups and refuses one group', () => {
    expect(groupedKFold(['a', 'a', 'b'], 5, 1)).toHaveLength(2);
    expect(() => groupedKFold(['a', 'a'], 5, 1)).toThrow(RangeError);
  });
});
