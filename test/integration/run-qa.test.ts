import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import { createRequestBuilder } from '../../src/orchestrate/default-request.js';
import type { LanguageModel } from '../../src/providers/provider.js';
import { fitQaStrategy } from '../../src/kinds/qa/fit.js';
import type { QaFolder } from '../../src/kinds/load-folder.js';
import type { QaTask } from '../../src/task/schema.js';
import { fakeLabel } from '../support/fake-llm-server.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { MODELS, captureStream } from './setup.js';
import { kindOf } from '../../src/kinds/registry.js';

// The fake server answers each prompt with one of its "labels", chosen by hashing the model and the
// user message: with labels A-D that is a bare choice letter, with number labels a bare number.
const LETTERS = ['A', 'B', 'C', 'D'];
const mcTask: QaTask = { name: 'fake-mc', kind: 'qa', answerType: 'multiple-choice', instructions: 'Pick the right option.' };

const fixture = fakeServerFixture();

function questions(n: number): { id: string; question: string; choices: { label: string; text: string }[] }[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `q${i}`,
    question: `Question ${i}: which of these is the ${['largest', 'smallest', 'oldest', 'newest'][i % 4]} one?`,
    choices: LETTERS.map((label) => ({ label, text: `thing ${label.toLowerCase()}${i}` })),
  }));
}

/** What the fake server answers a model for a question, computed from the prompt the real builder renders. */
function expectedAnswer(
  task: QaTask,
  labels: readonly string[],
  spec: string,
  item: { id: string; question: string; choices?: { label: string; text: string }[] },
  disagreement?: number,
  format: 'text' | 'json' = 'text',
): string {
  const modelId = spec.slice(spec.indexOf(':') + 1);
  const fakeModel = { provider: 'x', modelId, supportsLogprobs: false } as unknown as LanguageModel;
  const user = createRequestBuilder(task, kindOf(task).prompt, { format })(task, item, fakeModel).messages.filter((m) => m.role === 'user').pop()?.content ?? '';
  return fakeLabel(labels, modelId, user, disagreement);
}

/** The plurality letter; ties go to the first option letter (the one core's tie rule: label order). */
function plurality(letters: readonly string[]): string {
  const count = (l: string) => letters.filter((x) => x === l).length;
  return [...letters].sort((a, b) => count(b) - count(a) || a.localeCompare(b))[0] as string;
}

