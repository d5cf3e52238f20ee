import { describe, expect, it } from 'vitest';
import { StrategyError } from '../../../src/fuse/strategy.js';
import { autoRating } from '../../../src/kinds/rating/auto.js';
import { calibratedRating } from '../../../src/kinds/rating/calibrated.js';
import { fitJudgeModel, judgeModelRating } from '../../../src/kinds/rating/judge-model.js';
import { meanRating } from '../../../src/kinds/rating/mean.js';
import { medianRating } from '../../../src/kinds/rating/median.js';
import { outOfFoldRatings } from '../../../src/kinds/rating/out-of-fold.js';
import { getRatingStrategy, RATING_STRATEGIES } from '../../../src/kinds/rating/registry.js';
import { reliabilityWeightedRating } from '../../../src/kinds/rating/reliability-weighted.js';
import { stackingRating } from '../../../src/kinds/rating/stacking.js';
import { trimmedMeanRating, trimmedMeanOf } from '../../../src/kinds/rating/trimmed-mean.js';
import { coverage, judgeScores, mae, spearman, world, type JudgeSpec } from './worlds.js';

const NaNs = (n: number): Float64Array => new Float64Array(n).fill(Number.NaN);

/** Biased, noisy, constant, copied and half-missing judges on one world. */
const HOSTILE: JudgeSpec[] = [
  { bias: 2, slope: 0.6, noise: 0.8 },
  { bias: -1, slope: 1.2, noise: 1 },
  { noise: 4 },
  { constant: 8 },
  { copyOf: 2 },
  { bias: 1, noise: 1, missing: 0.5 },
];

describe('central strategies', () => {
  it('mean, median and trimmed mean summarise the readable scores; undecided where none', () => {
    const m = world({ items: 3, judges: [{ noise: 0 }, { noise: 0 }, { noise: 0 }], seed: 1 }).matrix;
    m.scores.set([1, 2, 9, Number.NaN, 4, Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
    const opts = { seed: 1 };
    expect(Array.from(meanRating.fit(m, NaNs(3), opts).predict(m).score)).toEqual([4, 4, Number.NaN]);
    expect(Array.from(medianRating.fit(m, NaNs(3), opts).predict(m).score)).toEqual([2, 4, Number.NaN]);
    expect(Array.from(trimmedMeanRating.fit(m, NaNs(3), opts).predict(m).score)).toEqual([2, 4, Number.NaN]);
    expect(trimmedMeanOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 100])).toBeCloseTo(5.5);
  });

  it('the trimmed mean resists one judge far off where the mean does not', () => {
    const w = world({ items: 400, judges: [{ noise: 1 }, { noise: 1 }, { noise: 1 }, { noise: 1 }, { constant: 0 }], seed: 2 });
    const mean = meanRating.fit(w.matrix, NaNs(400), { seed: 1 }).predict(w.matrix).score;
    const trimmed = trimmedMeanRating.fit(w.matrix, NaNs(400), { seed: 1 }).predict(w.matrix).score;
    expect(mae(trimmed, w.truth)).toBeLessThan(mae(mean, w.truth) - 0.5);
  });
});

