import { describe, expect, it } from 'vitest';
import { groupResamples, pairedScoreLosses, pointScoreLosses } from '../../src/validation/paired-score-loss.js';
import { seededRandom } from '../../src/util/random.js';

const scale = { min: 0, max: 10 };
/** Gold on the scale and a prediction that follows it with noise, seeded. */
function sample(n: number, noise: number, seed: number): { gold: Float64Array; pred: Float64Array } {
  const random = seededRandom(seed);
  const gold = Float64Array.from({ length: n }, () => 2 + 6 * random());
  const pred = gold.map((g) => g + noise * (random() - 0.5));
  return { gold, pred };
}

describe('paired losses on score metrics', () => {
  it('a candidate equal to the reference loses nothing, with no spread', () => {
    const { gold, pred } = sample(200, 2, 1);
    const losses = pairedScoreLosses(gold, pred, pred, scale, ['mae', 'spearman', 'qwk'], { resamples: 50, seed: 1 });
    expect(losses.map((l) => l.metric)).toEqual(['mae', 'spearman', 'qwk']);
    for (const l of losses) expect([l.loss, l.standardError]).toEqual([0, 0]);
  });

  it('a constant candidate has lost the ranking (an undefined correlation counts as none), which absolute error near the gold mean hardly sees', () => {
    const { gold, pred } = sample(400, 6, 2);
    const mean = gold.reduce((a, b) => a + b, 0) / gold.length;
    const constant = gold.map(() => mean);
    const [mae, spearman] = pairedScoreLosses(gold, constant, pred, scale, ['mae', 'spearman'], { resamples: 100, seed: 1 });
    expect(spearman?.loss).toBeGreaterThan(0.3);
    expect(spearman?.loss).toBeGreaterThan(3 * (spearman?.standardError as number));
    expect(Math.abs(mae?.loss as number)).toBeLessThan(spearman?.loss as number);
  });

  it('the standard error shrinks with more items; items where a side is unknown are left out; QWK off whole steps is left out', () => {
    const se = (n: number): number => {
      const { gold, pred } = sample(n, 3, 3);
      const worse = pred.map((p, i) => p + (i % 2 === 0 ? 1 : -1));
      return (pairedScoreLosses(gold, worse, pred, scale, ['mae'], { resamples: 100, seed: 1 })[0]?.standardError as number);
    };
    expect(se(1600)).toBeLessThan(se(100) / 2);
    const { gold, pred } = sample(100, 3, 4);
    const holes = pred.map((p, i) => (i < 10 ? Number.NaN : p));
    const [l] = pairedScoreLosses(gold, holes, pred, scale, ['mae'], { resamples: 20, seed: 1 });
    expect(l?.loss).toBe(0);
    expect(pairedScoreLosses(gold, pred, pred, { min: 0, max: 9.5 }, ['mae', 'qwk'], { resamples: 20, seed: 1 }).map((x) => x.metric)).toEqual(['mae']);
  });

  it('resamples whole groups: an item is drawn with all its siblings', () => {
    const groups = ['a', 'a', 'a', 'b', 'b', null, 'c'];
    for (const idx of groupResamples(groups.length, groups, 30, 5)) {
      const counts = new Map<number, number>();
      for (const i of idx) counts.set(i, (counts.get(i) ?? 0) + 1);
      expect(counts.get(0)).toBe(counts.get(1));
      expect(counts.get(1)).toBe(counts.get(2));
      expect(counts.get(3)).toBe(counts.get(4));
    }
    // Four clusters (a, b, the ungrouped item, c), four drawn per resample.
    const sizes = new Set(groupResamples(groups.length, groups, 30, 5).map((idx) => idx.length));
    expect([...sizes].every((s) => s >= 4 && s <= 12)).toBe(true);
  });

  it('the point losses alone are the paired losses without their standard errors', () => {
    const { gold, pred } = sample(200, 3, 6);
    const other = pred.map((p, i) => (i % 9 === 0 ? Number.NaN : p + (i % 2 === 0 ? 0.5 : -0.5)));
    const metrics = ['mae', 'spearman', 'qwk'] as const;
    expect(pointScoreLosses(gold, other, pred, scale, metrics)).toEqual(pairedScoreLosses(gold, other, pred, scale, metrics, { resamples: 10, seed: 1 }).map(({ metric, loss }) => ({ metric, loss })));
  });
});
