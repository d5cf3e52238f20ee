/**
 * PostgreSQL's record of a batch an intent resolves to, raced by another process's transaction on
 * a real, throwaway server (skipped with the reason when PostgreSQL is not installed). SQLite
 * serialises these (one writer, immediate transactions); on PostgreSQL the statement's snapshot
 * does not see another transaction's uncommitted rows, so what it decides from them must be the
 * outcome of its own writes, not of what it read before them.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchConflictError, PostgresStore } from '../../src/orchestrate/cache.js';
import type { BatchInfo } from '../../src/providers/provider.js';
import { databasesOnDemand, postgresUnavailable } from '../support/postgres.js';

const pgMissing = postgresUnavailable();
const databases = databasesOnDemand('batch_races');
afterAll(() => databases.stop());

/** A store on a fresh database, `use`d and closed. */
async function withStore(use: (store: PostgresStore, url: string) => Promise<void>): Promise<void> {
  const url = await databases.database();
  const store = new PostgresStore(url);
  try {
    await store.ready();
    await use(store, url);
  } finally {
    await store.close();
  }
}

const info = (id: string): BatchInfo => ({ id, status: 'in-progress', done: false, counts: { total: 2, succeeded: 0, failed: 0, processing: 2 } });
const intent = (token: string) => ({ token, provider: 'openai', model: 'openai:gpt-4o-mini', requests: 2, estimatedCost: 0, createdAt: new Date().toISOString() });

/** Runs `write` in a transaction of another connection, `meanwhile` while it is open (once a statement of ours waits on it), then commits. */
async function whileOpen<T>(url: string, write: string[], meanwhile: () => Promise<T>): Promise<PromiseSettledResult<T>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('BEGIN');
    for (const sql of write) await c.query(sql);
    const ours = meanwhile();
    const settled = Promise.allSettled([ours]);
    // Ours waits on the open transaction's rows (a lock not granted), then it commits.
    const deadline = Date.now() + 10_000;
    while (Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM pg_locks WHERE NOT granted')).rows[0]?.n) === 0) {
      if (Date.now() > deadline) throw new Error('our statement never waited on the open transaction');
      await new Promise((r) => setTimeout(r, 20));
    }
    await c.query('COMMIT');
    return (await settled)[0] as PromiseSettledResult<T>;
  } finally {
    await c.end();
  }
}

describe.skipIf(pgMissing !== undefined)(`PostgreSQL: resolving an intent raced by another transaction${pgMissing ? ` (skipped: ${pgMissing})` : ''}`, () => {
  it('the batch id recorded meanwhile for other calls: BatchConflictError and the intent stays with its calls (not dropped with its calls lost)', async () => {
    await withStore(async (store, url) => {
      await store.batches.addIntent(intent('tok-y'), ['y1', 'y2']);
      const outcome = await whileOpen(
        url,
        [
          "INSERT INTO fusion_batch_jobs (batch_id, provider, model, status, requests, estimated_cost, created_at, updated_at) VALUES ('batch_x', 'openai', 'openai:gpt-4o-mini', 'in-progress', 2, 0, now(), now())",
          "INSERT INTO fusion_batch_job_calls (batch_id, key) VALUES ('batch_x', 'x1'), ('batch_x', 'x2')",
        ],
        () => store.batches.resolveIntent('tok-y', info('batch_x')),
      );
      expect(outcome.status).toBe('rejected');
      expect(outcome.status === 'rejected' ? outcome.reason : undefined).toBeInstanceOf(BatchConflictError);
      expect((await store.batches.intents()).map((i) => i.token)).toEqual(['tok-y']);
      expect([...(await store.batches.keysOfIntent('tok-y'))].sort()).toEqual(['y1', 'y2']);
      expect((await store.batches.list()).map((j) => j.batchId)).toEqual(['batch_x']);
    });
  });

  it('the intent abandoned meanwhile (its row deleted by the open transaction): the batch is still recorded with the intent\'s calls, as on SQLite, so it is collected and not paid again', async () => {
    await withStore(async (store, url) => {
      await store.batches.addIntent(intent('tok-z'), ['z1', 'z2']);
      // Another process's abandon, open: the intent and its calls deleted, not committed yet.
      const outcome = await whileOpen(url, ["DELETE FROM fusion_batch_intent_calls WHERE token = 'tok-z'", "DELETE FROM fusion_batch_intents WHERE token = 'tok-z'"], () =>
        store.batches.resolveIntent('tok-z', info('batch_z')),
      );
      expect(outcome.status).toBe('fulfilled');
      expect((await store.batches.intents()).map((i) => i.token)).toEqual([]);
      const open = await store.batches.openJobsFor('openai:gpt-4o-mini', new Set(['z1', 'z2']));
      expect(open.map((o) => [o.job.batchId, [...o.keys].sort()])).toEqual([['batch_z', ['z1', 'z2']]]);
    });
  });
});
