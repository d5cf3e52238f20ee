import { describe, expect, it } from 'vitest';
import { autoStrategy, FALLBACK_PREFIX } from '../../src/fuse/auto.js';
import { crossValidateStrategy } from '../../src/fuse/cross-validate.js';
import { innerScore } from '../../src/fuse/inner-cv.js';
import { checkMixture, collapseRight, type CheckCandidate, mixPredictions } from '../../src/fuse/mixture-check.js';
import { fitMixtureWeights, pruneWeights } from '../../src/fuse/mixture-weights.js';
import type { FusedPrediction } from '../../src/fuse/strategy.js';
import { summarizePicks } from '../../src/eval/mixture-summary.js';
import { prepareQa } from '../../src/qa/prepare.js';
import { seededRandom } from '../../src/util/random.js';
import { selectGold } from '../../src/validation/folds.js';
import { selectItems, selectRows } from '../../src/fuse/answer-matrix.js';
import { fromVotes } from './helpers.js';
import { type CandidateWorld, complementaryWorld, junkWorld } from './mixture-check-worlds.js';
import { syntheticFreeFormFolder } from '../qa/synthetic.js';

const labelsOf = (K: number) => Array.from({ length: K }, (_, k) => `l${k}`);
const all = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Classification: macro-F1 over a fixed label set, as `auto` scores it. */
function classificationScore(w: CandidateWorld) {
  return (rows: ArrayLike<number>, p: FusedPrediction) => innerScore(Int32Array.from(rows, (r) => w.gold[r] as number), p, { labels: labelsOf(w.K) });
}

/**
 * QA: the columns are each item's answer clusters and the column after the gold one is right too
 * (two phrasings judged right); accuracy of the named column, as `auto` scores candidate-wise rows.
 */
function qaWorld(w: CandidateWorld): { world: CandidateWorld; score: (rows: ArrayLike<number>, p: FusedPrediction) => number } {
  const { K, gold } = w;
  const n = gold.length;
  const right = new Uint8Array(n * K);
  for (let i = 0; i < n; i++) right[i * K + (((gold[i] as number) + 1) % K)] = 1;
  const candidates = labelsOf(K);
  const answers = { labels: candidates, candidates: Array.from({ length: n }, () => candidates) };
  const world = { ...w, candidates: w.candidates.map((c) => ({ ...c, likelihood: collapseRight(c.probs, gold, right, K) })) };
  const score = (rows: ArrayLike<number>, p: FusedPrediction) => {
    const r = new Uint8Array(rows.length * K);
    for (let x = 0; x < rows.length; x++) r.set(right.subarray((rows[x] as number) * K, ((rows[x] as number) + 1) * K), x * K);
    return innerScore(Int32Array.from(rows, (i) => gold[i] as number), p, answers, r);
  };
  return { world, score };
}

function check(w: CandidateWorld, score: (rows: ArrayLike<number>, p: FusedPrediction) => number, seed: number) {
  return checkMixture(w.candidates, w.gold, w.K, score, seed);
}

/** The mixture fitted on all rows of `train`, scored on the rows of a fresh world, against the good candidate there. */
function freshLoss(train: CandidateWorld, fresh: CandidateWorld, score: (rows: ArrayLike<number>, p: FusedPrediction) => number): number {
  const n = fresh.gold.length;
  const weights = pruneWeights(fitMixtureWeights(train.candidates.map((c) => c.likelihood), train.gold, train.K));
  const mixed = mixPredictions(fresh.candidates, weights, n, fresh.K);
  return score(all(n), fresh.candidates[0] as CheckCandidate) - score(all(n), mixed);
}

const SEEDS = Array.from({ length: 20 }, (_, s) => s + 1);
const JUNK = { n: 60, K: 4, junk: 30, accuracy: 0.75, confidence: 0.35 };

describe('checkMixture: auto falls back to its best candidate only when the mixture loses by more than noise', () => {
  for (const kind of ['classification', 'qa'] as const) {
    const make = (w: CandidateWorld) => (kind === 'qa' ? qaWorld(w) : { world: w, score: classificationScore(w) });

    it(`${kind}: many confident junk candidates on few items: the mixture overfits them, and the fallback fires`, () => {
      let fired = 0;
      let lost = 0;
      for (const seed of SEEDS) {
        const { world, score } = make(junkWorld({ ...JUNK, seed }));
        const c = check(world, score, seed);
        if (c.chosen === 'best-candidate') {
          fired++;
          expect(c.best).toBe('good');
          expect(c.why).toMatch(/^fell back to good/);
        }
        // The mechanism is real: on new rows the mixture fitted on these is below the good candidate.
        const fresh = make(junkWorld({ ...JUNK, n: 2000, seed: seed + 1000 }));
        if (freshLoss(world, fresh.world, fresh.score) > 0.02) lost++;
      }
      expect(lost).toBeGreaterThanOrEqual(15);
      expect(fired).toBeGreaterThanOrEqual(12);
    });

    it(`${kind}: the same good candidate without junk, or with enough rows: the mixture holds and is kept`, () => {
      for (const seed of SEEDS.slice(0, 4)) {
        const clean = make(junkWorld({ ...JUNK, junk: 0, seed }));
        expect(check(clean.world, clean.score, seed).chosen).toBe('mixture');
        const many = make(junkWorld({ ...JUNK, n: 400, seed }));
        expect(check(many.world, many.score, seed).chosen).toBe('mixture');
      }
    });

    it(`${kind}: two candidates that each know half of the items: mixing genuinely helps and the fallback never fires`, () => {
      for (const seed of SEEDS) {
        const { world, score } = make(complementaryWorld({ n: 60, K: 4, seed }));
        const c = check(world, score, seed);
        expect(c.chosen).toBe('mixture');
        expect(c.mixtureScore).toBeGreaterThan(c.bestScore);
      }
    });
  }

  it('a tie is no loss: identical candidates keep the mixture', () => {
    const w = junkWorld({ ...JUNK, junk: 0, seed: 3 });
    const twin = { ...w, candidates: [w.candidates[0] as CheckCandidate, { ...(w.candidates[0] as CheckCandidate), name: 'twin' }] };
    const c = check(twin, classificationScore(twin), 3);
    expect(c.chosen).toBe('mixture');
    expect(c.mixtureScore).toBe(c.bestScore);
  });
});

