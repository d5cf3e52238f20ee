import type pg from 'pg';
import type { BatchInfo } from '../../providers/provider.js';
import type { AbandonedIntent, AbandonedRow, BatchCalls, BatchIntent, BatchJob, BatchStore, IntentRow, JobRow } from '../batch/batch-store.js';
import { checkSameBatch, intentOfRow, toAbandoned, toIntent, toJob } from '../batch/batch-store.js';
import { type ClaimOwner, intentIsLive } from './claim-owner.js';

/** PostgresStore's query: once the schema is ready, failures retried or turned into a StoreError. */
type Query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<pg.QueryResult<R>>;

/** Batch records in the same database. */
export class PostgresBatchStore implements BatchStore {
  constructor(
    private readonly query: Query,
    private readonly owner: ClaimOwner,
  ) {}

  async knownIds(): Promise<Set<string>> {
    const { rows } = await this.query<{ batch_id: string }>('SELECT batch_id FROM fusion_batch_jobs');
    return new Set(rows.map((r) => r.batch_id));
  }

  async addIntent(intent: BatchIntent, keys: readonly string[]): Promise<void> {
    // One statement: the intent and its calls are recorded together or not at all.
    await this.query(
      `WITH i AS (
         INSERT INTO fusion_batch_intents (token, provider, model, requests, estimated_cost, owner, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (token) DO NOTHING RETURNING token
       )
       INSERT INTO fusion_batch_intent_calls (token, key) SELECT i.token, k FROM i, unnest($8::text[]) AS k ON CONFLICT DO NOTHING`,
      [intent.token, intent.provider, intent.model, intent.requests, intent.estimatedCost, this.owner.runId, intent.createdAt, [...keys]],
    );
  }

  async resolveIntent(token: string, info: BatchInfo): Promise<void> {
    // One statement: the intent becomes a remembered batch with its calls, and is gone. What is
    // decided is the outcome of its own insert, not a read before it: the statement's snapshot does
    // not see another transaction's uncommitted batch of the same id, which the insert waits for.
    // Recorded meanwhile (for other calls: a conflict, checked below), nothing is deleted; the intent
    // deleted meanwhile (an abandon), the batch found is still recorded with the calls it was found
    // by, as SQLite records it then, so that it is collected, not paid again.
    const { rows } = await this.query<{ recorded: string }>(
      `WITH intent AS (
         SELECT provider, model, requests, estimated_cost FROM fusion_batch_intents WHERE token = $1
       ), job AS (
         INSERT INTO fusion_batch_jobs (batch_id, provider, model, status, requests, estimated_cost, created_at, updated_at)
         SELECT $2, provider, model, $3, requests, estimated_cost, clock_timestamp(), clock_timestamp() FROM intent
         ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id
       ), kept AS (
         INSERT INTO fusion_batch_job_calls (batch_id, key) SELECT job.batch_id, c.key FROM job, fusion_batch_intent_calls c WHERE c.token = $1 ON CONFLICT DO NOTHING
       ), calls AS (
         DELETE FROM fusion_batch_intent_calls WHERE token = $1 AND EXISTS (SELECT 1 FROM job)
       ), gone AS (
         DELETE FROM fusion_batch_intents WHERE token = $1 AND EXISTS (SELECT 1 FROM job)
       )
       SELECT count(*) AS recorded FROM job`,
      [token, info.id, info.status],
    );
    if (Number(rows[0]?.recorded) > 0) return;
    const intent = await this.query<{ provider: string; model: string }>('SELECT provider, model FROM fusion_batch_intents WHERE token = $1', [token]);
    const row = intent.rows[0];
    if (row === undefined) return;
    // Remembered with the intent's calls: nothing new, the intent is settled; with others, a conflict and the intent stays.
    await this.checkRecorded(info.id, { ...row, keys: await this.keysOfIntent(token) });
    await this.dropIntent(token);
  }

  /** A batch remembered already, recorded again for `again`: checkSameBatch against what the store holds. */
  private async checkRecorded(batchId: string, again: BatchCalls): Promise<void> {
    const { rows } = await this.query<{ provider: string; model: string; keys: (string | null)[] }>(
      `SELECT j.provider, j.model, array_agg(c.key) AS keys FROM fusion_batch_jobs j LEFT JOIN fusion_batch_job_calls c ON c.batch_id = j.batch_id
       WHERE j.batch_id = $1 GROUP BY j.batch_id`,
      [batchId],
    );
    const recorded = rows[0];
    if (recorded) checkSameBatch(batchId, { ...recorded, keys: recorded.keys.filter((k): k is string => k !== null) }, again);
  }

  async dropIntent(token: string): Promise<void> {
    await this.query(
      'WITH calls AS (DELETE FROM fusion_batch_intent_calls WHERE token = $1) DELETE FROM fusion_batch_intents WHERE token = $1',
      [token],
    );
  }

  async abandonIntent(token: string, note: string): Promise<BatchIntent | undefined> {
    // One statement: the intent and its calls are gone and the abandon is on record, together or not at all.
    const { rows } = await this.query<Omit<IntentRow, 'live'>>(
      `WITH gone AS (
         DELETE FROM fusion_batch_intents WHERE token = $1 RETURNING *
       ), calls AS (
         DELETE FROM fusion_batch_intent_calls WHERE token = $1 AND EXISTS (SELECT 1 FROM gone)
       ), kept AS (
         INSERT INTO fusion_batch_abandoned_intents (token, provider, model, requests, estimated_cost, created_at, abandoned_at, note)
         SELECT token, provider, model, requests, estimated_cost, created_at, clock_timestamp(), $2 FROM gone
         ON CONFLICT (token) DO UPDATE SET abandoned_at = EXCLUDED.abandoned_at, note = EXCLUDED.note
       )
       SELECT * FROM gone`,
      [token, note],
    );
    return rows[0] ? intentOfRow(rows[0]) : undefined;
  }

