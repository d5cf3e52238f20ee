import { describe, expect, it } from 'vitest';
import { strategyVoice } from '../../src/eval/evaluate.js';
import type { AnswerMatrix } from '../../src/fuse/answer-matrix.js';
import type { FittedStrategy } from '../../src/fuse/strategy.js';
import { buildItemAnswers, mostCentralMember } from '../../src/qa/build-items.js';
import { decideWith, fuseQaWith } from '../../src/qa/fuse-question.js';

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
      capabilities: { asks: true } as const,
      replay: (a: AnswerMatrix) => {
        const asked = new Uint8Array(a.itemIds.length * M);
        for (let i = 0; i < a.itemIds.length; i++) asked[i * M + j] = 1;
        return { asked };
      },
    }) as FittedStrategy;

  it("admits, on each item, the models its fold's adaptive policy asked, and carries the fold's trust", () => {
    const voice = strategyVoice([askingOnly(0), askingOnly(2)], [[0, 1], [2, 3]], matrix, matrix.models);
    expect([0, 1, 2].map((j) => voice.asked?.(1)?.(j, 0))).toEqual([true, false, false]);
    expect([0, 1, 2].map((j) => voice.asked?.(3)?.(j, 0))).toEqual([false, false, true]);
    // Without samples a model's only call is sample 0.
    expect(voice.asked?.(1)?.(0, 1)).toBe(false);
    expect(Array.from(voice.trust?.(2) ?? [])).toEqual([1, 2, 3]);
  });

  it('with samples, admits the calls (model, sample) the policy made, not every sample of a model it asked', () => {
    // Calls: (m0, s0), (m0, s1), (m1, s0); the policy made only (m0, s1) and (m1, s0).
    const C = 3;
    const sampled: AnswerMatrix = {
      ...matrix,
      models: ['m0', 'm1'],
      probs: new Float64Array(N * 2 * 2),
      present: new Uint8Array(N * 2).fill(1),
      samples: { model: Int32Array.from([0, 0, 1]), sample: Int32Array.from([0, 1, 0]), probs: new Float64Array(N * C * 2), present: new Uint8Array(N * C).fill(1) },
    };
    const policy = {
      name: 'adaptive',
      predict: () => ({ probs: new Float64Array(0), decided: new Uint8Array(0) }),
      state: () => ({}),
      capabilities: { asks: true } as const,
      replay: (a: AnswerMatrix) => {
        const asked = new Uint8Array(a.itemIds.length * C);
        for (let i = 0; i < a.itemIds.length; i++) asked.set([0, 1, 1], i * C);
        return { asked };
      },
    } as FittedStrategy;
    const voice = strategyVoice([policy], undefined, sampled, sampled.models);
    expect([voice.asked?.(2)?.(0, 0), voice.asked?.(2)?.(0, 1), voice.asked?.(2)?.(1, 0), voice.asked?.(2)?.(1, 1)]).toEqual([false, true, true, false]);
  });

  it('admits every model for a strategy that reads every answer', () => {
    const plain = { name: 'vote', predict: () => ({ probs: new Float64Array(0), decided: new Uint8Array(0) }), state: () => ({}) } as FittedStrategy;
    expect(strategyVoice([plain], undefined, matrix, matrix.models).asked).toBeUndefined();
  });
});

describe('fuseQaWith with an adaptive policy', () => {
  it('states the answer in the words of a call the policy made', () => {
    const input = { question: 'who wrote hamlet?', answerType: 'free-form' as const, outputs: ['William Shakespeare', 'Shakespeare', 'It was William Shakespeare.'].map((output, j) => ({ model: `m${j}`, output })) };
    /** Asked only m2 and picked the first candidate (the one cluster). */
    const policy = {
      name: 'adaptive',
      predict: () => {
        throw new Error('an adaptive policy is replayed');
      },
      state: () => ({}),
      capabilities: { asks: true } as const,
      replay: (a: AnswerMatrix) => {
        const K = a.labels.length;
        const probs = new Float64Array(a.itemIds.length * K);
        probs[0] = 1;
        const asked = new Uint8Array(a.itemIds.length * a.models.length);
        asked[2] = 1;
        return { asked, prediction: { probs, decided: Uint8Array.from([1]) } };
      },
    } as unknown as FittedStrategy;
    const [fused] = fuseQaWith([input], (matrix) => decideWith(policy, matrix));
    expect(fused?.representative).toEqual({ model: 'm2', sample: 0 });
    expect(fused?.answer).toBe('It was William Shakespeare.');
  });
});