describe('supervised strategies on a hostile world', () => {
  const w = world({ items: 1200, judges: HOSTILE, seed: 3 });
  const oof = (name: string) => outOfFoldRatings(getRatingStrategy(name), w.matrix, w.gold, { folds: 5, seed: 1 });
  // The constant judge has no rank correlation (NaN): left out.
  const bestJudge = Math.max(...w.matrix.judges.map((_, j) => spearman(judgeScores(w.matrix, j).map((x) => (Number.isNaN(x) ? 5 : x)), w.gold)).filter((r) => !Number.isNaN(r)));

  it('reliability-weighted down-weights the noisy, constant and copied judges', () => {
    const fitted = reliabilityWeightedRating.fit(w.matrix, w.gold, { seed: 1 });
    const profile = fitted.judgeProfile?.() ?? [];
    const weight = (j: number): number => profile[j]?.weight ?? 0;
    expect(weight(2)).toBeLessThan(weight(1));
    expect(weight(3)).toBeLessThan(weight(1));
    expect(profile[0]?.bias).toBeGreaterThan(0);
  });

  it('calibrated, stacking and auto beat the mean and the best single judge out of fold', () => {
    const mean = oof('mean');
    for (const name of ['calibrated', 'stacking', 'auto']) {
      const p = oof(name);
      expect(spearman(p.score, w.gold), name).toBeGreaterThan(bestJudge);
      expect(mae(p.score, w.gold), name).toBeLessThan(mae(mean.score, w.gold));
    }
  });

  it('best-model (the name every kind gives its best single model) keeps one judge, calibrated: the least noisy, out of fold near its own error', () => {
    const fitted = getRatingStrategy('best-model').fit(w.matrix, w.gold, { seed: 1 });
    // One judge alone moves the fused score, the one whose noise is smallest against its slope (judge 1: 1 / 1.2).
    const J = w.matrix.judges.length;
    const base = Array.from(fitted.predict(w.matrix).score);
    const moves = w.matrix.judges.map((_, j) => {
      const scores = Float64Array.from(w.matrix.scores, (x, k) => (k % J === j ? 5 : x));
      return Array.from(fitted.predict({ ...w.matrix, scores }).score).some((x, i) => x !== base[i]);
    });
    expect(moves.flatMap((m, j) => (m ? [j] : []))).toEqual([1]);
    const p = oof('best-model');
    // Calibrated onto the gold scale, the best judge's error is the error of its noise, well under the mean's.
    expect(mae(p.score, w.gold)).toBeLessThan(mae(oof('mean').score, w.gold));
    expect(spearman(p.score, w.gold)).toBeCloseTo(bestJudge, 1);
  });

  it('auto is not worse than its best candidate by more than noise', () => {
    const auto = mae(oof('auto').score, w.gold);
    const best = Math.min(...['calibrated', 'stacking', 'reliability-weighted'].map((n) => mae(oof(n).score, w.gold)));
    expect(auto).toBeLessThan(best * 1.03);
  });

  it('80% intervals hold the gold for about 80% of items, out of fold, for every strategy', () => {
    // 1200 items: the binomial standard deviation of the coverage is about 0.012.
    for (const s of RATING_STRATEGIES) {
      const p = outOfFoldRatings(s, w.matrix, w.gold, { folds: 5, seed: 2 });
      const c = coverage(w.gold, p.low, p.high);
      expect(c, s.name).toBeGreaterThan(0.75);
      expect(c, s.name).toBeLessThan(0.85);
      for (let i = 0; i < p.score.length; i++) {
        if (Number.isNaN(p.score[i] as number)) continue;
        expect(p.low[i]).toBeLessThanOrEqual(p.score[i] as number);
        expect(p.high[i]).toBeGreaterThanOrEqual(p.score[i] as number);
        expect(p.low[i]).toBeGreaterThanOrEqual(0);
        expect(p.high[i]).toBeLessThanOrEqual(10);
      }
    }
    // Every strategy out of fold, adaptive's auto per prefix of its judges among them: a loaded machine needs more than the default.
  }, 180_000);

  it('a 95% level widens the intervals and covers about 95%', () => {
    const p80 = outOfFoldRatings(autoRating, w.matrix, w.gold, { folds: 5, seed: 1 });
    const p95 = outOfFoldRatings(autoRating, w.matrix, w.gold, { folds: 5, seed: 1, level: 0.95 });
    expect(coverage(w.gold, p95.low, p95.high)).toBeGreaterThan(0.92);
    expect(coverage(w.gold, p95.low, p95.high)).toBeGreaterThan(coverage(w.gold, p80.low, p80.high));
  });
});

