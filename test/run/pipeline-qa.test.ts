import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRequestBuilder } from '../../src/orchestrate/default-request.js';
import { Orchestrator } from '../../src/orchestrate/orchestrator.js';
import { fuseQuestion } from '../../src/run/fuse.js';
import { runPipeline } from '../../src/run/pipeline.js';
import { chooseStrategy } from '../../src/run/strategy-choice.js';
import { InputError } from '../../src/task/errors.js';
import type { QaTask } from '../../src/task/schema.js';
import { FakeModel } from '../orchestrate/fake-model.js';
import { kindOf } from '../../src/kinds/registry.js';

const LETTERS = ['A', 'B', 'C', 'D'];
const task: QaTask = { name: 'tiny-mc', kind: 'qa', answerType: 'multiple-choice', instructions: 'Pick the right option.' };

function collect(stream: PassThrough): () => string[] {
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return () => chunks.join('').split('\n').filter(Boolean);
}

const numberIn = (prompt: string): number => Number(/Question (\d+)/.exec(prompt)?.[1] ?? -1);
const userOf = (r: { messages: { role: string; content: string }[] }): string => r.messages.filter((m) => m.role === 'user').pop()?.content ?? '';

/**
 * Reads the question number from the rendered prompt: right answer LETTERS[n % 4]. Model a is right
 * in chain-of-thought style, b names the option's text, c is right only on even questions and
 * hedges otherwise. Delays vary so answers come back out of order.
 */
function models() {
  const mk = (provider: string, id: string, answer: (n: number, prompt: string) => string) =>
    new FakeModel(provider, id, (r) => {
      const n = numberIn(userOf(r));
      return { text: answer(n, userOf(r)), delayMs: (n * 7) % 5 };
    });
  return [
    { name: 'openai:a', model: mk('openai', 'a', (n) => `Let me think. Option ${LETTERS[n % 4]} fits.\nThe answer is (${LETTERS[n % 4]}).`) },
    { name: 'anthropic:b', model: mk('anthropic', 'b', (n) => `answer ${LETTERS[n % 4]?.toLowerCase()} of ${n}`) },
    { name: 'ollama:c', model: mk('ollama', 'c', (n) => (n % 2 === 0 ? `The answer is (${LETTERS[n % 4]}).` : 'The answer is (A) or (B).')) },
  ];
}

const question = (n: number) => ({
  id: `q${n}`,
  question: `Question ${n}: which option is right?`,
  choices: LETTERS.map((label) => ({ label, text: `answer ${label.toLowerCase()} of ${n}` })),
});

