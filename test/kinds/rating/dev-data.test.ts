import { describe, expect, it } from 'vitest';
import { loadRatingSet } from '../../../bench/rating-data.js';
import { referenceRidge } from '../../../bench/rating-reference.js';
import { standInReader } from '../../../bench/rating-standin.js';
import { autoRating } from '../../../src/kinds/rating/auto.js';
import { outOfFoldRatings } from '../../../src/kinds/rating/out-of-fold.js';
import { sharedData } from '../../support/shared-data.js';
import { coverage, judgeScores, mae, spearman } from './worlds.js';

/**
 * The targets on each rating dev set (read from ../shared/data, never committed), out of
 * fold with fold seed 1: auto at least the reference ridge and the best single judge (hindsight) in
 * Spearman, at most the ridge's MAE (ours and the data README's), and 80% intervals holding the gold for 75-85% of items.
 */
/** The data README's ridge stacking (Spearman, MAE), computed with scikit-learn. */
const README_RIDGE: Record<string, { spearman: number; mae: number }> = {
  'hanna-story': { spearman: 0.406, mae: 0.602 },
  'qaes-essay-traits': { spearman: 0.254, mae: 0.571 },
  'mt-da-dev': { spearman: 0.493, mae: 12.4 },
};

for (const set of ['hanna-story', 'qaes-essay-traits', 'mt-da-dev']) {
  const dir = sharedData(set);
  const readme = README_RIDGE[set] as { spearman: number; mae: number };
  describe.skipIf(dir === null)(`${set} (dev data)`, () => {
    it('auto meets the targets out of fold', { timeout: 120_000 }, () => {
      const { matrix: m, gold } = loadRatingSet(dir as string, standInReader);
      const decided = (x: Float64Array): number[] => Array.from(x.keys()).filter((i) => !Number.isNaN(x[i] as number));
      const onDecided = (x: Float64Array) => {
        const rows = decided(x);
        return { p: rows.map((i) => x[i] as number), g: rows.map((i) => gold[i] as number) };
      };
      const ridge = onDecided(referenceRidge(m, gold, 1));
      const best = Math.max(...m.judges.map((_, j) => onDecided(judgeScores(m, j))).map((s) => spearman(s.p, s.g)));
      const auto = outOfFoldRatings(autoRating, m, gold, { folds: 5, seed: 1 });
      const a = onDecided(auto.score);
      expect(a.p.length).toBe(gold.length);
      expect(spearman(a.p, a.g)).toBeGreaterThanOrEqual(spearman(ridge.p, ridge.g));
      expect(spearman(a.p, a.g)).toBeGreaterThanOrEqual(best);
      expect(mae(a.p, a.g)).toBeLessThanOrEqual(mae(ridge.p, ridge.g));
      expect(spearman(a.p, a.g)).toBeGreaterThanOrEqual(readme.spearman);
      expect(mae(a.p, a.g)).toBeLessThanOrEqual(readme.mae);
      const c = coverage(gold, auto.low, auto.high);
      expect(c).toBeGreaterThanOrEqual(0.75);
      expect(c).toBeLessThanOrEqual(0.85);
    });
  });
}