describe('criterion headers', () => {
  // Judge 0's score means a different gold per criterion; the truth also shifts per criterion.
  const judges: JudgeSpec[] = [
    { noise: 0.8, headerBias: [3, 0, -3] },
    { noise: 1.5, headerBias: [-2, 2, 0] },
  ];
  const w = world({ items: 900, judges, seed: 4, headers: 3, headerShift: [-2, 0, 2] });

  it('calibrated and stacking learn a map per header, the mean cannot', () => {
    const mean = outOfFoldRatings(meanRating, w.matrix, w.gold, { folds: 5, seed: 1 });
    for (const s of [calibratedRating, stackingRating]) {
      const p = outOfFoldRatings(s, w.matrix, w.gold, { folds: 5, seed: 1 });
      expect(spearman(p.score, w.gold), s.name).toBeGreaterThan(spearman(mean.score, w.gold) + 0.1);
    }
  });

  it('calibrated without the header (features removed) does worse: the header is what it uses', () => {
    const bare = { ...w.matrix, features: [] };
    const withHeader = outOfFoldRatings(calibratedRating, w.matrix, w.gold, { folds: 5, seed: 1 });
    const without = outOfFoldRatings(calibratedRating, bare, w.gold, { folds: 5, seed: 1 });
    expect(mae(withHeader.score, w.gold)).toBeLessThan(mae(without.score, w.gold) - 0.2);
  });
});

describe('judge model (no gold)', () => {
  it('recovers each judge bias and slope and ranks the judges by noise', () => {
    const judges: JudgeSpec[] = [
      { bias: 0, slope: 1, noise: 0.5 },
      { bias: 2, slope: 0.5, noise: 0.5 },
      { bias: 1, slope: 0.8, noise: 1 },
      { noise: 2 },
    ];
    const w = world({ items: 2000, judges, seed: 5, goldNoise: 0 });
    const s = fitJudgeModel(w.matrix);
    // The latent is standardised: b_j / b_0 recovers the slopes' ratio, a_j - a_0 the biases at the mean truth.
    expect((s.b[1] as number) / (s.b[0] as number)).toBeCloseTo(0.5, 1);
    expect((s.b[2] as number) / (s.b[0] as number)).toBeCloseTo(0.8, 1);
    const profile = judgeModelRating.fit(w.matrix, NaNs(2000), { seed: 1 }).judgeProfile?.() ?? [];
    expect(profile[3]?.weight).toBeLessThan(profile[2]?.weight as number);
    expect(profile[2]?.weight).toBeLessThan(profile[0]?.weight as number);
    expect(profile[3]?.noise).toBeGreaterThan(profile[2]?.noise as number);
    expect(profile[2]?.noise).toBeGreaterThan(profile[0]?.noise as number);
    // Biases at the mean quality (truth 5): judge 1 says 2 + 0.5 * 5 = 4.5 where judge 0 says 5.
    expect((profile[1]?.bias as number) - (profile[0]?.bias as number)).toBeCloseTo(-0.5, 1);
  });

  it('beats the mean on biased and noisy judges, gives a constant judge no weight, is not captured by copies', () => {
    const w = world({ items: 1500, judges: HOSTILE, seed: 6, goldNoise: 0 });
    const fitted = judgeModelRating.fit(w.matrix, NaNs(1500), { seed: 1 });
    const jm = fitted.predict(w.matrix).score;
    const mean = meanRating.fit(w.matrix, NaNs(1500), { seed: 1 }).predict(w.matrix).score;
    expect(spearman(jm, w.truth)).toBeGreaterThan(spearman(mean, w.truth) + 0.02);
    const profile = fitted.judgeProfile?.() ?? [];
    expect(profile[3]?.weight).toBeLessThan(0.01);
    // The noisy judge and its copy together weigh less than the best judge alone.
    expect((profile[2]?.weight as number) + (profile[4]?.weight as number)).toBeLessThan(profile[0]?.weight as number);
    const withoutCopy = world({ items: 1500, judges: HOSTILE.slice(0, 4).concat([{ constant: 8 }, HOSTILE[5] as JudgeSpec]), seed: 6, goldNoise: 0 });
    const clean = judgeModelRating.fit(withoutCopy.matrix, NaNs(1500), { seed: 1 }).predict(withoutCopy.matrix).score;
    expect(Math.abs(spearman(jm, w.truth) - spearman(clean, withoutCopy.truth))).toBeLessThan(0.03);
  });

  it('copes with few items and missing answers', () => {
    const w = world({ items: 12, judges: [{ noise: 0.5 }, { noise: 0.5, missing: 0.4 }, { bias: 1, noise: 1, missing: 0.4 }], seed: 7 });
    const p = judgeModelRating.fit(w.matrix, NaNs(12), { seed: 1 }).predict(w.matrix);
    expect(p.score.every((x) => Number.isFinite(x))).toBe(true);
    expect(spearman(p.score, w.truth)).toBeGreaterThan(0.7);
  });
});

