import { describe, expect, it } from 'vitest';
import { decisions } from '../../src/validation/metrics.js';
import { type AnswerMatrix, candidateCount, emptyMatrix, setAnswer } from '../../src/fuse/answer-matrix.js';
import { collapseOf, dawidSkene, dawidSkeneStrategy, oneCoinDawidSkeneStrategy } from '../../src/fuse/dawid-skene.js';
import { majorityVote } from '../../src/fuse/majority-vote.js';
import { type FusedPrediction, StrategyError } from '../../src/fuse/strategy.js';
import { screenVoters } from '../../src/fuse/voter-screen.js';
import { hardVotes } from '../../src/fuse/votes.js';
import { seededRandom } from '../../src/util/random.js';

const UNLABELLED = (n: number) => new Int32Array(n).fill(-1);

interface Guard {
  used: string;
  constantModels: string[];
  duplicateModels: string[][];
  dependentModels?: [string, number][];
  note: string;
}
const guardOf = (state: unknown): Guard => (state as { guard: Guard }).guard;

function accuracy(p: FusedPrediction, gold: Int32Array, K: number): number {
  const d = decisions(p.probs, p.decided, K);
  let c = 0;
  for (let i = 0; i < gold.length; i++) if (d[i] === gold[i]) c++;
  return c / gold.length;
}

/**
 * The trap: a few good voters, many voters that always answer the first label, and a block of
 * voters copying one weak voter (`fidelity` of the time, else answering on their own). Plain EM
 * takes the block's agreement for reliability and follows the weak voter.
 */
function trap(seed: number, fidelity: number): { matrix: AnswerMatrix; gold: Int32Array } {
  const random = seededRandom(seed);
  const K = 3;
  const N = 600;
  const good = 3;
  const constant = 6;
  const copies = 5;
  const models = [
    ...Array.from({ length: good }, (_, j) => `good-${j}`),
    ...Array.from({ length: constant }, (_, j) => `constant-${j}`),
    ...Array.from({ length: copies }, (_, j) => `copy-${j}`),
  ];
  const matrix = emptyMatrix(['a', 'b', 'c'], models, Array.from({ length: N }, (_, i) => `item-${i}`));
  const gold = new Int32Array(N);
  const noisy = (t: number, acc: number) => (random() < acc ? t : (t + 1 + Math.floor(random() * (K - 1))) % K);
  const put = (i: number, j: number, k: number) => {
    const d = new Float64Array(K);
    d[k] = 1;
    setAnswer(matrix, i, j, d);
  };
  for (let i = 0; i < N; i++) {
    const t = Math.floor(random() * K);
    gold[i] = t;
    for (let j = 0; j < good; j++) put(i, j, noisy(t, 0.75));
    for (let j = 0; j < constant; j++) put(i, good + j, 0);
    const parrot = noisy(t, 0.3);
    for (let j = 0; j < copies; j++) put(i, good + constant + j, random() < fidelity ? parrot : noisy(t, 0.3));
  }
  return { matrix, gold };
}

