import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fitCommand } from '../../src/cli/commands/fit.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { recordFolderResponses } from '../../src/cli/record-folder.js';
import type { FakeLlmServer } from '../support/fake-llm-server.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { spawnRunChild } from '../support/run-child-process.js';
import { LETTERS, MODELS, STOPPING_TARGET, captureStream, expectedLabel, letterOf, mcQuestions, mcTask, task, waitFor } from './setup.js';

/**
 * Ctrl-C in the middle of `fusion run --strategy policy.json` (a saved adaptive policy), then the
 * same command again: the resumed run writes every line, the very lines of an uninterrupted run,
 * and the two runs together pay for exactly the calls the uninterrupted run made, none twice.
 */
const fixture = fakeServerFixture();

type Kind = 'classification' | 'qa';
type Line = { id: string; asked?: number; stopped?: string; cost: number; answers: { model: string; output: string | null; abstain?: string; error?: string }[] } & Record<string, unknown>;

const DISAGREEMENT = 0.3;
const N = 120;

function majority(votes: readonly string[]): string {
  return votes.find((v) => votes.filter((w) => w === v).length >= 2) ?? (votes[0] as string);
}

/** A labelled folder recorded on the fake server, an adaptive policy fitted on it, and fresh items to run it on. */
async function fittedPolicy(kind: Kind): Promise<{ taskFile: string; policy: string; dir: string; items: { id: string }[] }> {
  const labels = kind === 'classification' ? task.labels.map((l) => l.name) : LETTERS;
  const recorder = await fixture.start({ labels, disagreement: DISAGREEMENT });
  const { dir } = fixture.tempDir();
  const taskFile = join(dir, 'task.json');
  // Gold: the majority of the three models (the first model's answer on a three-way split), so the
  // policy often stops after two agreeing models and asks the third when they disagree.
  const train =
    kind === 'classification'
      ? Array.from({ length: 120 }, (_, i) => ({ id: `train-${i}`, text: `Review number ${i}: the product was ${['fine', 'awful', 'great', 'ok'][i % 4]}.` })).map((i) => ({
          ...i,
          label: majority(MODELS.map((m) => expectedLabel(m, i.text))),
        }))
      : mcQuestions(120, 'train-').map((q) => ({ ...q, answers: [majority(MODELS.map((m) => letterOf(m, q, DISAGREEMENT)))] }));
  writeFileSync(taskFile, JSON.stringify(kind === 'classification' ? task : mcTask));
  writeFileSync(join(dir, 'items.jsonl'), train.map((i) => JSON.stringify(i)).join('\n') + '\n');
  await recordFolderResponses(dir, MODELS, { concurrency: '8', 'no-cache': true }, { stderr: captureStream() }, { env: recorder.env() });
  const policy = join(dir, 'policy.json');
  expect(await fitCommand([dir, '--strategy', 'adaptive', '--out', policy, '--folds', '0', ...STOPPING_TARGET], { stdin: Readable.from([]), stdout: captureStream(), stderr: captureStream() })).toBe(0);
  const items =
    kind === 'classification'
      ? Array.from({ length: N }, (_, i) => ({ id: `new-${i}`, text: `A new review ${i}, rather ${['good', 'poor', 'mixed'][i % 3]}.` }))
      : mcQuestions(N, 'new-');
  return { taskFile, policy, dir, items };
}

/** A producer that trickles lines in, like a pipe from another program. */
async function* trickle(items: readonly object[]): AsyncGenerator<string> {
  for (const item of items) {
    yield `${JSON.stringify(item)}\n`;
    await new Promise((r) => setTimeout(r, 2));
  }
}

function parse(text: string): Line[] {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
}

/** Lines without what a cached answer changes (its cost now). */
const free = (lines: Line[]): Line[] => lines.map((l) => ({ ...l, cost: 0 }));

async function uninterrupted(kind: Kind, argv: (cache: string) => string[], dir: string, items: readonly object[]): Promise<{ lines: Line[]; calls: number }> {
  const server = await fixture.start({ labels: kind === 'classification' ? task.labels.map((l) => l.name) : LETTERS, disagreement: DISAGREEMENT });
  const stdout = captureStream();
  const code = await runCommand(argv(join(dir, 'reference.sqlite')), { stdin: Readable.from(trickle(items)), stdout, stderr: captureStream(), env: server.env() });
  expect(code).toBe(0);
  const lines = parse(stdout.text());
  expect(server.snapshot().duplicateSuccesses).toBe(0);
  return { lines, calls: server.snapshot().successes };
}

/** The same command again after the interrupt: every line, as the uninterrupted run wrote it, and nothing paid twice. */
async function resume(server: FakeLlmServer, argv: string[], items: readonly object[], reference: { lines: Line[]; calls: number }): Promise<void> {
  server.options.latencyMs = 1;
  const paidBefore = server.snapshot().successes;
  const stdout = captureStream();
  expect(await runCommand(argv, { stdin: Readable.from(trickle(items)), stdout, stderr: captureStream(), env: server.env() })).toBe(0);
  const lines = parse(stdout.text());
  expect(lines).toHaveLength(items.length);
  expect(free(lines)).toEqual(free(reference.lines));
  const after = server.snapshot();
  expect(after.duplicateSuccesses).toBe(0);
  expect(after.successes).toBe(reference.calls);
  // The resumed run paid only for what the interrupted one had not asked.
  expect(after.successes - paidBefore).toBeLessThan(reference.calls);
  // Every answer the lines show was asked exactly as the policy asked it: the server counted each once.
  const asked = lines.reduce((a, l) => a + (l.asked ?? 0), 0);
  expect(asked).toBe(reference.calls);
}