/** Few items, one strong model and many junk models (classification). */
function junkModels(seed: number) {
  const r = seededRandom(seed);
  const n = 60;
  const K = 4;
  const J = 12;
  const gold = Int32Array.from({ length: n }, () => Math.floor(r() * K));
  const votes = Array.from(gold, (g) => [r() < 0.85 ? g : (g + 1) % K, ...Array.from({ length: J }, () => Math.floor(r() * K))]);
  return { matrix: fromVotes(labelsOf(K), ['strong', ...Array.from({ length: J }, (_, j) => `junk${j}`)], votes), gold };
}

interface CheckState {
  picked: string;
  check?: { chosen: string; best: string; why: string };
  components: { name: string; weight: number }[];
}

describe('auto records its check, for classification and QA, decided on the training rows only', () => {
  it('classification: the state says which was used and why; a fallback is one component, marked in its pick; it survives a save and load', () => {
    const { matrix, gold } = junkModels(1);
    const fitted = autoStrategy.fit(matrix, gold, { seed: 1 });
    const s = fitted.state() as CheckState;
    expect(s.check?.why).toMatch(/^(kept the mixture|fell back to )/);
    if (s.check?.chosen === 'best-candidate') {
      expect(s.picked.startsWith(FALLBACK_PREFIX)).toBe(true);
      expect(s.components).toEqual([expect.objectContaining({ name: s.check.best, weight: 1 })]);
    } else expect(s.picked.startsWith(FALLBACK_PREFIX)).toBe(false);
    const restored = autoStrategy.load(JSON.parse(JSON.stringify(s)), matrix.labels);
    expect(restored.state()).toEqual(s);
    expect(Array.from(restored.predict(matrix).probs)).toEqual(Array.from(fitted.predict(matrix).probs));
  });

  it('a state saved before the check existed still loads', () => {
    const { matrix, gold } = junkModels(2);
    const { check: _check, ...old } = autoStrategy.fit(matrix, gold, { seed: 2 }).state() as CheckState;
    expect(() => autoStrategy.load(old, matrix.labels)).not.toThrow();
  });

  it('classification: each outer fold\'s fit (check included) is the fit on its training rows alone: no test row reaches the choice', () => {
    const { matrix, gold } = junkModels(3);
    const cv = crossValidateStrategy(autoStrategy, matrix, gold, { folds: 3, seed: 3 });
    cv.folds.forEach((test, f) => {
      const train = all(gold.length).filter((i) => !test.includes(i));
      const alone = autoStrategy.fit(selectItems(matrix, train), selectGold(gold, train), { seed: 3 + 1000 * (f + 1) });
      expect(cv.fitted[f]?.state()).toEqual(alone.state());
      expect((alone.state() as CheckState).check?.why).toMatch(/^(kept the mixture|fell back to )/);
    });
  });

  it('QA: each outer fold\'s fit (check included) is the fit on its training rows and their right answers alone', () => {
    const folder = syntheticFreeFormFolder(60, [0.9, ...Array<number>(8).fill(0.2)], 1, [1, 2, 3, 4, 5, 6, 7, 8]);
    const p = prepareQa(folder);
    const { matrix } = p.candidates;
    const K = matrix.labels.length;
    const cv = crossValidateStrategy(autoStrategy, matrix, p.goldColumn, { folds: 3, seed: 1, right: p.rightColumns });
    cv.folds.forEach((test, f) => {
      const train = all(p.goldColumn.length).filter((i) => !test.includes(i));
      const alone = autoStrategy.fit(selectItems(matrix, train), selectGold(p.goldColumn, train), { seed: 1 + 1000 * (f + 1), right: selectRows(p.rightColumns, K, train) });
      expect(cv.fitted[f]?.state()).toEqual(alone.state());
      expect((alone.state() as CheckState).check?.why).toMatch(/^(kept the mixture|fell back to )/);
    });
  });

  it('the leaderboard note counts the folds that fell back', () => {
    const s = summarizePicks([`${FALLBACK_PREFIX}best-model*1.00`, 'stacking(C=1)*0.60+best-model*0.40']);
    expect(s.fallbacks).toBe(1);
    expect(s.components[0]).toEqual({ name: 'best-model', weight: 0.7 });
    expect(s.text).toBe('best-model 0.70, stacking 0.30, mean over 2 folds; fell back to its best candidate in 1 of 2 folds (the mixture lost on the training folds)');
  });
});
