import { describe, expect, it } from 'vitest';
import type { RawModelAnswer } from '../../src/run/ask-item.js';
import { fuseQaItems } from '../../src/kinds/qa/rows.js';
import { chooseStrategy } from '../../src/run/strategy-choice.js';

const choices = [
  { label: 'A', text: 'river' },
  { label: 'B', text: 'mountain' },
  { label: 'C', text: 'city' },
];
const ok = (model: string, output: string, cost = 0, cached = false): RawModelAnswer => ({ model, status: 'ok', output, cost, cached });

describe('fuseQaItems', () => {
  it('multiple choice: the fused letter and option, its cluster and support, every cluster, each model in asked order', () => {
    const mc = { kind: 'qa' as const, answerType: 'multiple-choice' as const };
    const [line] = fuseQaItems(
      mc,
      [
        {
          item: { id: 'q1', question: 'Which is a city?', choices },
          answers: [
            ok('m1', 'Cities have people. The answer is (C).', 0.002),
            { model: 'm2', status: 'failed', error: 'HTTP 500' },
            ok('m3', 'The answer is (A).', 0.001),
            ok('m4', 'city', 0.004, true),
            ok('m5', 'The answer is (A) or (C).'),
          ],
        },
      ],
      chooseStrategy(undefined, mc),
    );
    expect(line).toEqual({
      id: 'q1',
      answer: 'C',
      choice: { label: 'C', text: 'city' },
      cluster: { index: 0, answer: 'C', key: 'C', share: 0.666667, models: ['m1', 'm4'], representative: 'm1' },
      support: 0.666667,
      distribution: [
        { answer: 'C', key: 'C', share: 0.666667, models: ['m1', 'm4'] },
        { answer: 'A', key: 'A', share: 0.333333, models: ['m3'] },
      ],
      answers: [
        { model: 'm1', output: 'Cities have people. The answer is (C).', answer: 'C', cluster: 0 },
        { model: 'm2', output: null, answer: null, abstain: 'error', error: 'HTTP 500' },
        { model: 'm3', output: 'The answer is (A).', answer: 'A', cluster: 1 },
        { model: 'm4', output: 'city', answer: 'C', cluster: 0 },
        { model: 'm5', output: 'The answer is (A) or (C).', answer: null, abstain: 'ambiguous' },
      ],
      cost: 0.003,
    });
  });

  it('numeric: equal values written differently form one cluster; batches keep input order', () => {
    const num = { kind: 'qa' as const, answerType: 'numeric' as const };
    const lines = fuseQaItems(
      num,
      [
        { item: { id: 'a', question: 'How many?' }, answers: [ok('x', 'So 1,000 in all. #### 1,000'), ok('y', 'The answer is 1000.0'), ok('z', 'The answer is 999')] },
        { item: { id: 'b', question: 'How few?' }, answers: [ok('x', 'The answer is 3'), ok('y', 'The answer is 4'), ok('z', 'The answer is 4')] },
        { item: { id: 'c', question: 'Unanswered?' }, answers: [ok('x', ''), { model: 'y', status: 'skipped', error: 'not asked' }, ok('z', 'no idea')] },
      ],
      chooseStrategy(undefined, num),
    );
    expect(lines.map((l) => l.id)).toEqual(['a', 'b', 'c']);
    expect(lines[0]?.answer).toBe('1,000');
    expect(lines[0]?.cluster?.models).toEqual(['x', 'y']);
    expect(lines[0]?.distribution.map((d) => d.share)).toEqual([0.666667, 0.333333]);
    expect(lines[0]).not.toHaveProperty('choice');
    expect(lines[1]).toMatchObject({ answer: '4', cluster: { models: ['y', 'z'] } });
    expect(lines[2]).toMatchObject({ answer: null, cluster: null, support: 0, distribution: [] });
    expect(lines[2]?.answers.map((a) => a.abstain)).toEqual(['empty', 'missing', 'no-label']);
  });

  it('free-form: by default the most central answer, with the short answer of its cluster', () => {
    const ff = { kind: 'qa' as const, answerType: 'free-form' as const };
    const fuser = chooseStrategy(undefined, ff);
    expect(fuser.name).toBe('central');
    const [line] = fuseQaItems(
      ff,
      [
        {
          item: { id: 'f', question: 'Who wrote Hamlet?' },
          answers: [ok('a', 'William Shakespeare wrote the play Hamlet around 1600.'), ok('b', 'Shakespeare'), ok('c', 'Christopher Marlowe')],
        },
      ],
      fuser,
    );
    expect(line?.cluster?.models.sort()).toEqual(['a', 'b']);
    expect(line?.answer).toMatch(/Shakespeare/);
    if (line?.answer !== 'Shakespeare') expect(line?.shortAnswer).toBe('Shakespeare');
    expect(line?.answers.find((x) => x.model === 'c')?.cluster).not.toBe(line?.cluster?.index);
  });

  it('reads structured answers ({"answer": ...}) as asked for by --json-answers', () => {
    const mc = { kind: 'qa' as const, answerType: 'multiple-choice' as const };
    const [line] = fuseQaItems(
      mc,
      [{ item: { id: 'j', question: 'q?', choices }, answers: [ok('a', '{"answer": "B", "confidence": 0.9}'), ok('b', '```json\n{"answer": "(B)", "confidence": 0.6}\n```'), ok('c', '{"answer": "A"}')] }],
      chooseStrategy(undefined, mc),
    );
    expect(line?.answer).toBe('B');
    expect(line?.answers.map((a) => a.answer)).toEqual(['B', 'B', 'A']);
  });

  it('--min-confidence: a question whose winner is below the floor has no answer and says no-consensus', () => {
    const mc = { kind: 'qa' as const, answerType: 'multiple-choice' as const };
    const item = { item: { id: 'q', question: 'Which is a city?', choices }, answers: [ok('m1', 'C'), ok('m2', 'C'), ok('m3', 'A')] };
    const [loose] = fuseQaItems(mc, [item], chooseStrategy('majority-vote', mc, 1, { minConfidence: 0.6 }));
    expect(loose).toMatchObject({ answer: 'C' });
    expect(loose?.abstain).toBeUndefined();
    const [strict] = fuseQaItems(mc, [item], chooseStrategy('majority-vote', mc, 1, { minConfidence: 0.9 }));
    expect(strict).toMatchObject({ answer: null, abstain: 'no-consensus' });
  });
});
