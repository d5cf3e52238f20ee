import { describe, expect, it } from 'vitest';
import { strategyVoice } from '../../src/eval/evaluate.js';
import type { AnswerMatrix } from '../../src/fuse/answer-matrix.js';
import type { FittedStrategy } from '../../src/fuse/strategy.js';
import { buildItemAnswers, mostCentralMember } from '../../src/qa/build-items.js';

const outputs = ['William Shakespeare', 'Shakespeare', 'It was William Shakespeare.', 'Christopher Marlowe'];
const { item } = buildItemAnswers('q1', 'who wrote hamlet?', { answerType: 'free-form' }, outputs.map((output, model) => ({ model, output })), outputs.length);
const shakespeare = item.clusterOf[0] as number;
const modelOf = (a: number) => item.answers[a]?.model;

describe('the answer that stands for a cluster', () => {
  it('is stated in the words of a model that was asked', () => {
    const unrestricted = mostCentralMember(item, shakespeare);
    expect(modelOf(unrestricted)).toBe(0);
    // Models 0 and 1 were not asked: the member of model 2, the only asked one in the cluster.
    expect(modelOf(mostCentralMember(item, shakespeare, undefined, (m) => m >= 2))).toBe(2);
    // Trust breaks the tie among the asked ones.
    expect(modelOf(mostCentralMember(item, shakespeare, [0, 1, 5, 0], (m) => m >= 1))).toBe(2);
    expect(modelOf(mostCentralMember(item, shakespeare, [0, 5, 1, 0], (m) => m >= 1))).toBe(1);
    // No asked member at all (nothing to go by): every member stands, as without a mask.
    expect(mostCentralMember(item, shakespeare, undefined, (m) => m === 3)).toBe(unrestricted);
  });
});

describe('strategyVoice', () => {
  const N = 4;
  const M = 3;
  const matrix: AnswerMatrix = { labels: ['a', 'b'], models: ['m0', 'm1', 'm2'], itemIds: ['0', '1', '2', '3'], probs: new Float64Array(N * M * 2), present: new Uint8Array(N * M).fill(1) };
  /** A fitted adaptive stand-in that asked only model `j` on every item it replays. */
  const askingOnly = (j: number): FittedStrategy =>
    ({
      name: 'adaptive',
      predict: () => ({ probs: new Float64Array(0), decided: new Uint8Array(0) }),
      state: () => ({}),
      modelTrust: () => ({ m0: 1, m1: 2, m2: 3 }),
      replay: (a: AnswerMatrix) => {
        const asked = new Uint8Array(a.itemIds.length * M);
        for (let i = 0; i < a.itemIds.length; i++) asked[i * M + j] = 1;
        return { asked };
      },
    }) as FittedStrategy;

  it("admits, on each item, the models its fold's adaptive policy asked, and carries the fold's trust", () => {
    const voice = strategyVoice([askingOnly(0), askingOnly(2)], [[0, 1], [2, 3]], matrix, matrix.models);
    expect([0, 1, 2].map((j) => voice.asked?.(1)?.(j))).toEqual([true, false, false]);
    expect([0, 1, 2].map((j) => voice.asked?.(3)?.(j))).toEqual([false, false, true]);
    expect(Array.from(voice.trust?.(2) ?? [])).toEqual([1, 2, 3]);
  });

  it('admits every model for a strategy that reads every answer', () => {
    const plain = { name: 'vote', predict: () => ({ probs: new Float64Array(0), decided: new Uint8Array(0) }), state: () => ({}) } as FittedStrategy;
    expect(strategyVoice([plain], undefined, matrix, matrix.models).asked).toBeUndefined();
  });
});
