import { existsSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { runCommand } from '../../src/cli/commands/run.js';
import { createRequestBuilder } from '../../src/orchestrate/default-request.js';
import type { LanguageModel } from '../../src/providers/provider.js';
import type { ClassificationTask, QaTask } from '../../src/task/schema.js';
import { fakeLabel } from '../support/fake-llm-server.js';
import { kindOf } from '../../src/kinds/registry.js';

export const LABELS = ['positive', 'negative', 'neutral'];
export const MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', 'ollama:llama3.1'];

export const task: ClassificationTask = {
  name: 'fake-sentiment',
  kind: 'classification',
  labels: LABELS.map((name) => ({ name, aliases: [] })),
  instructions: 'Label the sentiment of the text.',
};

export function itemsOf(n: number): { id: string; text: string }[] {
  return Array.from({ length: n }, (_, i) => ({ id: `item-${i}`, text: `Review number ${i}: the product was ${['fine', 'awful', 'great', 'ok'][i % 4]}.` }));
}

/** Writes task.json and items.jsonl into `dir` (an eval folder without answers). */
export function writeFolder(dir: string, n: number): void {
  writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
  writeFileSync(join(dir, 'items.jsonl'), itemsOf(n).map((i) => JSON.stringify(i)).join('\n') + '\n');
}

/** What the fake server answers for an item: computed from the prompt the real builder renders. */
export function expectedLabel(spec: string, text: string, disagreement?: number): string {
  const build = createRequestBuilder(task, kindOf(task).prompt);
  const modelId = spec.slice(spec.indexOf(':') + 1);
  const fakeModel = { provider: 'x', modelId, supportsLogprobs: false } as unknown as LanguageModel;
  const user = build(task, { id: 'x', text }, fakeModel).messages.filter((m) => m.role === 'user').pop()?.content ?? '';
  return fakeLabel(LABELS, modelId, user, disagreement);
}

/** A stderr that keeps what was written. */
export function captureStream(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  }) as Writable & { text: () => string };
  w.text = () => chunks.join('');
  return w;
}

/** Polls `check` every 10 ms until true or `timeoutMs` passes (then throws): bounded waits only. */
export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * `fusion fit --strategy adaptive` flags for the tests of what a run does with a saved policy
 * (calls, rounds, resume), which need a policy that stops early. At the default half-point target a
 * policy fitted on the hundred-odd items these fixtures hold rightly asks every model: the bound
 * counts one disagreement the rows did not show, and that few rows cannot vouch for stopping within
 * half a point. A looser target of the test's own lets the same policy stop where two models agree.
 */
export const STOPPING_TARGET = ['--max-loss', '5'];

/** Option letters of the fake multiple-choice QA task: the fake server answers such a prompt with a bare letter. */
export const LETTERS = ['A', 'B', 'C', 'D'];
export const mcTask: QaTask = { name: 'fake-mc', kind: 'qa', answerType: 'multiple-choice', instructions: 'Pick the right option.' };

export type McQuestion = { id: string; question: string; choices: { label: string; text: string }[] };

export function mcQuestions(n: number, prefix: string): McQuestion[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    question: `Question ${prefix}${i}: which of these is the ${['largest', 'smallest', 'oldest', 'newest'][i % 4]} one?`,
    choices: LETTERS.map((label) => ({ label, text: `thing ${label.toLowerCase()}${i}` })),
  }));
}

/** The letter the fake server answers a model for a question, from the prompt the real builder renders. */
export function letterOf(spec: string, item: McQuestion, disagreement: number): string {
  const modelId = spec.slice(spec.indexOf(':') + 1);
  const fakeModel = { provider: 'x', modelId, supportsLogprobs: false } as unknown as LanguageModel;
  const user = createRequestBuilder(mcTask, kindOf(mcTask).prompt, {})(mcTask, item, fakeModel).messages.filter((m) => m.role === 'user').pop()?.content ?? '';
  return fakeLabel(LETTERS, modelId, user, disagreement);
}

/** How many answers a SQLite cache file holds (0 when the run never created it). */
export function cachedAnswers(path: string): number {
  if (!existsSync(path)) return 0;
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM responses').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * `fusion run` of `input` (JSONL) with a task file, a strategy (e.g. a saved policy), models and a
 * cache, against a server's env: the exit code, stderr and the output lines parsed.
 */
export async function runLines<L>(args: { task: string; strategy: string; models: readonly string[]; cache: string; input: string; env: Record<string, string | undefined>; extra?: readonly string[] }): Promise<{ code: number; err: string; lines: L[] }> {
  const stdout = captureStream();
  const stderr = captureStream();
  const code = await runCommand(['--task', args.task, '--strategy', args.strategy, '--models', args.models.join(','), '--cache', args.cache, ...(args.extra ?? [])], {
    stdin: Readable.from([args.input]),
    stdout,
    stderr,
    env: args.env,
  });
  return { code, err: stderr.text(), lines: stdout.text().trim().split('\n').map((l) => JSON.parse(l) as L) };
}
