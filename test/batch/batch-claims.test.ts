import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { BatchPlan, FakeLlmServerOptions } from '../support/fake-llm-server.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, captureStream, itemsOf, task, waitFor } from '../integration/setup.js';

/**
 * Issue 22 cases 1 and 4, with real processes: a batch request claims its call as a live call does,
 * so a live run and a --batch run (or two --batch runs) on one cache never pay twice, and a batch
 * whose create was interrupted by a kill is found at the provider, not created again.
 */
const fixture = fakeServerFixture();
const MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest'];
const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

const io = (env: Record<string, string>, input = '') => {
  const stdin = new PassThrough();
  stdin.end(input);
  return { stdin, stdout: captureStream(), stderr: captureStream(), env };
};

interface Child {
  child: ChildProcessWithoutNullStreams;
  err(): string;
  out(): string;
  exit: Promise<number | null>;
}

function spawnCli(args: string[], env: Record<string, string>, input: string): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdin.end(input);
  return { child, err: () => err, out: () => out, exit };
}

async function setup(options: Omit<FakeLlmServerOptions, 'labels'>, n: number) {
  const server = await fixture.start({ labels: LABELS, ...options });
  const { dir } = fixture.tempDir();
  const taskFile = join(dir, 'task.json');
  writeFileSync(taskFile, JSON.stringify(task));
  const input = itemsOf(n).map((i) => JSON.stringify(i)).join('\n') + '\n';
  const cache = join(dir, 'cache.sqlite');
  const args = (extra: string[] = []) => ['run', '--task', taskFile, '--models', MODELS.join(','), '--cache', cache, ...extra];
  return { server, input, args, cache };
}

const complete = (out: string, n: number): boolean => {
  const ls = out.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { answers: { output: string | null }[] });
  return ls.length === n && ls.every((l) => l.answers.every((a) => a.output !== null));
};