describe('runPipeline', () => {
  it('writes one fused line per input line, in input order, bad lines in place; gold answers in the input are never sent', async () => {
    const lines = Array.from({ length: 24 }, (_, i) => JSON.stringify({ ...question(i), answers: ['SECRET-GOLD'] }));
    lines.splice(4, 0, '{"id": "nochoices", "question": "Question 99: no options?"}');
    lines.splice(7, 0, 'not json', '');
    lines.splice(12, 0, JSON.stringify({ ...question(50), id: 'dup', choices: [{ label: 'A', text: 'x' }, { label: 'a', text: 'y' }] }));
    const output = new PassThrough();
    const errors = new PassThrough();
    const out = collect(output);
    const err = collect(errors);
    const ms = models();
    const result = await runPipeline({
      task,
      models: ms,
      orchestrator: new Orchestrator({ concurrency: 16 }),
      buildRequest: createRequestBuilder(task, kindOf(task).prompt),
      fuser: chooseStrategy(undefined, task),
      input: Readable.from(lines.map((l) => `${l}\n`)),
      output,
      errors,
      window: 6,
    });
    expect(result).toMatchObject({ lines: 27, badLines: 3, undecided: 0, interrupted: false, outputClosed: false });
    const parsed = out().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed).toHaveLength(27);
    expect(parsed[4]).toMatchObject({ id: 'nochoices', line: 5 });
    expect(String(parsed[4]?.error)).toMatch(/^stdin:5: choices: a multiple-choice question needs at least two choices/);
    expect(parsed[7]).toMatchObject({ line: 8 });
    expect(parsed[11]).toMatchObject({ id: 'dup', line: 13, error: expect.stringMatching(/choice labels must be distinct/) });
    expect(err()).toEqual([expect.stringMatching(/^stdin:5: /), expect.stringMatching(/^stdin:8: invalid JSON/), expect.stringMatching(/^stdin:13: choices/)]);

    const fused = parsed.filter((p) => !('error' in p));
    expect(fused.map((p) => p.id)).toEqual(Array.from({ length: 24 }, (_, i) => `q${i}`));
    fused.forEach((line, n) => {
      const right = LETTERS[n % 4] as string;
      expect(line).toMatchObject({ answer: right, choice: { label: right, text: `answer ${right.toLowerCase()} of ${n}` }, cluster: { key: right } });
      const agree = n % 2 === 0 ? ['openai:a', 'anthropic:b', 'ollama:c'] : ['openai:a', 'anthropic:b'];
      expect((line.cluster as { models: string[] }).models).toEqual(agree);
      expect(line.support).toBeCloseTo(1, 6);
      expect((line.answers as { model: string; answer: string | null; abstain?: string }[]).map((a) => [a.model, a.answer, a.abstain])).toEqual([
        ['openai:a', right, undefined],
        ['anthropic:b', right, undefined],
        ['ollama:c', n % 2 === 0 ? right : null, n % 2 === 0 ? undefined : 'ambiguous'],
      ]);
    });

    const prompts = ms.flatMap((m) => m.model.requests.map(userOf));
    expect(prompts).toHaveLength(72);
    expect(prompts.some((p) => p.includes('SECRET-GOLD'))).toBe(false);
    // The QA template shows the choices.
    expect(prompts[0]).toMatch(/<choices>\nA\. answer a of \d+\nB\. /);
  });

  it('keeps order with per-batch Dawid-Skene and counts questions nobody answered as undecided', async () => {
    const silent = new FakeModel('openai', 's', (r) => ({ text: numberIn(userOf(r)) % 5 === 0 ? 'I cannot tell.' : 'The answer is (B).' }));
    const output = new PassThrough();
    const out = collect(output);
    const result = await runPipeline({
      task,
      models: [{ name: 'openai:s', model: silent }],
      orchestrator: new Orchestrator({ concurrency: 4 }),
      buildRequest: createRequestBuilder(task, kindOf(task).prompt),
      fuser: chooseStrategy('dawid-skene', task, 7),
      input: Readable.from(Array.from({ length: 30 }, (_, i) => `${JSON.stringify(question(i))}\n`)),
      output,
      errors: new PassThrough(),
    });
    expect(result).toMatchObject({ lines: 30, badLines: 0, undecided: 6 });
    const parsed = out().map((l) => JSON.parse(l) as { id: string; answer: string | null });
    expect(parsed.map((p) => p.id)).toEqual(Array.from({ length: 30 }, (_, i) => `q${i}`));
    expect(parsed.map((p) => p.answer)).toEqual(Array.from({ length: 30 }, (_, i) => (i % 5 === 0 ? null : 'B')));
  });
});

describe('fuseQuestion', () => {
  it('asks every model one question and returns the fused answer, its cluster, support and each answer', async () => {
    const ms = models();
    const r = await fuseQuestion(task, question(3), { models: ms, id: 'one' });
    expect(r).toMatchObject({ id: 'one', answer: 'D', choice: { label: 'D' }, cluster: { index: 0, key: 'D', models: ['openai:a', 'anthropic:b'] }, support: 1 });
    expect(r.answers.map((a) => a.answer)).toEqual(['D', 'D', null]);
    expect(r.distribution).toEqual([{ answer: 'D', key: 'D', share: 1, models: ['openai:a', 'anthropic:b'] }]);

    const numeric: QaTask = { name: 'n', kind: 'qa', answerType: 'numeric', instructions: '' };
    const counter = new FakeModel('openai', 'n', () => ({ text: 'Adding up: 1,200 + 34 = 1,234.\n#### 1234' }));
    const other = new FakeModel('ollama', 'm', () => ({ text: 'The answer is 1234.0' }));
    const r2 = await fuseQuestion(numeric, 'What is 1200 + 34?', { models: [{ name: 'openai:n', model: counter }, { name: 'ollama:m', model: other }] });
    expect(r2).toMatchObject({ answer: '1234', cluster: { models: ['openai:n', 'ollama:m'] }, support: 1 });
    expect(r2).not.toHaveProperty('choice');

    await expect(fuseQuestion(task, 'no choices?', { models: ms })).rejects.toThrow(InputError);
    await expect(fuseQuestion({ name: 'c', kind: 'classification', labels: [{ name: 'x', aliases: [] }, { name: 'y', aliases: [] }], instructions: '' }, 'q', { models: ms })).rejects.toThrow(/QA task/);
  });
});

describe('fuse() and fuseMany() dispatch on the task', () => {
  it('fuse() on a QA task answers the question; fuseMany() fuses several items in one batch, in order', async () => {
    const { fuse, fuseMany } = await import('../../src/run/fuse.js');
    const ms = models();
    const one = await fuse(task, { question: question(3).question, choices: question(3).choices }, { models: ms, id: 'one' });
    expect(one).toMatchObject({ id: 'one', answer: 'D', support: 1 });
    const many = await fuseMany(task, [question(3), { question: question(3).question, choices: question(3).choices }], { models: ms });
    expect(many.map((l) => l.id)).toEqual(['q3', 'item-1']);
    expect(many.map((l) => (l as { answer?: string | null }).answer)).toEqual(['D', 'D']);
  });
});
