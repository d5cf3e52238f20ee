import { describe, expect, it } from 'vitest';
import { createClassificationNormalizer } from '../../src/normalize/classification.js';
import type { NormalizedLabel } from '../../src/normalize/types.js';
import type { TokenLogprob } from '../../src/task/schema.js';
import { TASKS } from './fixtures.js';

const tok = (token: string, p: number, top?: [string, number][]): TokenLogprob =>
  top ? { token, logprob: Math.log(p), top_logprobs: top.map(([t, q]) => ({ token: t, logprob: Math.log(q) })) } : { token, logprob: Math.log(p) };

function dist(n: NormalizedLabel): number[] {
  if (n.kind !== 'label') throw new Error(`abstained: ${n.reason}`);
  return Array.from(n.dist);
}

describe('logprobs', () => {
  const sentiment = createClassificationNormalizer(TASKS.sentiment);
  const emotion = createClassificationNormalizer(TASKS.emotion);
  const toxicity = createClassificationNormalizer(TASKS.toxicity);

  it('renormalizes the label tokens among the first answer token top_logprobs', () => {
    const n = sentiment({
      output: ' positive',
      logprobs: [tok(' positive', 0.7, [[' positive', 0.7], [' neutral', 0.2], [' negative', 0.05], [' The', 0.05]])],
    });
    expect(n.kind === 'label' && n.method).toBe('logprobs');
    const d = dist(n);
    expect(d[0]).toBeCloseTo(0.05 / 0.95, 12);
    expect(d[1]).toBeCloseTo(0.2 / 0.95, 12);
    expect(d[2]).toBeCloseTo(0.7 / 0.95, 12);
  });

  it('sums spellings of one label (case, spaces, Markdown)', () => {
    const d = dist(sentiment({ output: 'Negative', logprobs: [tok('Negative', 0.5, [['Negative', 0.5], [' negative', 0.2], ['**', 0.1], ['Neutral', 0.2]])] }));
    expect(d[0]).toBeCloseTo(0.7 / 0.9, 12);
    expect(d[1]).toBeCloseTo(0.2 / 0.9, 12);
    expect(d[2]).toBe(0);
  });

  it('reads option letters, after prefix tokens such as `Answer:`', () => {
    const n = emotion({
      output: 'Answer: B',
      logprobs: [tok('Answer', 0.99, [['Answer', 0.99]]), tok(':', 0.99, [[':', 0.99]]), tok(' B', 0.6, [[' B', 0.6], [' A', 0.3], [' C', 0.1]])],
    });
    expect(dist(n).map((x) => Number(x.toFixed(6)))).toEqual([0.3, 0.6, 0.1, 0, 0, 0]);
  });

  it('reads the first token of a multi-token label as that label (`non` of `non-toxic`)', () => {
    const d = dist(toxicity({ output: 'non-toxic', logprobs: [tok('non', 0.6, [['non', 0.6], ['toxic', 0.4]]), tok('-', 1), tok('toxic', 1)] }));
    expect(d[0]).toBeCloseTo(0.4, 12);
    expect(d[1]).toBeCloseTo(0.6, 12);
  });

  it('leaves out prefixes shared by two labels', () => {
    const d = dist(sentiment({ output: 'neutral', logprobs: [tok('neutral', 0.5, [['neutral', 0.5], ['ne', 0.3], ['positive', 0.2]])] }));
    expect(d[1]).toBeCloseTo(0.5 / 0.7, 12);
    expect(d[2]).toBeCloseTo(0.2 / 0.7, 12);
  });

  it('adds the sampled token when it is missing from top_logprobs', () => {
    const d = dist(sentiment({ output: 'neutral', logprobs: [tok('neutral', 0.1, [['positive', 0.5], ['negative', 0.4]])] }));
    expect(d[1]).toBeCloseTo(0.1, 12);
    expect(d[2]).toBeCloseTo(0.5, 12);
  });

  it('does not take the article `A` for option A: the token must name the label the text names', () => {
    const n = emotion({
      output: 'A positive message of love',
      logprobs: [tok('A', 0.9, [['A', 0.9], ['B', 0.1]]), tok(' positive', 0.8), tok(' message', 0.9), tok(' of', 0.9), tok(' love', 0.7, [[' love', 0.7], [' joy', 0.3]])],
    });
    expect(n.kind === 'label' && n.method).toBe('logprobs');
    expect(dist(n).map((x) => Number(x.toFixed(6)))).toEqual([0, 0, 0.3, 0, 0.7, 0]);
  });

  it('falls back to the text when no answer token carries top_logprobs', () => {
    const n = sentiment({ output: 'positive', logprobs: [tok('positive', 0.9)] });
    expect(n.kind === 'label' && n.method).toBe('exact');
    expect(dist(n)).toEqual([0, 0, 1]);
  });

  it('falls back to the text when the label token comes after the searched window (long reasoning)', () => {
    const words = 'Let us think step by step about this text before answering it'.split(' ').map((w) => tok(` ${w}`, 0.9, [[` ${w}`, 0.9]]));
    const n = sentiment({ output: 'Let us think step by step about this text before answering it. So the answer is negative.', logprobs: words });
    expect(n.kind === 'label' && n.method).toBe('verdict');
  });

  it('keeps abstentions: logprobs never turn an unreadable answer into a label', () => {
    const n = sentiment({ output: 'I cannot classify this.', logprobs: [tok('I', 0.9, [['I', 0.9], ['positive', 0.1]])] });
    expect(n).toMatchObject({ kind: 'abstain', reason: 'refusal' });
  });

  it('can be switched off', () => {
    const plain = createClassificationNormalizer(TASKS.sentiment, { useLogprobs: false });
    const n = plain({ output: ' positive', logprobs: [tok(' positive', 0.7, [[' positive', 0.7], [' neutral', 0.3]])] });
    expect(n.kind === 'label' && n.method).toBe('exact');
  });
});

describe('logprobs: prefixes must start the label', () => {
  const policy = createClassificationNormalizer(TASKS.policy);
  it('does not read `So` as the start of `social welfare`', () => {
    const n = policy({
      output: 'So the answer is 13',
      logprobs: [tok('So', 0.9, [['So', 0.9], ['Social', 0.1]]), tok(' the', 1), tok(' answer', 1), tok(' is', 1), tok(' 13', 0.8, [[' 13', 0.8], [' 12', 0.2]])],
    });
    expect(n.kind === 'label' && n.method).toBe('logprobs');
    if (n.kind === 'label') {
      expect(n.dist[11]).toBeCloseTo(0.8, 12);
      expect(n.dist[10]).toBeCloseTo(0.2, 12);
    }
  });
});
