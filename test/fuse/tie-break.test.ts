import { describe, expect, it } from 'vitest';
import type { AnswerMatrix } from '../../src/fuse/answer-matrix.js';
import { centralStrategy } from '../../src/fuse/central.js';
import { majorityVote, majorityVoteStrategy } from '../../src/fuse/majority-vote.js';
import { logSoftVoteStrategy, softVoteStrategy } from '../../src/fuse/soft-vote.js';
import { breakTies, voterAgreement } from '../../src/fuse/tie-break.js';
import { decided, fromVotes } from './helpers.js';

const NONE = new Int32Array(0);

// Three items where "steady" and "crowd" agree with the crowd, "odd" never does; on the last item
// "odd" and "steady" split 1-1 between labels a and c ("crowd" abstains).
const MODELS = ['odd', 'steady', 'crowd'];
const VOTES: (number | null)[][] = [
  [0, 1, 1],
  [1, 2, 2],
  [0, 2, null],
];

describe('voterAgreement', () => {
  it('is the mean share of the other answering models that gave the same top answer', () => {
    const m = fromVotes(['a', 'b', 'c'], MODELS, VOTES);
    // odd: 0/2, 0/2, 0/1 -> 0; steady: 1/2, 1/2, 0/1 -> 1/3; crowd: 1/2, 1/2 -> 1/2.
    expect(Array.from(voterAgreement(m))).toEqual([0, 1 / 3, 1 / 2]);
  });

  it('ignores items a model answered alone, and a model that never had company counts 0', () => {
    const m = fromVotes(['a', 'b'], ['x', 'y'], [
      [0, null],
      [1, 1],
    ]);
    expect(Array.from(voterAgreement(m))).toEqual([1, 1]);
    expect(Array.from(voterAgreement(fromVotes(['a', 'b'], ['x', 'y'], [[0, null]])))).toEqual([0, 0]);
  });
});

describe('the one tie rule of the vote-like strategies', () => {
  it('gives a tie to the label named by the voter that agrees most with the others, not the first label', () => {
    const m = fromVotes(['a', 'b', 'c'], MODELS, VOTES);
    expect(decided(majorityVote(m), 3)).toEqual([1, 2, 2]);
    // Vote shares stay vote shares (the winner only gains a negligible nudge).
    const p = majorityVote(m);
    expect(p.probs[6]).toBeCloseTo(0.5, 8);
    expect(p.probs[8]).toBeCloseTo(0.5, 8);
    expect(p.probs[8] as number).toBeGreaterThan(p.probs[6] as number);
  });

  it('does not depend on label order or model order', () => {
    // The same answers with the labels listed as c, b, a and the models reversed.
    const relabel = [2, 1, 0];
    const m = fromVotes(['c', 'b', 'a'], [...MODELS].reverse(), VOTES.map((row) => [...row].reverse().map((v) => (v === null ? null : (relabel[v] as number)))));
    const winner = decided(majorityVote(m), 3).map((k) => m.labels[k]);
    expect(winner).toEqual(['b', 'c', 'c']);
  });

  it('keeps the first tied label when the tied voters agree equally; a label some voter named beats one nobody named', () => {
    const m = fromVotes(['a', 'b'], ['x', 'y'], [[1, 0]]);
    expect(decided(majorityVote(m), 2)).toEqual([0]);
    // A soft-vote-like tie where model x leans to b and model y abstains: b, though a comes first.
    const leaning: AnswerMatrix = { ...m, probs: Float64Array.from([0.4, 0.6, 0, 0]), present: Uint8Array.from([1, 0]) };
    expect(decided(breakTies(leaning, { probs: Float64Array.from([0.5, 0.5]), decided: Uint8Array.from([1]) }, [0, 0]), 2)).toEqual([1]);
  });

  it('is learned by the fit without labels, saved with it, and applies to one question alone', () => {
    const train = fromVotes(['a', 'b', 'c'], MODELS, VOTES);
    const fitted = majorityVoteStrategy.fit(train, NONE, { seed: 1 });
    expect(fitted.state()).toEqual({ agreement: { odd: 0, steady: 1 / 3, crowd: 1 / 2 } });
    const one = fromVotes(['a', 'b', 'c'], MODELS, [[0, 2, null]]);
    // Alone, the question gives no agreement (both voters have none): the first label.
    expect(decided(majorityVote(one), 3)).toEqual([0]);
    expect(decided(fitted.predict(one), 3)).toEqual([2]);
    expect(decided(majorityVoteStrategy.load(fitted.state(), train.labels).predict(one), 3)).toEqual([2]);
    // A state saved before the rule ({}) measures the agreement on the answers it fuses.
    expect(decided(majorityVoteStrategy.load({}, train.labels).predict(train), 3)).toEqual([1, 2, 2]);
    expect(() => majorityVoteStrategy.load({ agreement: { odd: 2 } }, train.labels)).toThrow(/agreement/);
  });

  it('explains the label it predicts: a soft vote credits the tie-winner\'s voter, not the first label\'s', () => {
    const m = fromVotes(['a', 'b', 'c'], MODELS, VOTES);
    for (const s of [softVoteStrategy, logSoftVoteStrategy]) {
      const fitted = s.fit(m, NONE, { seed: 1 });
      expect(decided(fitted.predict(m), 3)[2]).toBe(2);
      const why = fitted.explain?.(m, 2) ?? [];
      const steady = why.find((c) => c.model === 'steady');
      const odd = why.find((c) => c.model === 'odd');
      // Item 3: odd says a, steady says c; c wins the tie, so steady's answer carries it.
      expect(steady?.answer).toBe('c');
      expect(steady?.influence ?? 0).toBeGreaterThan(odd?.influence ?? 0);
    }
  });

  it('is the same for soft votes over one-hot answers and for central', () => {
    const m = fromVotes(['a', 'b', 'c'], MODELS, VOTES);
    for (const s of [softVoteStrategy, logSoftVoteStrategy, centralStrategy]) {
      expect(decided(s.fit(m, NONE, { seed: 1 }).predict(m), 3)).toEqual([1, 2, 2]);
    }
  });

  it('works the same over per-item candidates (free-form and numeric QA)', () => {
    // Item 2's candidates are listed in another order than item 1's: only agreement decides.
    const base = fromVotes(['candidate-1', 'candidate-2', 'candidate-3'], MODELS, VOTES);
    const m: AnswerMatrix = { ...base, candidates: [['x', 'y'], ['y', 'z', 'w'], ['u', 'v', 'w']], centrality: new Float64Array(9) };
    const p = majorityVote(m);
    expect(decided(p, 3)).toEqual([1, 2, 2]);
    expect(decided(centralStrategy.fit(m, NONE, { seed: 1 }).predict(m), 3)).toEqual([1, 2, 2]);
  });
});