describe('dawid-skene guards: the trap of constant and copying voters', () => {
  // Copies 100% faithful are merged by the screen. Known limit for 90% faithful ones: a near-copy
  // screen also merges strong independent voters (test/fuse/dawid-skene-worlds.test.ts), and the
  // dependence test given the class (dawid-skene-dependence.ts) cannot help when the family is the
  // larger block (5 copies against 3 good voters): the vote starts EM on the family's answer, and
  // given that latent the copies are independent while the good voters are the ones that agree
  // beyond chance. The two explanations are mirror images; nothing in the answers alone tells which
  // block tracks the truth. Minority families are handled: test/fuse/dawid-skene-worlds.test.ts.
  // `it.fails` turns green-to-red when this is solved.
  for (const fidelity of [1, 0.9]) {
    (fidelity === 1 ? it : it.fails)(`plain EM falls below the vote; both guarded variants stay above it and say why (copies ${fidelity * 100}% faithful)`, () => {
      const { matrix, gold } = trap(1, fidelity);
      const N = gold.length;
      const M = matrix.models.length;
      const vote = accuracy(majorityVote(matrix), gold, 3);
      // The trap is real: unguarded EM follows the copied weak voter, well below the vote.
      const raw = dawidSkene(hardVotes(matrix), N, M, 3, { variant: 'full' });
      expect(accuracy({ probs: raw.posteriors, decided: raw.decided }, gold, 3)).toBeLessThan(vote - 0.05);
      for (const s of [dawidSkeneStrategy, oneCoinDawidSkeneStrategy]) {
        const f = s.fit(matrix, UNLABELLED(N), { seed: 1 });
        const acc = accuracy(f.predict(matrix), gold, 3);
        expect(acc).toBeGreaterThanOrEqual(vote - 0.01);
        expect(acc).toBeGreaterThan(vote + 0.2);
        const g = guardOf(f.state());
        expect(g.constantModels).toEqual(['constant-0', 'constant-1', 'constant-2', 'constant-3', 'constant-4', 'constant-5']);
        expect(g.note).toContain('left out 6 constant voter(s)');
        const copies = ['copy-0', 'copy-1', 'copy-2', 'copy-3', 'copy-4'];
        if (fidelity === 1) {
          expect(g.duplicateModels).toEqual([copies]);
          expect(g.note).toContain('copy-0 = copy-1 = copy-2 = copy-3 = copy-4');
        } else {
          expect(g.duplicateModels).toEqual([]);
          // Each copy counts for well under half a voter; the good voters keep their full weight.
          const down = new Map(g.dependentModels);
          for (const c of copies) expect(down.get(c)).toBeLessThan(0.5);
          expect(['good-0', 'good-1', 'good-2'].filter((m) => down.has(m))).toEqual([]);
          expect(g.note).toMatch(/down-weighted 5 voter\(s\) that agree with others beyond chance given the class: copy-0 x0\.\d\d/);
        }
        if (g.used !== 'learned-priors') expect(g.note).toMatch(/fell back|restarted/);
        // Constant voters carry no weight in the explanation either.
        const why = f.explain?.(matrix, 0) ?? [];
        expect(why.find((c) => c.model === 'constant-0')?.weight).toBe(0);
      }
    });
  }

  it('does not take strong independent voters for copies (they agree because they are right)', () => {
    const random = seededRandom(4);
    const K = 2;
    const m = emptyMatrix(['x', 'y'], ['s1', 's2', 's3', 'w1', 'w2', 'w3'], Array.from({ length: 500 }, (_, i) => `i${i}`));
    const votes: number[] = [];
    for (let i = 0; i < 500; i++) {
      const t = i % 2;
      [0.96, 0.96, 0.96, 0.7, 0.65, 0.6].forEach((acc, j) => {
        const k = random() < acc ? t : 1 - t;
        const d = new Float64Array(K);
        d[k] = 1;
        setAnswer(m, i, j, d);
        votes.push(k);
      });
    }
    const s = screenVoters(hardVotes(m), 500, 6, (_i, k) => k);
    expect(s.duplicates).toEqual([]);
    expect(s.constant).toEqual([]);
  });
});

describe('dawid-skene guards: collapse', () => {
  it('notices a solution that collapses onto one label far beyond the vote, and ignores a small set', () => {
    const labels = ['a', 'b', 'c'];
    const m = emptyMatrix(labels, ['x'], Array.from({ length: 60 }, (_, i) => `i${i}`));
    for (let i = 0; i < 60; i++) {
      const d = new Float64Array(3);
      d[i % 3] = 1;
      setAnswer(m, i, 0, d);
    }
    const vote = majorityVote(m);
    const onA: FusedPrediction = { probs: new Float64Array(180).map((_, c) => (c % 3 === 0 ? 1 : 0)), decided: new Uint8Array(60).fill(1) };
    expect(collapseOf(onA, vote, m)).toEqual({ answer: 'a', share: 1, voteShare: 1 / 3 });
    expect(collapseOf(vote, vote, m)).toBeNull();
    const few: FusedPrediction = { probs: onA.probs.subarray(0, 30), decided: onA.decided.subarray(0, 10) };
    const m10 = { ...m, itemIds: m.itemIds.slice(0, 10) };
    expect(collapseOf(few, majorityVote(m10), m10)).toBeNull();
  });

  it('a saved state that drags every item onto one label: predict notices the collapse and restarts with uniform priors', () => {
    // Fitted elsewhere: label a has all the prior mass and model x "always right about a".
    const K = 3;
    const models = ['x', 'y', 'z'];
    const confusion = (j: number) => Array.from({ length: K * K }, (_, c) => (j === 0 ? (c % K === 0 ? 5000 : 0) : c % (K + 1) === 0 ? 10 : 1));
    const hostile = { variant: 'full', models, priorCounts: [100000, 0, 0], confusionCounts: models.map((_, j) => confusion(j)) };
    const f = dawidSkeneStrategy.load(hostile, ['a', 'b', 'c']);
    const random = seededRandom(9);
    const m = emptyMatrix(['a', 'b', 'c'], models, Array.from({ length: 90 }, (_, i) => `i${i}`));
    for (let i = 0; i < 90; i++) {
      const t = i % 3;
      models.forEach((_, j) => {
        const d = new Float64Array(K);
        d[j === 0 ? 0 : random() < 0.85 ? t : (t + 1) % 3] = 1;
        setAnswer(m, i, j, d);
      });
    }
    const p = f.predict(m);
    const vote = majorityVote(m);
    // Unguarded, EM with these counts as its prior names "a" on every item.
    const warm = { confusion: Float64Array.from(models.flatMap((_, j) => confusion(j))), priors: Float64Array.from([100000, 0, 0]) };
    const raw = dawidSkene(hardVotes(m), 90, 3, 3, { variant: 'full' }, warm);
    expect(collapseOf({ probs: raw.posteriors, decided: raw.decided }, vote, m)?.answer).toBe('a');
    expect(collapseOf(p, vote, m)).toBeNull();
    // x answers "a" on every item: left out as a constant voter, and the run restarted with uniform priors.
    const restarted = dawidSkene(hardVotes(m), 90, 3, 3, { variant: 'full', uniformPriors: true, weights: Float64Array.from([0, 1, 1]) }, warm);
    expect(Array.from(p.probs)).toEqual(Array.from(restarted.posteriors));
    const gold = Int32Array.from({ length: 90 }, (_, i) => i % 3);
    expect(accuracy(p, gold, 3)).toBeGreaterThanOrEqual(accuracy(vote, gold, 3) - 0.01);
  });
});

