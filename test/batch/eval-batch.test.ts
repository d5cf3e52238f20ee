import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { SqliteStore } from '../../src/orchestrate/cache.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { MODELS, captureStream, itemsOf, task } from '../integration/setup.js';
import { LABELS } from '../integration/setup.js';

const fixture = fakeServerFixture();

interface Line {
  item: string;
  model: string;
  output: string;
  tokens?: { input: number; output: number };
  cost?: number;
  logprobs?: unknown;
}

function readResponses(dir: string): Line[] {
  return readFileSync(join(dir, 'responses.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
}

const byKey = (lines: Line[]): Map<string, Line> => new Map(lines.map((l) => [`${l.item}\u0000${l.model}`, l]));

function folder(n: number): string {
  const { dir } = fixture.tempDir();
  writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
  writeFileSync(join(dir, 'items.jsonl'), itemsOf(n).map((i) => JSON.stringify({ ...i, label: 'positive' })).join('\n') + '\n');
  return dir;
}

const io = (env: Record<string, string>) => ({ stdin: new PassThrough(), stdout: captureStream(), stderr: captureStream(), env });

describe('fusion eval --models --batch (provider batch APIs)', () => {
  it('answers every item by every model through batches, each request once, identical to a live run, at half the price', async () => {
    const N = 24;
    const server = await fixture.start({ labels: LABELS, batches: { pollsToFinish: 3, errorShare: 0.1, expireShare: 0.1 } });
    const batchDir = folder(N);
    const args = (dir: string, extra: string[]) => ['eval', dir, '--models', MODELS.join(','), '--cache', join(dir, 'cache.sqlite'), '--folds', '2', '--quiet', ...extra];

    const run = io(server.env());
    const code = await main(args(batchDir, ['--batch', '--batch-retry', 'batch', '--batch-poll', '0.001']), run);
    const err = run.stderr.text();
    if (process.env.SHOW_STDERR) console.log(err);
    expect(code, err).toBe(0);
    // ollama has no batch API: asked live, with a note.
    expect(err).toMatch(/ollama:llama3\.1: ollama has no batch API; asked with live calls/);
    expect(err).toMatch(/batches: \d+ submitted, \d+ in progress/);
    expect(err).toMatch(/submitting \d+ failed or expired request\(s\) again in a new batch/);
    const batchLines = readResponses(batchDir);
    expect(batchLines).toHaveLength(N * MODELS.length);

    // Server side: every (model, prompt) answered exactly once; OpenAI and Anthropic calls came only in batches,
    // each submitted once, except the faulted ones (submitted twice: their first try errored or expired).
    const snap = server.snapshot();
    expect(snap.duplicateSuccesses).toBe(0);
    expect(snap.perModel).toEqual({ 'gpt-4o-mini': N, 'claude-3-5-haiku-latest': N, 'llama3.1': N });
    expect(snap.requests).toBe(N); // live requests: ollama only
    const submissions = [...server.batchSubmissionCounts().values()];
    expect(submissions).toHaveLength(2 * N);
    const twice = submissions.filter((c) => c === 2).length;
    expect(twice).toBeGreaterThan(0);
    expect(submissions.every((c) => c === 1 || c === 2)).toBe(true);
    expect(snap.batchRequests).toBe(2 * N + twice);

    // Re-run: nothing new is submitted or asked.
    const again = io(server.env());
    expect(await main(args(batchDir, ['--batch', '--batch-poll', '0.001']), again)).toBe(0);
    expect(server.snapshot().batchesCreated).toBe(snap.batchesCreated);
    expect(server.snapshot().requests).toBe(snap.requests);

    // The same calls live, on a fresh cache: the same answers and tokens, twice the cost.
    const liveServer = await fixture.start({ labels: LABELS });
    const liveDir = folder(N);
    const live = io(liveServer.env());
    expect(await main(args(liveDir, []), live)).toBe(0);
    const liveLines = byKey(readResponses(liveDir));
    let batchCost = 0;
    let liveCost = 0;
    for (const [key, b] of byKey(batchLines)) {
      const l = liveLines.get(key);
      expect(l, key).toBeDefined();
      expect(b.output).toBe(l?.output);
      expect(b.tokens).toEqual(l?.tokens);
      expect(b.logprobs).toEqual(l?.logprobs);
      if (!b.model.startsWith('ollama:')) {
        batchCost += b.cost ?? NaN;
        liveCost += l?.cost ?? NaN;
      }
    }
    expect(liveCost).toBeGreaterThan(0);
    expect(batchCost).toBeCloseTo(liveCost / 2, 10);

    // The store remembers the batches with status, counts and cost.
    const store = new SqliteStore(join(batchDir, 'cache.sqlite'));
    const jobs = await store.batches.list();
    await store.close();
    expect(jobs.length).toBe(snap.batchesCreated);
    expect(jobs.every((j) => j.collected && j.status === 'ended')).toBe(true);
    expect(jobs.reduce((s, j) => s + j.succeeded, 0)).toBe(2 * N);
  });
});
