import { describe, expect, it } from 'vitest';
import { loadRatingSet } from '../../../bench/rating-data.js';
import { referenceReader, referenceRidge } from '../../../bench/rating-reference.js';
import { autoRating } from '../../../src/kinds/rating/auto.js';
import { outOfFoldRatings } from '../../../src/kinds/rating/out-of-fold.js';
import type { RatingMatrix } from '../../../src/kinds/rating/rating-matrix.js';
import { readScore } from '../../../src/kinds/rating/read-score.js';
import { scoreMetrics } from '../../../src/validation/score-metrics.js';
import { sharedData } from '../../support/shared-data.js';
import { coverage, judgeScores } from './worlds.js';

/**
 * The targets on each rating dev set (read from ../shared/data, never committed), out of
 * fold with fold seed 1, as users get them: `auto` on the answers read by the product's reader
 * (readScore) and scored by the product's metrics (scoreMetrics). Its Spearman is at least the
 * reference ridge's and the best single judge's (hindsight), its MAE at most the ridge's, each
 * baseline taken both as the data README's figure, rebuilt with the README's reading rule, and
 * rebuilt on readScore's readings; its 80% intervals hold the gold for 75-85% of items; over the
 * three sets its mean Spearman is at least 0.02 above the ridge's mean.
 */
/** The data README's ridge stacking (Spearman, MAE), computed with scikit-learn. */
const README_RIDGE: Record<string, { spearman: number; mae: number }> = {
  'hanna-story': { spearman: 0.406, mae: 0.602 },
  'qaes-essay-traits': { spearman: 0.254, mae: 0.571 },
  'mt-da-dev': { spearman: 0.493, mae: 12.4 },
};
const SETS = ['hanna-story', 'qaes-essay-traits', 'mt-da-dev'];
const SEED = 1;

/** Per set: auto's Spearman and the highest ridge Spearman it was held against. */
const measured = new Map<string, { auto: number; ridge: number }>();

function bestJudgeSpearman(m: RatingMatrix, gold: Float64Array): number {
  return Math.max(...m.judges.map((_, j) => scoreMetrics(gold, judgeScores(m, j), m.scale).spearman).filter((x) => !Number.isNaN(x)));
}

for (const set of SETS) {
  const dir = sharedData(set);
  const readme = README_RIDGE[set] as { spearman: number; mae: number };
  describe.skipIf(dir === null)(`${set} (dev data)`, () => {
    it('auto, read with readScore, meets the targets out of fold', { timeout: 180_000 }, () => {
      const { matrix: m, gold } = loadRatingSet(dir as string, readScore);
      const { matrix: r } = loadRatingSet(dir as string, referenceReader);
      const auto = outOfFoldRatings(autoRating, m, gold, { folds: 5, seed: SEED });
      expect(auto.score.every((x) => Number.isFinite(x))).toBe(true);
      const a = scoreMetrics(gold, auto.score, m.scale);
      const ridges = [r, m].map((x) => scoreMetrics(gold, referenceRidge(x, gold, SEED), m.scale));
      const ridgeSpearman = Math.max(readme.spearman, ...ridges.map((x) => x.spearman));
      const ridgeMae = Math.min(readme.mae, ...ridges.map((x) => x.mae));
      expect(a.spearman).toBeGreaterThanOrEqual(ridgeSpearman);
      expect(a.spearman).toBeGreaterThanOrEqual(Math.max(bestJudgeSpearman(r, gold), bestJudgeSpearman(m, gold)));
      expect(a.mae).toBeLessThanOrEqual(ridgeMae);
      const c = coverage(gold, auto.low, auto.high);
      expect(c).toBeGreaterThanOrEqual(0.75);
      expect(c).toBeLessThanOrEqual(0.85);
      measured.set(set, { auto: a.spearman, ridge: ridgeSpearman });
    });
  });
}

// Runs after the per-set tests (vitest runs a file's tests in order): the mean target needs all three.
describe.skipIf(SETS.some((set) => sharedData(set) === null))('the three rating dev sets', () => {
  it("auto's mean Spearman is at least the ridge's mean + 0.02", () => {
    expect([...measured.keys()].sort()).toEqual([...SETS].sort());
    const mean = (f: (x: { auto: number; ridge: number }) => number): number => [...measured.values()].reduce((s, x) => s + f(x), 0) / measured.size;
    expect(mean((x) => x.auto)).toBeGreaterThanOrEqual(mean((x) => x.ridge) + 0.02);
  });
});
