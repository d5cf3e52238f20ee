import { describe, expect, it } from 'vitest';
import { dawidSkene, dawidSkeneStrategy, oneCoinDawidSkeneStrategy } from '../../src/fuse/dawid-skene.js';
import { hardVotes } from '../../src/fuse/votes.js';
import { majorityVoteStrategy } from '../../src/fuse/majority-vote.js';
import type { FusedPrediction } from '../../src/fuse/strategy.js';
import { scoreClassification } from '../../src/validation/metrics.js';
import { STRONG_FEW_WORLD, WORLDS } from '../support/crowd-world-specs.js';
import { makeWorld, type World } from '../support/crowd-worlds.js';
import { textbookDawidSkene } from '../support/textbook-dawid-skene.js';

const SEEDS = [1, 2, 3];
const f1 = (w: World, p: FusedPrediction): number => scoreClassification(w.gold, p, w.matrix.labels).macroF1;
const unlabelled = (w: World) => new Int32Array(w.gold.length).fill(-1);
const vote = (w: World) => f1(w, majorityVoteStrategy.fit(w.matrix, unlabelled(w), { seed: 1 }).predict(w.matrix));

/**
 * Unsupervised Dawid-Skene on synthetic crowds with known truth (test/support/crowd-world-specs.ts),
 * against the vote and the textbook EM (full confusion matrices, 50 iterations from the vote).
 */
