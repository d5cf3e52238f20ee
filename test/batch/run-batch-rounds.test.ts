import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fitCommand } from '../../src/cli/commands/fit.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { recordFolderResponses } from '../../src/cli/record-folder.js';
import type { BatchPlan, FakeLlmServer } from '../support/fake-llm-server.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { DEFAULT_PRICES, batchPriceOf, costOf } from '../../src/task/prices.js';
import { LABELS, LETTERS, STOPPING_TARGET, captureStream, expectedLabel, itemsOf, letterOf, mcQuestions, mcTask, task, waitFor } from '../integration/setup.js';

const fixture = fakeServerFixture();
const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
// Models with a batch API only: every call the policy asks can go into a batch.
const MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', 'openai:gpt-4o'];

interface Line {
  id: string;
  label: string | null;
  asked?: number;
  stopped?: string;
  cost: number;
}

const options = { labels: LABELS, disagreement: 0.3 };
const fresh = Array.from({ length: 40 }, (_, i) => ({ id: `new-${i}`, text: `A new review ${i}, rather ${['good', 'poor', 'mixed'][i % 3]}.` }));
const input = fresh.map((i) => JSON.stringify(i)).join('\n') + '\n';

/** A folder with the task and a saved adaptive policy fitted on recorded answers of MODELS. */
async function fitPolicy(): Promise<{ dir: string; policy: string }> {
  const trainServer = await fixture.start(options);
  const t = fixture.tempDir();
  // Gold: the models' majority (so no model alone is enough, and agreeing models settle an item).
  const majority = (text: string): string => {
    const votes = MODELS.map((m) => expectedLabel(m, text));
    return votes.find((v) => votes.filter((x) => x === v).length >= 2) ?? (votes[0] as string);
  };
  const train = itemsOf(120).map((i) => ({ ...i, label: majority(i.text) }));
  writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
  writeFileSync(join(t.dir, 'items.jsonl'), train.map((i) => JSON.stringify(i)).join('\n') + '\n');
  await recordFolderResponses(t.dir, MODELS, { concurrency: '8', 'no-cache': true }, { stderr: captureStream() }, { env: trainServer.env() });
  const policy = join(t.dir, 'policy.json');
  expect(await fitCommand([t.dir, '--strategy', 'adaptive', '--out', policy, '--folds', '0', ...STOPPING_TARGET], { stdin: Readable.from([]), stdout: captureStream(), stderr: captureStream() })).toBe(0);
  return { dir: t.dir, policy };
}

async function runWith(t: { dir: string; policy: string }, server: FakeLlmServer, cache: string, extra: string[]) {
  const stdout = captureStream();
  const stderr = captureStream();
  const code = await runCommand(['--task', join(t.dir, 'task.json'), '--strategy', t.policy, '--models', MODELS.join(','), '--cache', join(t.dir, cache), ...extra], {
    stdin: Readable.from([input]),
    stdout,
    stderr,
    env: server.env(),
  });
  return { code, err: stderr.text(), lines: stdout.text().trim().split('\n').map((l) => JSON.parse(l) as Line) };
}