function checkPartial(lines: Line[], items: readonly { id: string }[]): void {
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.length).toBeLessThan(items.length);
  expect(lines.map((l) => l.id)).toEqual(items.slice(0, lines.length).map((i) => i.id));
  checkCut(lines, 'interrupted');
}

/**
 * Complete lines: every model has its place, answered or marked as not asked; "asked" counts the
 * answers really asked, and an item whose calls the run stopped says so.
 */
function checkCut(lines: Line[], stop: 'interrupted' | 'budget'): void {
  for (const l of lines) {
    expect(l.answers.map((a) => a.model)).toEqual(MODELS);
    for (const a of l.answers) if (a.output === null) expect(a.abstain).toBe('missing');
    expect(l.asked).toBe(l.answers.filter((a) => a.output !== null).length);
    const cut = l.answers.some((a) => a.output === null && (stop === 'interrupted' ? /interrupted/ : /--max-cost/).test(String(a.error)));
    expect(l.stopped === stop).toBe(cut);
    if (!cut) expect(['settled', 'confident', 'all-asked', 'max-calls']).toContain(l.stopped);
  }
  expect(lines.some((l) => l.stopped === stop)).toBe(true);
}

describe.each<Kind>(['classification', 'qa'])('Ctrl-C and resume of fusion run with a saved adaptive policy (%s)', (kind) => {
  it('in process: exit 130 with complete lines in input order; the same command again writes the uninterrupted lines and pays for nothing twice', async () => {
    const { taskFile, policy, dir, items } = await fittedPolicy(kind);
    const argv = (cache: string): string[] => ['--task', taskFile, '--strategy', policy, '--models', MODELS.join(','), '--concurrency', '4', '--cache', cache];
    const reference = await uninterrupted(kind, argv, dir, items);
    expect(reference.calls).toBeLessThan(items.length * MODELS.length); // the policy does stop early

    const server = await fixture.start({ labels: kind === 'classification' ? task.labels.map((l) => l.name) : LETTERS, disagreement: DISAGREEMENT, latencyMs: 20 });
    const cache = join(dir, 'c.sqlite');
    const stdout = captureStream();
    const stderr = captureStream();
    const running = runCommand(argv(cache), { stdin: Readable.from(trickle(items)), stdout, stderr, env: server.env() });
    await waitFor(() => server.snapshot().successes >= 30, 20_000, '30 answers');
    process.emit('SIGINT');
    expect(await running).toBe(130);
    expect(stderr.text()).toMatch(/interrupted; waiting for \d+ call\(s\) in flight/);
    expect(stderr.text()).toMatch(/Re-run the same command to resume/);
    checkPartial(parse(stdout.text()), items);
    expect(server.snapshot().successes).toBeLessThan(reference.calls);

    await resume(server, argv(cache), items, reference);
  });

  it('a real SIGINT to a fusion run process: exit 130, complete lines in input order, the message; the same command resumes without re-paying', async () => {
    const { taskFile, policy, dir, items } = await fittedPolicy(kind);
    const argv = (cache: string): string[] => ['--task', taskFile, '--strategy', policy, '--models', MODELS.join(','), '--concurrency', '4', '--cache', cache];
    const reference = await uninterrupted(kind, argv, dir, items);

    const server = await fixture.start({ labels: kind === 'classification' ? task.labels.map((l) => l.name) : LETTERS, disagreement: DISAGREEMENT, latencyMs: 20 });
    const cache = join(dir, 'c.sqlite');
    const run = spawnRunChild(argv(cache), server.env(), items);
    try {
      await waitFor(() => server.snapshot().successes >= 30, 30_000, '30 answers');
      run.child.kill('SIGINT');
      expect(await run.exit(15_000)).toBe(130);
    } finally {
      run.child.kill('SIGKILL');
    }
    expect(run.err()).toMatch(/interrupted; waiting for \d+ call\(s\) in flight/);
    expect(run.err()).toMatch(/Re-run the same command to resume/);
    checkPartial(parse(run.out()), items);

    await resume(server, argv(cache), items, reference);
  });

  it('--max-cost stops the calls (exit 3), the lines cut short say "budget"; a larger budget resumes to the uninterrupted lines without paying twice', async () => {
    const { taskFile, policy, dir, items } = await fittedPolicy(kind);
    // A deliberately steep price so a small budget buys only part of the run (the Ollama model stays free).
    const prices = join(dir, 'prices.json');
    writeFileSync(prices, JSON.stringify({ 'openai:gpt-4o-mini': { input: 100, output: 100 }, 'anthropic:claude-3-5-haiku-latest': { input: 100, output: 100 } }));
    const argv = (cache: string, budget = '1'): string[] => ['--task', taskFile, '--strategy', policy, '--models', MODELS.join(','), '--concurrency', '4', '--cache', cache, '--prices', prices, '--max-cost', budget];
    const reference = await uninterrupted(kind, (cache) => argv(cache, '1000'), dir, items);

    const server = await fixture.start({ labels: kind === 'classification' ? task.labels.map((l) => l.name) : LETTERS, disagreement: DISAGREEMENT });
    const cache = join(dir, 'c.sqlite');
    const stdout = captureStream();
    const stderr = captureStream();
    expect(await runCommand(argv(cache), { stdin: Readable.from(trickle(items)), stdout, stderr, env: server.env() })).toBe(3);
    expect(stderr.text()).toMatch(/--max-cost budget of \$1\.0000 was reached/);
    const lines = parse(stdout.text());
    // A budget stop still answers every line, with what was asked before the budget ran out.
    expect(lines.map((l) => l.id)).toEqual(items.map((i) => i.id));
    checkCut(lines, 'budget');
    expect(server.snapshot().successes).toBeLessThan(reference.calls);

    await resume(server, argv(cache, '1000'), items, reference);
  });
});
