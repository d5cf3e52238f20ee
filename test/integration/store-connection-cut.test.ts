import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/orchestrate/cache.js';
import { connectionLost } from '../../src/orchestrate/store/connection-lost.js';
import { startCliProcess } from '../support/cli-process.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { type TestPostgres, freshDatabase, postgresUnavailable, startPostgres } from '../support/postgres.js';
import { LABELS, itemsOf, task, waitFor } from './setup.js';

const fixture = fakeServerFixture();
const pgMissing = postgresUnavailable();
let server: TestPostgres | undefined;
afterAll(() => server?.stop());

/**
 * The run's connections to PostgreSQL cut under it, again and again, from a second connection
 * (pg_terminate_backend): a statement cut mid-flight may or may not have committed, and every
 * statement of the store is safe to send twice (a claim by its owner, an answer of the same
 * content, a release by owner), so it is sent again on a new connection. The run ends as if
 * nothing happened: every item answered, every answer stored, nothing paid twice, no failure.
 */
describe('the PostgreSQL connections of a run cut mid-statement', () => {
  it.skipIf(pgMissing !== undefined)(`fusion run sends a cut statement again: every item answered, nothing paid twice, nothing recorded nowhere${pgMissing ? ` (skipped: ${pgMissing})` : ''}`, async () => {
    server ??= await startPostgres();
    const url = await freshDatabase(server, 'cut');
    const llm = await fixture.start({ labels: LABELS, latencyMs: 10 });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const n = 2000;
    const input = itemsOf(n).map((i) => JSON.stringify(i)).join('\n') + '\n';
    const run = startCliProcess(['run', '--task', join(t.dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--cache', url, '--concurrency', '16'], llm.env(), input);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    let cut = 0;
    try {
      await waitFor(() => run.out().split('\n').length > 100, 60_000, 'the first answers');
      // Cut every connection of the run, several times while it goes on.
      for (let round = 0; round < 8 && run.out().split('\n').length < n - 200; round++) {
        const { rows } = await admin.query<{ cut: boolean }>(
          "SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE application_name LIKE 'llm-fusion%' AND pid <> pg_backend_pid()",
        );
        cut += rows.filter((r) => r.cut).length;
        await new Promise((r) => setTimeout(r, 150));
      }
      const code = await run.exit(120_000);
      const err = run.err();
      expect(cut, 'connections cut').toBeGreaterThan(8);
      expect(err).not.toMatch(/\n\s+at /);
      expect(err).not.toMatch(/NOT saved/);
      expect(code, err).toBe(0);
      const lines = run.out().trim().split('\n').map((l) => JSON.parse(l) as { answers: { output: string | null }[] });
      expect(lines).toHaveLength(n);
      expect(lines.every((l) => l.answers.every((a) => a.output !== null))).toBe(true);
      expect(llm.snapshot().successes).toBe(n);
      expect(llm.snapshot().duplicateSuccesses).toBe(0);
      const stored = await admin.query<{ n: string }>('SELECT count(*) AS n FROM fusion_responses');
      expect(Number(stored.rows[0]?.n)).toBe(n);
      const claims = await admin.query<{ n: string }>('SELECT count(*) AS n FROM fusion_claims');
      expect(Number(claims.rows[0]?.n)).toBe(0);
    } finally {
      await admin.end();
    }
  }, 180_000);

  it.skipIf(pgMissing !== undefined)('a batch record sent twice (its first send committed, its answer lost) is recorded once, without an error', async () => {
    server ??= await startPostgres();
    const store = openStore(await freshDatabase(server, 'resent'), { read: true, write: true });
    try {
      await store.ready();
      const intent = { token: 'tok-1', provider: 'openai', model: 'gpt-4o-mini', requests: 2, estimatedCost: 0.01, createdAt: new Date().toISOString() };
      await store.batches.addIntent(intent, ['k1', 'k2']);
      await store.batches.addIntent(intent, ['k1', 'k2']);
      expect(await store.batches.intentKeysOf('gpt-4o-mini')).toEqual(new Set(['k1', 'k2']));
      const job = { batchId: 'batch-1', provider: 'openai', model: 'gpt-4o-mini', status: 'in-progress' as const, requests: 1, estimatedCost: 0.01 };
      await store.batches.add(job, ['k3']);
      await store.batches.add(job, ['k3']);
      expect((await store.batches.list()).map((j) => j.batchId)).toEqual(['batch-1']);
    } finally {
      await store.close();
    }
  }, 60_000);
});

describe('connectionLost', () => {
  it('tells a refused or cut connection from a statement that failed on its merits', () => {
    const coded = (message: string, code: string): Error => Object.assign(new Error(message), { code });
    for (const e of [
      coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      coded('read ECONNRESET', 'ECONNRESET'),
      coded('terminating connection due to administrator command', '57P01'),
      coded('the database system is starting up', '57P03'),
      coded('connection failure', '08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
    ]) {
      expect(connectionLost(e), e.message).toBe(true);
    }
    for (const e of [coded('duplicate key value violates unique constraint', '23505'), coded('deadlock detected', '40P01'), coded('syntax error', '42601'), new Error('boom'), 'ECONNRESET']) {
      expect(connectionLost(e), String(e)).toBe(false);
    }
  });
});