describe('issue 22 case 1: --batch claims its calls like a live call', () => {
  it('a live run started while a --batch run polls waits for the batch answers instead of paying for them', async () => {
    const N = 10;
    const plan: BatchPlan = { pollsToFinish: 1_000_000 };
    const s = await setup({ batches: plan }, N);
    const batch = spawnCli(s.args(['--batch', '--batch-poll', '0.05']), s.server.env(), s.input);
    try {
      await waitFor(() => /batches: 2 submitted, 2 in progress/.test(batch.err()) || batch.child.exitCode !== null, 60_000, 'the batch run to poll');
      const live = io(s.server.env(), s.input);
      const liveDone = main(s.args(), live);
      // The live run is waiting on the batch's claims; the batches end at the provider.
      await new Promise((r) => setTimeout(r, 1_000));
      plan.pollsToFinish = 0;
      expect(await liveDone, live.stderr.text()).toBe(0);
      expect(await batch.exit, batch.err()).toBe(0);
      const snap = s.server.snapshot();
      expect(snap.requests).toBe(0);
      expect(snap.duplicateSuccesses).toBe(0);
      expect(snap.successes).toBe(2 * N);
      expect(complete(live.stdout.text(), N)).toBe(true);
    } finally {
      batch.child.kill('SIGKILL');
    }
  });

  it('a --batch run started while a live run calls leaves it the calls it holds and waits for them; nothing is paid twice', async () => {
    const N = 16;
    const s = await setup({ batches: { pollsToFinish: 2 }, latencyMs: 150 }, N);
    const live = spawnCli(s.args(['--concurrency', '2']), s.server.env(), s.input);
    try {
      await waitFor(() => s.server.snapshot().successes >= 2 || live.child.exitCode !== null, 60_000, 'the live run to answer');
      const batch = io(s.server.env(), s.input);
      expect(await main(s.args(['--batch', '--batch-poll', '0.02']), batch), batch.stderr.text()).toBe(0);
      expect(await live.exit, live.err()).toBe(0);
      const snap = s.server.snapshot();
      expect(snap.duplicateSuccesses).toBe(0);
      expect(snap.successes).toBe(2 * N);
      expect(snap.batchRequests).toBeLessThan(2 * N);
      expect(complete(live.out(), N)).toBe(true);
      expect(complete(batch.stdout.text(), N)).toBe(true);
    } finally {
      live.child.kill('SIGKILL');
    }
  });

  it('two --batch runs started together submit every call once', async () => {
    const N = 12;
    const s = await setup({ batches: { pollsToFinish: 3 } }, N);
    const a = spawnCli(s.args(['--batch', '--batch-poll', '0.05']), s.server.env(), s.input);
    const b = spawnCli(s.args(['--batch', '--batch-poll', '0.05']), s.server.env(), s.input);
    try {
      const both = (): string => `run a:\n${a.err()}\nrun b:\n${b.err()}`;
      expect(await a.exit, both()).toBe(0);
      expect(await b.exit, both()).toBe(0);
      const snap = s.server.snapshot();
      expect(snap.batchRequests).toBe(2 * N);
      expect(snap.requests).toBe(0);
      expect(snap.duplicateSuccesses).toBe(0);
      expect(complete(a.out(), N)).toBe(true);
      expect(complete(b.out(), N)).toBe(true);
    } finally {
      a.child.kill('SIGKILL');
      b.child.kill('SIGKILL');
    }
  });

  it('a live run finding calls in a batch nobody polls (its run was killed) does not pay for them, and says how to collect them', async () => {
    const N = 6;
    const plan: BatchPlan = { pollsToFinish: 1_000_000 };
    const s = await setup({ batches: plan }, N);
    const batch = spawnCli(s.args(['--batch', '--batch-poll', '0.05']), s.server.env(), s.input);
    try {
      await waitFor(() => /batches: 2 submitted, 2 in progress/.test(batch.err()) || batch.child.exitCode !== null, 60_000, 'the batch run to poll');
    } finally {
      batch.child.kill('SIGKILL');
    }
    await batch.exit;
    const live = io(s.server.env(), s.input);
    expect(await main(s.args(), live)).toBe(4);
    expect(live.stderr.text()).toMatch(/already paid for in batch (batch_1|msgbatch_2), pending at the provider: run the --batch command/);
    expect(s.server.snapshot().requests).toBe(0);
    // The --batch command again collects them; the live run after it finds every answer cached.
    plan.pollsToFinish = 0;
    const again = io(s.server.env(), s.input);
    expect(await main(s.args(['--batch', '--batch-poll', '0.01']), again), again.stderr.text()).toBe(0);
    const after = io(s.server.env(), s.input);
    expect(await main(s.args(), after)).toBe(0);
    const snap = s.server.snapshot();
    expect(snap.requests).toBe(0);
    expect(snap.batchRequests).toBe(2 * N);
    expect(complete(after.stdout.text(), N)).toBe(true);
  });
});

describe('issue 22 case 4: a run killed during a batch create', () => {
  it('records the intent first; the re-run finds the batch at the provider and creates it only once', async () => {
    const N = 6;
    const plan: BatchPlan = { pollsToFinish: 1, hangCreates: 1 };
    const s = await setup({ batches: plan }, N);
    const first = spawnCli(s.args(['--batch', '--batch-poll', '0.05']), s.server.env(), s.input);
    try {
      await waitFor(() => s.server.snapshot().batchesCreated >= 1 || first.child.exitCode !== null, 60_000, 'the create to reach the provider');
    } finally {
      first.child.kill('SIGKILL');
    }
    await first.exit;
    const list = io(s.server.env());
    expect(await main(['batches', '--cache', s.cache], list)).toBe(0);
    expect(list.stdout.text()).toMatch(/1 batch create\(s\) not confirmed by the provider \(openai:gpt-4o-mini, 6 request\(s\)/);
    const again = io(s.server.env(), s.input);
    expect(await main(s.args(['--batch', '--batch-poll', '0.01']), again), again.stderr.text()).toBe(0);
    expect(again.stderr.text()).toMatch(/found batch batch_1, created by an earlier run that never recorded it/);
    const snap = s.server.snapshot();
    expect(snap.batchesCreated).toBe(2);
    expect(snap.batchRequests).toBe(2 * N);
    expect(snap.requests).toBe(0);
    expect(snap.duplicateSuccesses).toBe(0);
    expect(complete(again.stdout.text(), N)).toBe(true);
  });
});
