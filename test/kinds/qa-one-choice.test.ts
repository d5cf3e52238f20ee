import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEvalFolder } from '../../src/kinds/load-folder.js';
import { fuse } from '../../src/run/fuse.js';
import { InputError } from '../../src/task/errors.js';
import type { QaTask } from '../../src/task/schema.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { runCli } from '../support/run-cli.js';

// A multiple-choice question with one choice: every model that answers picks it, so every model is
// "right" by construction and neither fusing nor scoring says anything. Every path that takes one
// refuses it at its line, with the same words.
const fixture = fakeServerFixture();
const task: QaTask = { name: 'quiz', kind: 'qa', answerType: 'multiple-choice', instructions: 'Answer with the letter of the right choice.' };
const two = [{ label: 'A', text: 'yes' }, { label: 'B', text: 'no' }];
const one = [{ label: 'A', text: 'yes' }];
const SAID = 'choices: a multiple-choice question needs at least two choices, got one ("A"), which every answer would pick';

const jsonl = (rows: unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('a multiple-choice question with one choice', () => {
  it('an eval folder refuses the item at its line (fusion eval and the library alike); two choices are read', async () => {
    const d = fixture.tempDir().dir;
    writeFileSync(join(d, 'task.json'), JSON.stringify(task));
    const items = [{ id: 'q1', question: 'Really?', choices: two, answers: ['A'] }, { id: 'q2', question: 'Truly?', choices: one, answers: ['A'] }, { id: 'q3', question: 'Surely?', choices: [], answers: ['A'] }];
    writeFileSync(join(d, 'items.jsonl'), jsonl(items));
    writeFileSync(join(d, 'responses.jsonl'), jsonl(items.flatMap((x) => ['m1', 'm2'].map((model) => ({ item: x.id, model, output: 'A' })))));
    const error = (() => {
      try {
        loadEvalFolder(d);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).issues).toEqual([
      { file: join(d, 'items.jsonl'), line: 2, field: 'choices', message: expect.stringContaining('needs at least two choices, got one ("A")') },
      { file: join(d, 'items.jsonl'), line: 3, field: 'choices', message: expect.stringContaining('needs at least two choices, got none') },
    ]);
    const r = await runCli(['eval', d, '--strategies', 'majority-vote', '--folds', '2']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(d, 'items.jsonl')}:2: ${SAID}`);
    writeFileSync(join(d, 'items.jsonl'), jsonl(items.map((x) => ({ ...x, choices: two }))));
    expect(loadEvalFolder(d).items).toHaveLength(3);
  });

  it('fusion init refuses its row rather than make a folder every later command refuses', async () => {
    const d = fixture.tempDir().dir;
    const cell = (cs: unknown) => `"${JSON.stringify(cs).replaceAll('"', '""')}"`;
    writeFileSync(join(d, 'quiz.csv'), `id,question,choices,label\n1,Really?,${cell(two)},A\n2,Truly?,${cell(one)},A\n`);
    const out = join(d, 'set');
    const r = await runCli(['init', join(d, 'quiz.csv'), '--kind', 'qa', '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(d, 'quiz.csv')}:3: ${SAID}`);
    expect(existsSync(out)).toBe(false);
    const forced = await runCli(['init', join(d, 'quiz.csv'), '--kind', 'qa', '--answer-type', 'multiple-choice', '--out', out]);
    expect(forced.status).toBe(2);
    expect(forced.stderr).toContain(`${join(d, 'quiz.csv')}:3: ${SAID}`);
  });

  it('fusion run refuses its line without asking any model, and the library\'s fuse() refuses it', async () => {
    const server = await fixture.start({ labels: ['A', 'B'] });
    const d = fixture.tempDir().dir;
    writeFileSync(join(d, 'task.json'), JSON.stringify(task));
    writeFileSync(join(d, 'q.jsonl'), jsonl([{ id: 'q2', question: 'Truly?', choices: one }]));
    const r = await runCli(['run', '--task', join(d, 'task.json'), '--models', 'openai:gpt-4o-mini', '--input', join(d, 'q.jsonl'), '--no-cache'], { env: server.env() });
    expect(r.stderr).toContain(`${join(d, 'q.jsonl')}:1: ${SAID}`);
    expect(server.snapshot().requests).toBe(0);
    await expect(fuse(task, { question: 'Truly?', choices: one }, { models: ['openai:gpt-4o-mini'] })).rejects.toThrow(`item: ${SAID}`);
  });
});
