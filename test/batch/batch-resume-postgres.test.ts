import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCliProcess } from '../support/cli-process.js';
import type { BatchPlan } from '../support/fake-llm-server.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { type TestPostgres, freshDatabase, postgresUnavailable, startPostgres } from '../support/postgres.js';
import { LABELS, itemsOf, task, waitFor } from '../integration/setup.js';

/**
 * A --batch worker killed (SIGKILL) while it polls, and the same command started on another
 * machine against the same PostgreSQL store: the second worker finds the first one's batches in
 * the store and polls them, submits nothing, asks nothing live, and writes every answer. "Another
 * machine" is another PID namespace (unshare): the killed worker's pid cannot be checked from
 * there, so its claims still hold under their lease while the second worker collects.
 */
const fixture = fakeServerFixture();
const MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest'];
const pgMissing = postgresUnavailable();
const unshareWorks = process.platform === 'linux' && spawnSync('unshare', ['--pid', '--fork', '--kill-child', 'true']).status === 0;
let pgServer: TestPostgres | undefined;
afterAll(() => pgServer?.stop());

const skip = pgMissing ?? (unshareWorks ? undefined : 'unshare --pid --fork is not allowed here');

describe('a --batch worker killed while polling, resumed on another machine (PostgreSQL store)', () => {
  it.skipIf(skip !== undefined)(`polls the first worker's batches: nothing submitted or asked twice, every answer written${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    pgServer ??= await startPostgres();
    const cache = await freshDatabase(pgServer, `batch_resume_${process.pid}`);
    const N = 8;
    const plan: BatchPlan = { pollsToFinish: 1_000_000 };
    const server = await fixture.start({ labels: LABELS, batches: plan });
    const { dir } = fixture.tempDir();
    const taskFile = join(dir, 'task.json');
    writeFileSync(taskFile, JSON.stringify(task));
    const input = itemsOf(N).map((i) => JSON.stringify(i)).join('\n') + '\n';
    const args = ['run', '--task', taskFile, '--models', MODELS.join(','), '--cache', cache, '--batch', '--batch-poll', '0.05'];
    // A long lease: the second worker must not depend on the first one's claims lapsing.
    const env = { ...server.env(), FUSION_CLAIM_LEASE_MS: '600000' };

    const first = startCliProcess(args, env, input);
    try {
      await waitFor(() => /batches: 2 submitted, 2 in progress/.test(first.err()) || first.child.exitCode !== null, 60_000, 'the first worker to poll');
    } finally {
      first.child.kill('SIGKILL');
    }
    await first.exit(30_000);
    expect(server.snapshot().batchesCreated).toBe(2);

    plan.pollsToFinish = 1;
    const second = startCliProcess(args, env, input, { prefix: ['unshare', '--pid', '--fork', '--kill-child'] });
    expect(await second.exit(240_000), second.err()).toBe(0);
    expect(second.err()).toMatch(/resuming 2 batch\(es\) submitted by an earlier run/);
    const snap = server.snapshot();
    expect(snap.batchesCreated).toBe(2);
    expect(snap.batchRequests).toBe(2 * N);
    expect(snap.requests).toBe(0);
    expect(snap.duplicateSuccesses).toBe(0);
    const lines = second.out().trim().split('\n').map((l) => JSON.parse(l) as { answers: { output: string | null }[] });
    expect(lines).toHaveLength(N);
    expect(lines.every((l) => l.answers.length === MODELS.length && l.answers.every((a) => a.output !== null))).toBe(true);
  }, 300_000);
});