describe('fusion run --batch with a saved adaptive policy', () => {
  it('submits round after round only what the policy asks, exactly the calls of a live run, and a re-run submits nothing', async () => {
    const t = await fitPolicy();
    const run = (server: FakeLlmServer, cache: string, extra: string[]) => runWith(t, server, cache, extra);

    const liveServer = await fixture.start(options);
    const live = await run(liveServer, 'live.sqlite', []);
    expect(live.code, live.err).toBe(0);
    const liveCalls = liveServer.snapshot();
    const asked = live.lines.reduce((a, l) => a + (l.asked ?? 0), 0);
    expect(liveCalls.successes).toBe(asked);
    // The policy stops early on some items and asks further on others: there is more than one round to run.
    const askedCounts = live.lines.map((l) => l.asked ?? 0);
    const first = Math.min(...askedCounts);
    expect(Math.max(...askedCounts)).toBeGreaterThan(first);
    expect(first).toBeGreaterThan(0);

    const batchServer = await fixture.start({ ...options, batches: { pollsToFinish: 1 } });
    const batched = await run(batchServer, 'batch.sqlite', ['--batch', '--batch-poll', '0.001']);
    expect(batched.code, batched.err).toBe(0);
    const snap = batchServer.snapshot();
    expect(snap.requests).toBe(0); // no live call: the live pass found every answer cached
    expect(snap.batchRequests).toBe(asked);
    expect(snap.perModel).toEqual(liveCalls.perModel);
    expect(snap.duplicateSuccesses).toBe(0);
    const rounds = Number(/batch rounds: (\d+), (\d+) call\(s\) in all/.exec(batched.err)?.[1]);
    expect(batched.err).toMatch(new RegExp(`batch rounds: ${rounds}, ${asked} call\\(s\\) in all`));
    expect(rounds).toBeGreaterThanOrEqual(2);
    // Round 1 asks every item's first wave; each later round only the items not settled yet.
    const perRound = [...batched.err.matchAll(/batch round (\d+) \(adaptive policy\): (\d+) call\(s\)/g)].map((m) => Number(m[2]));
    expect(perRound).toHaveLength(rounds);
    expect(perRound.reduce((a, b) => a + b, 0)).toBe(asked);
    expect(perRound[0]).toBeGreaterThanOrEqual(fresh.length);
    for (let k = 1; k < rounds; k++) expect(perRound[k]).toBeLessThanOrEqual(perRound[k - 1] as number);
    expect(perRound[rounds - 1]).toBeLessThan(fresh.length);
    const free = (lines: Line[]) => lines.map((l) => ({ ...l, cost: 0 }));
    expect(free(batched.lines)).toEqual(free(live.lines));

    // The same command again: everything is cached, nothing is submitted or asked.
    const again = await run(batchServer, 'batch.sqlite', ['--batch', '--batch-poll', '0.001']);
    expect(again.code, again.err).toBe(0);
    expect(batchServer.snapshot()).toMatchObject({ batchesCreated: snap.batchesCreated, batchRequests: asked, requests: 0, successes: asked });
    expect(free(again.lines)).toEqual(free(live.lines));

    // Expired batch requests leave their items to the live pass, which asks the rest of their waves live: still the same calls, once each.
    const expiring = await fixture.start({ ...options, batches: { pollsToFinish: 1, expireShare: 0.2 } });
    const mixed = await run(expiring, 'expiring.sqlite', ['--batch', '--batch-poll', '0.001']);
    expect(mixed.code, mixed.err).toBe(0);
    expect(mixed.err).toMatch(/item\(s\) are finished with live calls/);
    const m = expiring.snapshot();
    expect(m.requests).toBeGreaterThan(0);
    expect(m.successes).toBe(asked);
    expect(m.perModel).toEqual(liveCalls.perModel);
    expect(m.duplicateSuccesses).toBe(0);
    expect(free(mixed.lines)).toEqual(free(live.lines));
  });

  it('QA: the rounds ask the waves of the question\'s candidate matrix, exactly the calls of a live run', async () => {
    const qa = { labels: LETTERS, disagreement: 0.3 };
    const trainServer = await fixture.start(qa);
    const t = fixture.tempDir();
    const majority = (q: (typeof train)[number]): string => {
      const votes = MODELS.map((m) => letterOf(m, q, 0.3));
      return votes.find((v) => votes.filter((x) => x === v).length >= 2) ?? (votes[0] as string);
    };
    const train = mcQuestions(120, 'train-');
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(mcTask));
    writeFileSync(join(t.dir, 'items.jsonl'), train.map((q) => JSON.stringify({ ...q, answers: [majority(q)] })).join('\n') + '\n');
    await recordFolderResponses(t.dir, MODELS, { concurrency: '8', 'no-cache': true }, { stderr: captureStream() }, { env: trainServer.env() });
    const policy = join(t.dir, 'policy.json');
    expect(await fitCommand([t.dir, '--strategy', 'adaptive', '--out', policy, '--folds', '0', ...STOPPING_TARGET], { stdin: Readable.from([]), stdout: captureStream(), stderr: captureStream() })).toBe(0);
    const questions = mcQuestions(40, 'new-').map((q) => JSON.stringify(q)).join('\n') + '\n';
    const run = async (server: FakeLlmServer, cache: string, extra: string[]) => {
      const stdout = captureStream();
      const stderr = captureStream();
      const code = await runCommand(['--task', join(t.dir, 'task.json'), '--strategy', policy, '--models', MODELS.join(','), '--cache', join(t.dir, cache), ...extra], {
        stdin: Readable.from([questions]),
        stdout,
        stderr,
        env: server.env(),
      });
      return { code, err: stderr.text(), lines: stdout.text().trim().split('\n').map((l) => JSON.parse(l) as Line & { answer: string | null }) };
    };
    const liveServer = await fixture.start(qa);
    const live = await run(liveServer, 'live.sqlite', []);
    expect(live.code, live.err).toBe(0);
    const asked = live.lines.reduce((a, l) => a + (l.asked ?? 0), 0);
    expect(liveServer.snapshot().successes).toBe(asked);
    expect(asked).toBeLessThan(40 * MODELS.length);

    const batchServer = await fixture.start({ ...qa, batches: { pollsToFinish: 1 } });
    const batched = await run(batchServer, 'batch.sqlite', ['--batch', '--batch-poll', '0.001']);
    expect(batched.code, batched.err).toBe(0);
    const snap = batchServer.snapshot();
    expect(snap.requests).toBe(0);
    expect(snap.batchRequests).toBe(asked);
    expect(snap.perModel).toEqual(liveServer.snapshot().perModel);
    expect(batched.err).toMatch(/batch round 2 \(adaptive policy\)/);
    const free = (lines: Line[]) => lines.map((l) => ({ ...l, cost: 0 }));
    expect(free(batched.lines)).toEqual(free(live.lines));

    // --max-calls-per-item caps the policy on QA too: one call per question where it asked more.
    expect(live.lines.some((l) => (l.asked ?? 0) > 1)).toBe(true);
    const capServer = await fixture.start(qa);
    const capped = await run(capServer, 'capped.sqlite', ['--max-calls-per-item', '1']);
    expect(capped.code, capped.err).toBe(0);
    expect(capServer.snapshot().successes).toBe(40);
    expect(capped.lines.every((l) => l.asked === 1 && ['max-calls', 'confident', 'settled'].includes(l.stopped ?? ''))).toBe(true);
    expect(capped.lines.some((l) => l.stopped === 'max-calls')).toBe(true);
  });

  it('a run killed while polling round 2 and started again submits nothing new', async () => {
    const t = await fitPolicy();
    const plan: BatchPlan = { pollsToFinish: 0 };
    const server = await fixture.start({ ...options, batches: plan });
    const args = ['run', '--task', join(t.dir, 'task.json'), '--strategy', t.policy, '--models', MODELS.join(','), '--cache', join(t.dir, 'cache.sqlite'), '--batch', '--batch-poll', '0.5'];
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, ...server.env() }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(input);
    let childErr = '';
    let childOut = '';
    child.stderr.on('data', (c: Buffer) => {
      childErr += c.toString();
      // Round 2's batches stay in progress (its first poll comes 0.5 s after submitting).
      if (/batch round 2 /.test(childErr)) plan.pollsToFinish = 1_000_000;
    });
    child.stdout.on('data', (c: Buffer) => (childOut += c.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      await waitFor(() => /batch round 2 [^]*batches: \d+ submitted, [1-9]\d* in progress/.test(childErr) || child.exitCode !== null, 60_000, 'round 2 to be submitted and polled');
    } finally {
      child.kill('SIGKILL');
    }
    await exited;
    expect(childErr).toMatch(/batch round 2 [^]*in progress/);
    expect(childOut).toBe('');
    const killed = server.snapshot();
    expect(killed.requests).toBe(0);

    plan.pollsToFinish = 0;
    const again = await runWith(t, server, 'cache.sqlite', ['--batch', '--batch-poll', '0.001']);
    expect(again.code, again.err).toBe(0);
    expect(again.err).toMatch(/resuming \d+ batch\(es\) submitted by an earlier run/);
    const snap = server.snapshot();
    const asked = again.lines.reduce((a, l) => a + (l.asked ?? 0), 0);
    // Round 1 came from the cache, round 2 from the resumed batches: each call submitted once, none live.
    expect(snap.requests).toBe(0);
    expect(snap.batchRequests).toBe(asked);
    expect(snap.successes).toBe(asked);
    expect(snap.duplicateSuccesses).toBe(0);
    expect(again.lines.map((l) => l.id)).toEqual(fresh.map((i) => i.id));

    // The money a user reads adds up to what the provider billed over both runs: the killed run printed
    // no summary, so the resumed one says what its cached answers (round 1, and the resumed round 2) cost.
    const bill = Object.entries(snap.billed).reduce((sum, [model, b]) => {
      const provider = model.startsWith('claude') ? 'anthropic' : 'openai';
      const price = batchPriceOf(DEFAULT_PRICES, provider, model);
      if (!price) throw new Error(`no batch price for ${model}`);
      return sum + costOf(price, b);
    }, 0);
    const usd = (re: RegExp) => Number(re.exec(again.err)?.[1]);
    const spent = usd(/\$([\d.]+) spent in this run/);
    const before = usd(/paid before: \$([\d.]+)/);
    expect(spent).toBeGreaterThan(0);
    expect(before).toBeGreaterThan(0);
    expect(spent + before).toBeCloseTo(bill, 5);
  });
});