  async abandonedIntents(): Promise<AbandonedIntent[]> {
    const { rows } = await this.query<AbandonedRow>('SELECT * FROM fusion_batch_abandoned_intents ORDER BY abandoned_at, token');
    return rows.map(toAbandoned);
  }

  async keysOfIntent(token: string): Promise<Set<string>> {
    const { rows } = await this.query<{ key: string }>('SELECT key FROM fusion_batch_intent_calls WHERE token = $1', [token]);
    return new Set(rows.map((r) => r.key));
  }

  async intentKeysOf(model: string): Promise<Set<string>> {
    const { rows } = await this.query<{ key: string }>(
      'SELECT c.key FROM fusion_batch_intent_calls c JOIN fusion_batch_intents i ON i.token = c.token WHERE i.model = $1',
      [model],
    );
    return new Set(rows.map((r) => r.key));
  }

  async intents(): Promise<(BatchIntent & { live: boolean })[]> {
    const { rows } = await this.query<{ model: string }>('SELECT DISTINCT model FROM fusion_batch_intents ORDER BY model');
    return (await Promise.all(rows.map((r) => this.intentsOf(r.model)))).flat();
  }

  async intentsOf(model: string): Promise<(BatchIntent & { live: boolean })[]> {
    const { rows } = await this.query<Omit<IntentRow, 'live'> & { scope: string | null; pid: number | null; lease_live: boolean | null }>(
      `SELECT i.*, c.scope, c.pid, c.lease_live FROM fusion_batch_intents i
       LEFT JOIN (SELECT owner, MAX(scope) AS scope, MAX(pid) AS pid, bool_or(expires_at > clock_timestamp()) AS lease_live FROM fusion_claims GROUP BY owner) c
         ON c.owner = i.owner
       WHERE i.model = $1 ORDER BY i.created_at`,
      [model],
    );
    return rows.map((r) => toIntent({ ...r, live: intentIsLive({ owner: r.owner, scope: r.scope, pid: r.pid === null ? null : Number(r.pid) }, this.owner, r.lease_live === true) }));
  }

  async add(job: Pick<BatchJob, 'batchId' | 'provider' | 'model' | 'status' | 'requests' | 'estimatedCost'>, keys: readonly string[]): Promise<void> {
    // One statement: the batch and its calls are remembered together or not at all.
    const { rows } = await this.query<{ batch_id: string }>(
      `WITH job AS (
         INSERT INTO fusion_batch_jobs (batch_id, provider, model, status, requests, estimated_cost, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp(), clock_timestamp()) ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id
       ), calls AS (
         INSERT INTO fusion_batch_job_calls (batch_id, key) SELECT job.batch_id, k FROM job, unnest($7::text[]) AS k ON CONFLICT DO NOTHING
       )
       SELECT batch_id FROM job`,
      [job.batchId, job.provider, job.model, job.status, job.requests, job.estimatedCost, [...keys]],
    );
    // Remembered already (its calls in the same statement that remembered it): the same batch, or a conflict.
    if (rows.length === 0) await this.checkRecorded(job.batchId, { ...job, keys });
  }

  async update(info: BatchInfo): Promise<void> {
    await this.query(
      'UPDATE fusion_batch_jobs SET status = $1, succeeded = $2, failed = $3, message = COALESCE($4, message), updated_at = clock_timestamp() WHERE batch_id = $5',
      [info.status, info.counts.succeeded, info.counts.failed, info.message ?? null, info.id],
    );
  }

  async markCollected(batchId: string, result: { succeeded: number; failed: number; cost: number }): Promise<void> {
    await this.query('UPDATE fusion_batch_jobs SET collected = TRUE, succeeded = $1, failed = $2, cost = $3, updated_at = clock_timestamp() WHERE batch_id = $4', [
      result.succeeded,
      result.failed,
      result.cost,
      batchId,
    ]);
  }

  async openJobsFor(model: string, keys: ReadonlySet<string>): Promise<{ job: BatchJob; keys: string[] }[]> {
    const { rows } = await this.query<JobRow & { keys: string[] }>(
      `SELECT j.*, array_agg(c.key ORDER BY c.key) AS keys FROM fusion_batch_jobs j JOIN fusion_batch_job_calls c ON c.batch_id = j.batch_id
       WHERE j.model = $1 AND NOT j.collected GROUP BY j.batch_id ORDER BY j.created_at`,
      [model],
    );
    return rows.filter((r) => r.keys.some((k) => keys.has(k))).map(({ keys: jobKeys, ...row }) => ({ job: toJob(row), keys: jobKeys }));
  }

  async get(batchId: string): Promise<BatchJob | undefined> {
    const { rows } = await this.query<JobRow>('SELECT * FROM fusion_batch_jobs WHERE batch_id = $1', [batchId]);
    return rows[0] ? toJob(rows[0]) : undefined;
  }

  async list(): Promise<BatchJob[]> {
    const { rows } = await this.query<JobRow>('SELECT * FROM fusion_batch_jobs ORDER BY created_at, batch_id');
    return rows.map(toJob);
  }
}