/**
 * Free-form answers: item i's candidates are its own answer texts, listed in a different order on
 * every item. Four junk voters give the same junk: the same text on every question ('constant'),
 * or a question-specific junk answer that they copy from one another 90% of the time ('copying').
 */
function ragged(seed: number, junk: 'constant' | 'copying' = 'constant'): { matrix: AnswerMatrix; gold: Int32Array } {
  const random = seededRandom(seed);
  const N = 300;
  const models = ['good-0', 'good-1', 'good-2', 'ok-0', 'junk-0', 'junk-1', 'junk-2', 'junk-3'];
  const M = models.length;
  const K = 5;
  const base = emptyMatrix(Array.from({ length: K }, (_, k) => `candidate ${k + 1}`), models, Array.from({ length: N }, (_, i) => `q${i}`));
  const candidates: string[][] = [];
  const gold = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    // Truth, two wrong answers and the junk every junk voter gives, in an item-specific order.
    const junkName = junk === 'constant' ? 'i do not know' : `junk-${i}`;
    const names = [`right-${i}`, `wrong-${i}-1`, `wrong-${i}-2`, junkName];
    for (let k = names.length - 1; k > 0; k--) {
      const r = Math.floor(random() * (k + 1));
      [names[k], names[r]] = [names[r] as string, names[k] as string];
    }
    candidates.push(names);
    gold[i] = names.indexOf(`right-${i}`);
    const col = (name: string) => names.indexOf(name);
    const answer = (acc: number) => (random() < acc ? col(`right-${i}`) : col(`wrong-${i}-${1 + Math.floor(random() * 2)}`));
    const junkAnswer = () => (junk === 'constant' || random() < 0.9 ? col(junkName) : answer(0.3));
    const picks = [answer(0.8), answer(0.75), answer(0.7), answer(0.55), junkAnswer(), junkAnswer(), junkAnswer(), junkAnswer()];
    picks.forEach((k, j) => {
      base.probs[(i * M + j) * K + k] = 1;
      base.present[i * M + j] = 1;
    });
  }
  return { matrix: { ...base, candidates }, gold };
}

