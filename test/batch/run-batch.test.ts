import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { SqliteStore } from '../../src/orchestrate/cache.js';
import type { BatchPlan } from '../support/fake-llm-server.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, captureStream, itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();
const BATCH_MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest'];
const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

const io = (env: Record<string, string>, input = '') => {
  const stdin = new PassThrough();
  stdin.end(input);
  return { stdin, stdout: captureStream(), stderr: captureStream(), env };
};

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('fusion run --batch (offline mode)', () => {
  it('writes the same fused lines as a live run, every call in a batch once', async () => {
    const N = 20;
    const server = await fixture.start({ labels: LABELS, batches: { pollsToFinish: 2, expireShare: 0.15 } });
    const { dir } = fixture.tempDir();
    const taskFile = join(dir, 'task.json');
    writeFileSync(taskFile, JSON.stringify(task));
    const input = itemsOf(N).map((i) => JSON.stringify(i)).join('\n') + '\nnot json\n';
    const args = (cache: string, extra: string[]) => ['run', '--task', taskFile, '--models', BATCH_MODELS.join(','), '--cache', join(dir, cache), ...extra];

    const batched = io(server.env(), input);
    expect(await main(args('batch.sqlite', ['--batch', '--batch-poll', '0.001']), batched)).toBe(1); // the bad line
    const err = batched.stderr.text();
    expect(err).toMatch(/stdin:\d+/);
    expect(err).toMatch(/left to live calls/);
    const snap = server.snapshot();
    expect(snap.batchesCreated).toBe(2);
    expect(snap.batchRequests).toBe(2 * N);
    // The expired requests were asked live (--batch-retry live, the default), once each.
    expect(snap.requests).toBeGreaterThan(0);
    expect(snap.duplicateSuccesses).toBe(0);
    expect(snap.successes).toBe(2 * N);

    const liveServer = await fixture.start({ labels: LABELS });
    const live = io(liveServer.env(), input);
    expect(await main(args('live.sqlite', []), live)).toBe(1);
    const strip = (text: string) => text.trim().split('\n').map((l) => { const o = JSON.parse(l); delete o.cost; return o; });
    expect(strip(batched.stdout.text())).toEqual(strip(live.stdout.text()));
    const cost = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l).cost ?? 0).reduce((a: number, b: number) => a + b, 0);
    // Expired requests were paid live at the full price: between half and the full live cost.
    expect(cost(batched.stdout.text())).toBeLessThan(cost(live.stdout.text()));
  });

  it('stops at --max-cost before submitting a batch that does not fit, and says so (exit 3)', async () => {
    const server = await fixture.start({ labels: LABELS, batches: { pollsToFinish: 1 } });
    const { dir } = fixture.tempDir();
    const taskFile = join(dir, 'task.json');
    writeFileSync(taskFile, JSON.stringify(task));
    const run = io(server.env(), itemsOf(5).map((i) => JSON.stringify(i)).join('\n'));
    const code = await main(['run', '--task', taskFile, '--models', BATCH_MODELS.join(','), '--cache', join(dir, 'c.sqlite'), '--batch', '--max-cost', '0.000001'], run);
    expect(code, run.stderr.text()).toBe(3);
    expect(run.stderr.text()).toMatch(/does not fit the budget; not submitted/);
    expect(server.snapshot().batchesCreated).toBe(0);
    expect(server.snapshot().requests).toBe(0);
  });

  it('--batch N still means the refit size, with a note', async () => {
    const server = await fixture.start({ labels: LABELS });
    const { dir } = fixture.tempDir();
    const taskFile = join(dir, 'task.json');
    writeFileSync(taskFile, JSON.stringify(task));
    const run = io(server.env(), itemsOf(4).map((i) => JSON.stringify(i)).join('\n'));
    expect(await main(['run', '--task', taskFile, '--models', 'ollama:llama3.1', '--strategy', 'dawid-skene', '--batch', '2', '--no-cache'], run)).toBe(0);
    expect(run.stderr.text()).toMatch(/"--batch N" is now "--batch-size N"/);
    expect(run.stdout.text().trim().split('\n')).toHaveLength(4);
    expect(server.snapshot().batchesCreated).toBe(0);
  });

  it('a run killed while polling and started again submits nothing new', async () => {
    const N = 15;
    const plan: BatchPlan = { pollsToFinish: 1_000_000 };
    const server = await fixture.start({ labels: LABELS, batches: plan });
    const { dir } = fixture.tempDir();
    const taskFile = join(dir, 'task.json');
    writeFileSync(taskFile, JSON.stringify(task));
    const input = itemsOf(N).map((i) => JSON.stringify(i)).join('\n') + '\n';
    const cachePath = join(dir, 'cache.sqlite');
    const args = ['run', '--task', taskFile, '--models', BATCH_MODELS.join(','), '--cache', cachePath, '--batch', '--batch-poll', '0.02'];
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, ...server.env() }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(input);
    let childErr = '';
    let childOut = '';
    child.stderr.on('data', (c: Buffer) => (childErr += c.toString()));
    child.stdout.on('data', (c: Buffer) => (childOut += c.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      await waitFor(() => /batches: 2 submitted, 2 in progress/.test(childErr) || child.exitCode !== null, 60_000, 'the child to submit and poll');
    } finally {
      child.kill('SIGKILL');
    }
    await exited;
    expect(childErr).toMatch(/batches: 2 submitted, 2 in progress/);
    expect(childOut).toBe('');
    expect(server.snapshot().batchesCreated).toBe(2);
    const store = new SqliteStore(cachePath);
    expect((await store.batches.list()).map((j) => j.collected)).toEqual([false, false]);
    await store.close();

    // The batches end at the provider while nobody watches; the same command picks them up.
    plan.pollsToFinish = 0;
    const again = io(server.env(), input);
    expect(await main(args, again), again.stderr.text()).toBe(0);
    expect(again.stderr.text()).toMatch(/resuming 2 batch\(es\) submitted by an earlier run/);
    const snap = server.snapshot();
    expect(snap.batchesCreated).toBe(2);
    expect(snap.batchRequests).toBe(2 * N);
    expect(snap.requests).toBe(0);
    expect(snap.successes).toBe(2 * N);
    expect(again.stdout.text().trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(itemsOf(N).map((i) => i.id));
  });
});