describe('few items', () => {
  it('every strategy fits and predicts on 8 labelled items', () => {
    const w = world({ items: 8, judges: HOSTILE, seed: 8 });
    for (const s of RATING_STRATEGIES) {
      const p = s.fit(w.matrix, w.gold, { seed: 1 }).predict(w.matrix);
      expect(p.score.filter((x) => Number.isNaN(x)).length, s.name).toBe(0);
    }
  });

  it('without any judge, every strategy leaves items undecided or refuses with a StrategyError', () => {
    const w = world({ items: 20, judges: [], seed: 12 });
    for (const s of RATING_STRATEGIES) {
      let score: Float64Array | null = null;
      try {
        score = s.fit(w.matrix, w.gold, { seed: 1 }).predict(w.matrix).score;
      } catch (e) {
        expect(e, s.name).toBeInstanceOf(StrategyError);
      }
      if (score) expect(score.every((x) => Number.isNaN(x)), s.name).toBe(true);
    }
  });

  it('supervised strategies refuse training items without gold', () => {
    const w = world({ items: 20, judges: HOSTILE, seed: 9 });
    for (const s of RATING_STRATEGIES.filter((x) => x.supervised)) expect(() => s.fit(w.matrix, NaNs(20), { seed: 1 }), s.name).toThrow(StrategyError);
  });
});

describe('state round trips', () => {
  it('load(state()) predicts the same scores and intervals for every strategy', () => {
    const w = world({ items: 300, judges: HOSTILE, seed: 10, headers: 3, headerShift: [0, 1, -1] });
    for (const s of RATING_STRATEGIES) {
      const fitted = s.fit(w.matrix, w.gold, { seed: 1 });
      const restored = s.load(JSON.parse(JSON.stringify(fitted.state())), w.matrix.scale);
      const a = fitted.predict(w.matrix);
      const b = restored.predict(w.matrix);
      expect(Array.from(b.score), s.name).toEqual(Array.from(a.score));
      expect(Array.from(b.low), s.name).toEqual(Array.from(a.low));
      expect(Array.from(b.high), s.name).toEqual(Array.from(a.high));
      expect(restored.picked?.(), s.name).toEqual(fitted.picked?.());
    }
  });

  it('load refuses a malformed state with a StrategyError', () => {
    for (const s of RATING_STRATEGIES) expect(() => s.load({ level: 0.8, halfWidth: 1, point: { nonsense: true } }, { min: 0, max: 10 }), s.name).toThrow(StrategyError);
  });

  it('getRatingStrategy names the known strategies for an unknown name', () => {
    expect(() => getRatingStrategy('nope')).toThrow(/known: mean, median, trimmed-mean, reliability-weighted, calibrated, best-model, stacking, judge-model, auto/);
  });
});
