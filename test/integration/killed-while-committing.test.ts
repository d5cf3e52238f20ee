/**
 * A worker killed with SIGKILL while two group commits of its answers are in flight (PostgreSQL
 * writes two at once) re-pays at most the calls in flight, in the shape of sharded-workers.test.ts:
 * a real `fusion run` process on a throwaway PostgreSQL, against the fake provider server. Another
 * session holds a lock every insert into the answers waits for, so the worker's commits stay in
 * flight: while they do, its paid answers keep their slots (it pays for no call beyond its
 * concurrency), then it is killed, the lock released, and a second run answers the rest.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/orchestrate/cache.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { type TestPostgres, freshDatabase, postgresUnavailable, startPostgres } from '../support/postgres.js';
import { startWorker } from '../support/cli-worker.js';
import { LABELS, MODELS, itemsOf, task, waitFor } from './setup.js';

const fixture = fakeServerFixture();
const pgMissing = postgresUnavailable();
let pgServer: TestPostgres | undefined;
afterAll(() => pgServer?.stop());

const ITEMS = 30;
const CONCURRENCY = 6;


describe.skipIf(pgMissing !== undefined)(`a worker killed with two commits in flight${pgMissing ? ` (skipped: ${pgMissing})` : ''}`, () => {
  it('pays for no call beyond its slots while its commits are held, and a kill -9 then re-pays at most the calls in flight', async () => {
    pgServer ??= await startPostgres();
    const url = await freshDatabase(pgServer, `killed_${process.pid}`);
    // The schema first, so that the lock below has its table.
    const setup = new PostgresStore(url);
    await setup.ready();
    await setup.close();
    // Half the prompts are answered 200 ms after the others: the answers come in more than one turn, so more than one group.
    const server = await fixture.start({ labels: LABELS, latencyMs: 20, faults: { slow: 0.5, slowMs: 200 } });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const input = itemsOf(ITEMS).map((i) => JSON.stringify(i)).join('\n') + '\n';
    const env = { ...server.env(), FUSION_CLAIM_LEASE_MS: '10000' };
    const run = () => startWorker(['run', '--task', join(t.dir, 'task.json'), '--models', MODELS.join(','), '--cache', url, '--concurrency', String(CONCURRENCY)], env, input);

    const locker = new pg.Client({ connectionString: url });
    const observer = new pg.Client({ connectionString: url });
    await Promise.all([locker.connect(), observer.connect()]);
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE fusion_responses IN SHARE MODE');
      const first = run();
      let committing = 0;
      const countCommitting = async (): Promise<void> => {
        const { rows } = await observer.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'llm-fusion' AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO fusion_responses%'",
        );
        committing = Number(rows[0]?.n);
      };
      for (const end = Date.now() + 60_000; committing < 2; await new Promise((r) => setTimeout(r, 20))) {
        if (Date.now() > end || first.child.exitCode !== null) throw new Error(`the worker never had two commits in flight (${committing}; ${server.snapshot().successes} answers paid)`);
        await countCommitting();
      }
      await waitFor(() => server.snapshot().successes >= CONCURRENCY, 30_000, 'every slot to hold a paid answer');
      // Every slot holds a paid, uncommitted answer: nothing more is paid while the commits wait.
      await new Promise((r) => setTimeout(r, 500));
      expect(server.snapshot().successes).toBe(CONCURRENCY);
      await countCommitting();
      expect(committing).toBe(2);
      first.child.kill('SIGKILL');
      expect((await first.done).status).toBeNull();
    } finally {
      await locker.query('COMMIT').catch(() => undefined);
      await Promise.all([locker.end(), observer.end()]);
    }

    const second = await run().done;
    expect(second.status, second.stderr).toBe(0);
    const stats = server.snapshot();
    const total = ITEMS * MODELS.length;
    expect(stats.successes - stats.duplicateSuccesses).toBe(total);
    expect(stats.duplicateSuccesses).toBeLessThanOrEqual(CONCURRENCY);
    const lines = second.stdout.trim().split('\n');
    expect(lines).toHaveLength(ITEMS);
    for (const line of lines) expect((JSON.parse(line) as { answers: { label?: string }[] }).answers.filter((x) => x.label).length).toBe(MODELS.length);
  }, 180_000);
});