describe('fusion run on a QA task through the real SDKs', () => {
  it('multiple choice: one fused line per input line in order, each model\'s letter, a bad line reported in place', async () => {
    const server = await fixture.start({ labels: LETTERS, latencyMs: 2, disagreement: 0.4, faults: { rateLimit: 0.1, retryAfterMs: 5 } });
    const t = fixture.tempDir();
    const taskFile = join(t.dir, 'task.json');
    writeFileSync(taskFile, JSON.stringify(mcTask));
    const items = questions(30);
    const input = [...items.slice(0, 12).map((i) => JSON.stringify({ ...i, answers: ['A'] })), '{"id": "broken", "question": 7}', ...items.slice(12).map((i) => JSON.stringify(i))].join('\n');
    const stdout = captureStream();
    const stderr = captureStream();
    const code = await runCommand(['--task', taskFile, '--models', MODELS.join(','), '--concurrency', '6', '--no-cache'], {
      stdin: Readable.from([input]),
      stdout,
      stderr,
      env: server.env(),
    });
    expect(code).toBe(1);
    expect(stderr.text()).toMatch(/^stdin:13: question: /m);
    expect(stderr.text()).toMatch(/31 line\(s\) written, 1 bad input line\(s\), 0 undecided/);
    const lines = stdout.text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(31);
    expect(lines[12]).toMatchObject({ id: 'broken', line: 13 });
    const fused = lines.filter((l) => !('error' in l));
    expect(fused.map((l) => l.id)).toEqual(items.map((i) => i.id));
    let contested = 0;
    fused.forEach((line, i) => {
      const item = items[i] as (typeof items)[number];
      const letters = MODELS.map((m) => expectedAnswer(mcTask, LETTERS, m, item, 0.4));
      if (new Set(letters).size > 1) contested++;
      const answer = plurality(letters);
      expect(line).toMatchObject({ answer, choice: { label: answer, text: `thing ${answer.toLowerCase()}${i}` }, cluster: { key: answer } });
      expect((line.cluster as { models: string[] }).models).toEqual(MODELS.filter((_, k) => letters[k] === answer));
      expect(line.support).toBeCloseTo(letters.filter((l) => l === answer).length / 3, 5);
      expect((line.answers as { model: string; output: string; answer: string }[]).map((a) => [a.model, a.output, a.answer])).toEqual(MODELS.map((m, k) => [m, letters[k], letters[k]]));
      const shares = (line.distribution as { share: number }[]).map((d) => d.share);
      expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    });
    expect(contested).toBeGreaterThan(3);

    // --json-answers: OpenAI and Ollama models (structured output) answer {"answer": "B"}, read by its answer field.
    const json = captureStream();
    const few = items.slice(0, 6);
    expect(
      await runCommand(['--task', taskFile, '--models', MODELS.join(','), '--json-answers', '--no-cache'], {
        stdin: Readable.from([few.map((i) => JSON.stringify(i)).join('\n')]),
        stdout: json,
        stderr: captureStream(),
        env: server.env(),
      }),
    ).toBe(0);
    json
      .text()
      .trim()
      .split('\n')
      .forEach((text, i) => {
        const line = JSON.parse(text) as { answer: string; answers: { output: string; answer: string }[] };
        const letters = MODELS.map((m) => expectedAnswer(mcTask, LETTERS, m, few[i] as (typeof items)[number], 0.4, 'json'));
        expect(line.answers[0]?.output).toBe(JSON.stringify({ answer: letters[0] }));
        expect(line.answers[2]?.output).toBe(JSON.stringify({ answer: letters[2] }));
        expect(line.answers.map((a) => a.answer)).toEqual(letters);
        expect(line.answer).toBe(plurality(letters));
      });
  });

  it('a strategy fitted by fusion fit on a QA folder supplies the models and its weights', async () => {
    const server = await fixture.start({ labels: LETTERS, disagreement: 0.5 });
    const t = fixture.tempDir();
    const taskFile = join(t.dir, 'task.json');
    writeFileSync(taskFile, JSON.stringify(mcTask));
    // A labelled history in which the first model is always right and the other two share wrong answers.
    const history: QaFolder = {
      kind: 'qa',
      dir: t.dir,
      task: mcTask,
      items: questions(40).map((q, i) => ({ ...q, id: `h${i}`, answers: [LETTERS[i % 4] as string] })),
      responses: questions(40).flatMap((_, i) => {
        const right = LETTERS[i % 4] as string;
        const wrong = i % 3 === 0 ? right : (LETTERS[(i + 1) % 4] as string);
        return MODELS.map((m, k) => ({ item: `h${i}`, model: m, output: `The answer is (${k === 0 ? right : wrong}).` }));
      }),
    };
    const { saved } = fitQaStrategy(history, 'weighted-vote', 1);
    const strategyFile = join(t.dir, 'qa-strategy.json');
    writeFileSync(strategyFile, `${JSON.stringify({ ...saved, createdAt: '2026-01-01T00:00:00Z' }, null, 2)}\n`);

    const items = questions(40);
    const stdout = captureStream();
    const code = await runCommand(['--task', taskFile, '--strategy', strategyFile, '--no-cache'], {
      stdin: Readable.from([`${items.map((i) => JSON.stringify(i)).join('\n')}\n`]),
      stdout,
      stderr: captureStream(),
      env: server.env(),
    });
    expect(code).toBe(0);
    const lines = stdout.text().trim().split('\n').map((l) => JSON.parse(l) as { id: string; answer: string; answers: { model: string }[] });
    expect(lines.map((l) => l.id)).toEqual(items.map((i) => i.id));
    let overruled = 0;
    lines.forEach((line, i) => {
      const letters = MODELS.map((m) => expectedAnswer(mcTask, LETTERS, m, items[i] as (typeof items)[number], 0.5));
      expect(line.answers.map((a) => a.model)).toEqual(MODELS);
      // The trusted model decides, even against the other two agreeing.
      expect(line.answer).toBe(letters[0]);
      if (plurality(letters) !== letters[0]) overruled++;
    });
    expect(overruled).toBeGreaterThan(0);

    // Asking other models than the strategy knows: a fitted model nothing stands for is an error
    // (exit 2) unless left out on purpose; both directions are then reported and the run goes on.
    const models = [MODELS[0] as string, 'openai:gpt-4o'];
    await expect(runCommand(['--task', taskFile, '--strategy', strategyFile, '--models', models.join(','), '--no-cache'], { stdin: Readable.from([JSON.stringify(items[0])]), stdout: captureStream(), stderr: captureStream(), env: server.env() })).rejects.toThrow(
      /fitted with anthropic:claude-3-5-haiku-latest, ollama:llama3\.1, which none of the models/,
    );
    const stderr = captureStream();
    const other = captureStream();
    const leaveOut = '--model-map=anthropic:claude-3-5-haiku-latest=-,ollama:llama3.1=-';
    expect(await runCommand(['--task', taskFile, '--strategy', strategyFile, '--models', models.join(','), leaveOut, '--no-cache'], { stdin: Readable.from([JSON.stringify(items[0])]), stdout: other, stderr, env: server.env() })).toBe(0);
    expect(stderr.text()).toMatch(/fitted with anthropic:claude-3-5-haiku-latest, ollama:llama3\.1, not asked here/);
    expect(stderr.text()).toMatch(/not fitted with openai:gpt-4o; their answers get a neutral weight/);
    expect((JSON.parse(other.text()) as { answers: { model: string }[] }).answers.map((a) => a.model)).toEqual(models);
  });

  it('numeric: the same value written differently is one answer; --strategy dawid-skene-one-coin runs per batch', async () => {
    const labels = ['1,000', '1000.0', '999'];
    const server = await fixture.start({ labels, disagreement: 0.5 });
    const t = fixture.tempDir();
    const task: QaTask = { name: 'fake-numeric', kind: 'qa', answerType: 'numeric', instructions: '' };
    const taskFile = join(t.dir, 'task.json');
    writeFileSync(taskFile, JSON.stringify(task));
    const items = Array.from({ length: 25 }, (_, i) => ({ id: `n${i}`, question: `How many grams are in ${i + 1} kilograms, roughly?` }));
    for (const strategy of ['majority-vote', 'dawid-skene-one-coin']) {
      const stdout = captureStream();
      const code = await runCommand(['--task', taskFile, '--models', MODELS.join(','), '--strategy', strategy, '--batch', '10', '--no-cache'], {
        stdin: Readable.from([items.map((i) => JSON.stringify(i)).join('\n')]),
        stdout,
        stderr: captureStream(),
        env: server.env(),
      });
      expect(code).toBe(0);
      const lines = stdout.text().trim().split('\n').map((l) => JSON.parse(l) as { id: string; answer: string; distribution: { key: string }[] });
      expect(lines.map((l) => l.id)).toEqual(items.map((i) => i.id));
      lines.forEach((line, i) => {
        const values = MODELS.map((m) => (expectedAnswer(task, labels, m, items[i] as (typeof items)[number], 0.5) === '999' ? 999 : 1000));
        expect(line.distribution).toHaveLength(new Set(values).size);
        if (strategy === 'majority-vote') {
          const thousand = values.filter((v) => v === 1000).length;
          expect(Number(line.answer.replace(/,/g, '')), `${strategy} ${line.id}`).toBe(thousand >= 2 ? 1000 : 999);
        } else {
          expect([999, 1000]).toContain(Number(line.answer.replace(/,/g, '')));
        }
      });
    }
  });
});