describe('dawid-skene on synthetic crowds of 100 voters', () => {
  const world = WORLDS[0];
  if (!world) throw new Error('no worlds');
  for (const seed of SEEDS) {
    it(`${world.name}, seed ${seed}: strong independent voters are not merged into one voice; both variants hold the vote`, () => {
      const w = makeWorld(world, seed);
      const v = vote(w);
      // The textbook EM holds here: the crowd is easy.
      expect(f1(w, textbookDawidSkene(w.matrix))).toBeGreaterThanOrEqual(v - 0.01);
      for (const s of [dawidSkeneStrategy, oneCoinDawidSkeneStrategy]) {
        const f = s.fit(w.matrix, unlabelled(w), { seed: 1 });
        expect(f1(w, f.predict(w.matrix)), s.name).toBeGreaterThanOrEqual(v - 0.01);
        const guard = (f.state() as { guard: { duplicateModels: string[][] } }).guard;
        expect(guard.duplicateModels.flat().filter((m) => m.startsWith('skilled'))).toEqual([]);
      }
    });
  }

  // Families of near-copies that are a minority of the crowd: each down-weighted by the dependence
  // test given the class (src/fuse/dawid-skene-dependence.ts), so neither variant follows a family
  // below the vote, including a family of copies of a strong voter. Without the test both variants
  // fall 0.06-0.21 below the vote on their worst seed here.
  for (const name of ['families, spammers, one-label voters', 'few items', 'many labels, skewed', 'a family of copies of a strong voter']) {
    const spec = WORLDS.find((w) => w.name.startsWith(name));
    if (!spec) throw new Error(`no world ${name}`);
    it(`${spec.name}: on every seed both variants hold the vote`, () => {
      for (const seed of SEEDS) {
        const w = makeWorld(spec, seed);
        const v = vote(w);
        for (const s of [dawidSkeneStrategy, oneCoinDawidSkeneStrategy]) expect(f1(w, s.fit(w.matrix, unlabelled(w), { seed: 1 }).predict(w.matrix)), `${s.name}, seed ${seed}`).toBeGreaterThanOrEqual(v - 0.01);
      }
    }, 60_000);
  }

  for (const name of ['strong crowd, a correlated weak family', 'families, spammers, one-label voters']) {
    const spec = WORLDS.find((w) => w.name.startsWith(name));
    if (!spec) throw new Error(`no world ${name}`);
    it(`${spec.name}: the state names every family member as down-weighted, and no other voter`, () => {
      const w = makeWorld(spec, 1);
      const copies = w.matrix.models.filter((_, j) => w.kinds[j] === 'copies');
      for (const s of [dawidSkeneStrategy, oneCoinDawidSkeneStrategy]) {
        const f = s.fit(w.matrix, unlabelled(w), { seed: 1 });
        const down = (f.state() as { guard: { dependentModels?: [string, number][] } }).guard.dependentModels ?? [];
        expect(down.map(([m]) => m).sort(), s.name).toEqual([...copies].sort());
        // Each family (10-30 members) keeps a few voters' worth at most.
        for (const [, weight] of down) expect(weight).toBeLessThanOrEqual(0.2);
        const why = f.explain?.(w.matrix, 0) ?? [];
        expect(why.filter((c) => copies.includes(c.model)).every((c) => Math.abs(c.weight) < 0.5)).toBe(true);
      }
    }, 60_000);
  }

  it('over every world and seed: both variants at least the textbook EM and the vote on average', () => {
    const sums = { vote: 0, textbook: 0, 'dawid-skene': 0, 'dawid-skene-one-coin': 0 };
    let n = 0;
    for (const spec of WORLDS) {
      for (const seed of SEEDS) {
        const w = makeWorld(spec, seed);
        sums.vote += vote(w);
        sums.textbook += f1(w, textbookDawidSkene(w.matrix));
        for (const s of [dawidSkeneStrategy, oneCoinDawidSkeneStrategy]) sums[s.name as 'dawid-skene'] += f1(w, s.fit(w.matrix, unlabelled(w), { seed: 1 }).predict(w.matrix));
        n++;
      }
    }
    for (const name of ['dawid-skene', 'dawid-skene-one-coin'] as const) {
      expect(sums[name] / n, name).toBeGreaterThanOrEqual(sums.textbook / n);
      expect(sums[name] / n, name).toBeGreaterThanOrEqual(sums.vote / n);
    }
  }, 180_000);

  // The mirror image of a minority family (issue 19, branch stress13): a strong few among a weak
  // crowd that shares a tempting wrong answer, on few items. Without the dependence test EM finds the
  // strong few on most seeds; with it they are taken for a family from the vote's latent and
  // down-weighted, and both variants fall far below the vote. Not solved: the answers alone do not
  // say which block tracks the truth (see dawid-skene-dependence.ts, "Limit"). `it.fails` turns
  // green-to-red when it is.
  describe(STRONG_FEW_WORLD.name, () => {
    const strong = (w: World) => w.matrix.models.filter((m) => m.startsWith('skilled-1-'));
    it('the dependence test down-weights the strong few, and the same EM without it does far better on every seed', () => {
      for (const seed of SEEDS) {
        const w = makeWorld(STRONG_FEW_WORLD, seed);
        const f = dawidSkeneStrategy.fit(w.matrix, unlabelled(w), { seed: 1 });
        const dependent = ((f.state() as { guard: { dependentModels?: [string, number][] } }).guard.dependentModels ?? []).map(([m]) => m);
        expect(dependent, `seed ${seed}`).toEqual(expect.arrayContaining(strong(w)));
        const r = dawidSkene(hardVotes(w.matrix), w.gold.length, w.matrix.models.length, w.matrix.labels.length, { variant: 'full', dependence: false });
        expect(f1(w, { probs: r.posteriors, decided: r.decided }), `seed ${seed}`).toBeGreaterThan(f1(w, f.predict(w.matrix)) + 0.05);
      }
    });
    // Why no rule over the answers found here fixes it (branch ds14, bench/dawid-skene-fixed-points.ts):
    // the truth IS a fixed point of the dependence-weighted EM, far above the vote, but neither the
    // vote nor the EM without the test leads to it, and the statistics that could choose between
    // fixed points (likelihood per unit weight, pairs found dependent) point the wrong way in the
    // families world, where the fixed point reached from EM without the test is the wrong one.
    it('the truth is a fixed point far above the vote, reached neither from the vote nor from EM without the test', () => {
      for (const seed of SEEDS) {
        const w = makeWorld(STRONG_FEW_WORLD, seed);
        const N = w.gold.length;
        const K = w.matrix.labels.length;
        const votes = hardVotes(w.matrix);
        const M = w.matrix.models.length;
        const truth = new Float64Array(N * K);
        w.gold.forEach((g, i) => (truth[i * K + g] = 1));
        const plain = dawidSkene(votes, N, M, K, { variant: 'full' });
        const from = (start?: Float64Array) => {
          const r = dawidSkene(votes, N, M, K, { variant: 'full', dependence: true, ...(start ? { start } : {}) });
          return f1(w, { probs: r.posteriors, decided: r.decided });
        };
        const v = vote(w);
        expect(from(truth), `seed ${seed}`).toBeGreaterThan(v + 0.1);
        expect(from(), `seed ${seed}`).toBeLessThan(v);
        expect(from(plain.posteriors), `seed ${seed}`).toBeLessThan(v);
      }
    });
    it('start: posteriors of the wrong length are refused', () => {
      const w = makeWorld(STRONG_FEW_WORLD, 1);
      expect(() => dawidSkene(hardVotes(w.matrix), w.gold.length, w.matrix.models.length, w.matrix.labels.length, { variant: 'full', start: new Float64Array(3) })).toThrow(/start: expected/);
    });
    it.fails('on every seed both variants hold the vote', () => {
      for (const seed of SEEDS) {
        const w = makeWorld(STRONG_FEW_WORLD, seed);
        for (const s of [dawidSkeneStrategy, oneCoinDawidSkeneStrategy]) expect(f1(w, s.fit(w.matrix, unlabelled(w), { seed: 1 }).predict(w.matrix)), `${s.name}, seed ${seed}`).toBeGreaterThanOrEqual(vote(w) - 0.01);
      }
    });
  });
});