describe('dawid-skene on per-item candidates (ragged matrix)', () => {
  it('one-coin works, looks only at the item\'s candidates, leaves the junk voters out and beats the vote', () => {
    const { matrix, gold } = ragged(3);
    const N = gold.length;
    const f = oneCoinDawidSkeneStrategy.fit(matrix, UNLABELLED(N), { seed: 1 });
    const p = f.predict(matrix);
    const K = matrix.labels.length;
    for (let i = 0; i < N; i++) {
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const v = p.probs[i * K + k] as number;
        if (k >= candidateCount(matrix, i)) expect(v).toBe(0);
        sum += v;
      }
      expect(sum).toBeCloseTo(1, 9);
    }
    const ds = accuracy(p, gold, K);
    const vote = accuracy(majorityVote(matrix), gold, K);
    expect(vote).toBeLessThan(0.2);
    expect(ds).toBeGreaterThan(0.85);
    expect(guardOf(f.state()).constantModels).toEqual(['junk-0', 'junk-1', 'junk-2', 'junk-3']);
    const why = f.explain?.(matrix, 0) ?? [];
    expect(why.map((c) => c.answer)).toContain('i do not know');
    for (const c of why) expect(Number.isFinite(c.weight) && Number.isFinite(c.influence)).toBe(true);
  });

  it('junk voters agreeing on a question-specific junk answer: plain EM takes them for the truth; guarded, it falls back to the vote and says so', () => {
    const { matrix, gold } = ragged(4, 'copying');
    const N = gold.length;
    const K = matrix.labels.length;
    const vote = accuracy(majorityVote(matrix), gold, K);
    // Unguarded, the junk block's agreement looks like reliability and the good voters look always wrong.
    const cc = Int32Array.from({ length: N }, (_, i) => candidateCount(matrix, i));
    const raw = dawidSkene(hardVotes(matrix), N, matrix.models.length, K, { variant: 'one-coin', candidateCounts: cc });
    expect(accuracy({ probs: raw.posteriors, decided: raw.decided }, gold, K)).toBeLessThan(vote / 2);
    const f = oneCoinDawidSkeneStrategy.fit(matrix, UNLABELLED(N), { seed: 1 });
    expect(accuracy(f.predict(matrix), gold, K)).toBeGreaterThanOrEqual(vote - 0.01);
    const g = guardOf(f.state());
    expect(g.used).toBe('majority-vote');
    expect(g.note).toMatch(/^fell back to the majority vote: the solution judged good-0, .* \(almost\) never right/);
    // Predictions follow the fit: the vote, explained as the vote.
    expect(Array.from(f.predict(matrix).probs)).toEqual(Array.from(majorityVote(matrix).probs));
    expect(f.explain?.(matrix, 0).every((c) => c.weight === (c.answer === null ? 0 : 1))).toBe(true);
  });

  it('spreads a wrong answer over the item\'s other candidates: accuracies are recovered without labels', () => {
    const { matrix, gold } = ragged(5);
    const N = gold.length;
    const M = matrix.models.length;
    const cc = Int32Array.from({ length: N }, (_, i) => candidateCount(matrix, i));
    const weights = Float64Array.from(matrix.models, (m) => (m.startsWith('junk') ? 0 : 1));
    const r = dawidSkene(hardVotes(matrix), N, M, matrix.labels.length, { variant: 'one-coin', candidateCounts: cc, weights });
    [0.8, 0.75, 0.7, 0.55].forEach((acc, j) => expect(Math.abs((r.accuracy[j] as number) - acc)).toBeLessThan(0.08));
  });

  it('full-confusion Dawid-Skene declares that it needs shared labels and refuses per-item candidates clearly', () => {
    const { matrix } = ragged(3);
    expect(dawidSkeneStrategy.needsSharedLabels).toBe(true);
    expect(oneCoinDawidSkeneStrategy.needsSharedLabels).toBe(false);
    expect(() => dawidSkeneStrategy.fit(matrix, UNLABELLED(300), { seed: 1 })).toThrow(StrategyError);
    expect(() => dawidSkeneStrategy.fit(matrix, UNLABELLED(300), { seed: 1 })).toThrow(/needs a fixed label set.*dawid-skene-one-coin/);
  });

  it('a one-coin fit on candidates saves, loads and predicts the same; it refuses a shared-label matrix', () => {
    const { matrix } = ragged(3);
    const f = oneCoinDawidSkeneStrategy.fit(matrix, UNLABELLED(300), { seed: 1 });
    const state = JSON.parse(JSON.stringify(f.state())) as unknown;
    const g = oneCoinDawidSkeneStrategy.load(state, matrix.labels);
    expect(Array.from(g.predict(matrix).probs)).toEqual(Array.from(f.predict(matrix).probs));
    const { matrix: shared } = trap(1, 1);
    expect(() => g.predict(shared)).toThrow(/per-item candidates/);
  });
});

describe('dawid-skene determinism', () => {
  it('the same matrix gives bit-identical predictions and states, whatever the seed', () => {
    const { matrix } = trap(2, 0.9);
    const { matrix: r } = ragged(2);
    for (const [s, m] of [
      [dawidSkeneStrategy, matrix],
      [oneCoinDawidSkeneStrategy, matrix],
      [oneCoinDawidSkeneStrategy, r],
    ] as const) {
      const a = s.fit(m, UNLABELLED(m.itemIds.length), { seed: 1 });
      const b = s.fit(m, UNLABELLED(m.itemIds.length), { seed: 99 });
      expect(Array.from(b.predict(m).probs)).toEqual(Array.from(a.predict(m).probs));
      expect(JSON.stringify(b.state())).toEqual(JSON.stringify(a.state()));
    }
  });
});
