import type Database from 'better-sqlite3';
import type { BatchInfo } from '../../providers/provider.js';
import type { AbandonedIntent, AbandonedRow, BatchIntent, BatchJob, BatchStore, IntentRow, JobRow } from '../batch/batch-store.js';
import { checkSameBatch, intentOfRow, toAbandoned, toIntent, toJob } from '../batch/batch-store.js';
import { type ClaimOwner, intentIsLive, leaseRuns, monotonicMs } from './claim-owner.js';

/** Batch records in the same SQLite file. */
export class SqliteBatchStore implements BatchStore {
  constructor(
    private readonly db: Database.Database,
    private readonly owner: ClaimOwner,
  ) {}

  knownIds(): Promise<Set<string>> {
    return Promise.resolve(new Set((this.db.prepare('SELECT batch_id FROM batch_jobs').all() as { batch_id: string }[]).map((r) => r.batch_id)));
  }

  addIntent(intent: BatchIntent, keys: readonly string[]): Promise<void> {
    const insertIntent = this.db.prepare('INSERT INTO batch_intents (token, provider, model, requests, estimated_cost, owner, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const insertCall = this.db.prepare('INSERT OR IGNORE INTO batch_intent_calls (token, key) VALUES (?, ?)');
    this.db.transaction(() => {
      insertIntent.run(intent.token, intent.provider, intent.model, intent.requests, intent.estimatedCost, this.owner.runId, intent.createdAt);
      for (const key of keys) insertCall.run(intent.token, key);
    }).immediate();
    return Promise.resolve();
  }

  // async: a conflict the transaction throws is the promise's rejection, as PostgreSQL's.
  async resolveIntent(token: string, info: BatchInfo): Promise<void> {
    const intent = this.db.prepare('SELECT * FROM batch_intents WHERE token = ?').get(token) as Omit<IntentRow, 'live'> | undefined;
    if (!intent) return;
    const keys = (this.db.prepare('SELECT key FROM batch_intent_calls WHERE token = ?').all(token) as { key: string }[]).map((r) => r.key);
    this.db.transaction(() => {
      // Remembered already (another run resolved it): checked for the intent's calls; a conflict leaves the intent on record.
      const job = { batchId: info.id, provider: intent.provider, model: intent.model, status: info.status, requests: intent.requests, estimatedCost: intent.estimated_cost };
      this.insertJob(job, keys);
      this.deleteIntent(token);
    }).immediate();
  }

  dropIntent(token: string): Promise<void> {
    this.deleteIntent(token);
    return Promise.resolve();
  }

  /** An intent and its calls, gone together (inside a caller's transaction, or in one of its own). */
  private deleteIntent(token: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM batch_intent_calls WHERE token = ?').run(token);
      this.db.prepare('DELETE FROM batch_intents WHERE token = ?').run(token);
    }).immediate();
  }

  abandonIntent(token: string, note: string): Promise<BatchIntent | undefined> {
    const abandoned = this.db.transaction(() => {
      const row = this.db.prepare('SELECT * FROM batch_intents WHERE token = ?').get(token) as Omit<IntentRow, 'live'> | undefined;
      if (!row) return undefined;
      this.db
        .prepare('INSERT OR REPLACE INTO batch_abandoned_intents (token, provider, model, requests, estimated_cost, created_at, abandoned_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(row.token, row.provider, row.model, row.requests, row.estimated_cost, row.created_at, new Date().toISOString(), note);
      this.deleteIntent(token);
      return row;
    }).immediate();
    return Promise.resolve(abandoned ? intentOfRow(abandoned) : undefined);
  }

  abandonedIntents(): Promise<AbandonedIntent[]> {
    const rows = this.db.prepare('SELECT * FROM batch_abandoned_intents ORDER BY abandoned_at, token').all() as AbandonedRow[];
    return Promise.resolve(rows.map(toAbandoned));
  }

  keysOfIntent(token: string): Promise<Set<string>> {
    const rows = this.db.prepare('SELECT key FROM batch_intent_calls WHERE token = ?').all(token) as { key: string }[];
    return Promise.resolve(new Set(rows.map((r) => r.key)));
  }

  intentKeysOf(model: string): Promise<Set<string>> {
    const rows = this.db.prepare('SELECT c.key FROM batch_intent_calls c JOIN batch_intents i ON i.token = c.token WHERE i.model = ?').all(model) as { key: string }[];
    return Promise.resolve(new Set(rows.map((r) => r.key)));
  }

  async intents(): Promise<(BatchIntent & { live: boolean })[]> {
    const models = (this.db.prepare('SELECT DISTINCT model FROM batch_intents ORDER BY model').all() as { model: string }[]).map((r) => r.model);
    return (await Promise.all(models.map((m) => this.intentsOf(m)))).flat();
  }

  intentsOf(model: string): Promise<(BatchIntent & { live: boolean })[]> {
    const rows = this.db
      .prepare(
        `SELECT i.*, c.scope, c.pid, c.expires_ms, c.expires_mono FROM batch_intents i
         LEFT JOIN (SELECT owner, MAX(scope) AS scope, MAX(pid) AS pid, MAX(expires_ms) AS expires_ms, MAX(expires_mono) AS expires_mono FROM claims GROUP BY owner) c ON c.owner = i.owner
         WHERE i.model = ? ORDER BY i.created_at`,
      )
      .all(model) as (Omit<IntentRow, 'live'> & { scope: string | null; pid: number | null; expires_ms: number | null; expires_mono: number | null })[];
    const now = Date.now();
    const mono = monotonicMs();
    return Promise.resolve(
      rows.map((r) => toIntent({ ...r, live: intentIsLive(r, this.owner, r.expires_ms !== null && leaseRuns({ scope: r.scope, expires_ms: r.expires_ms, expires_mono: r.expires_mono }, this.owner, now, mono)) })),
    );
  }

  async add(job: Pick<BatchJob, 'batchId' | 'provider' | 'model' | 'status' | 'requests' | 'estimatedCost'>, keys: readonly string[]): Promise<void> {
    this.insertJob(job, keys);
  }

  /**
   * A batch and its calls, remembered together (inside a caller's transaction, or in one of its
   * own); one already remembered is checked for the same calls instead (checkSameBatch).
   */
  private insertJob(job: Pick<BatchJob, 'batchId' | 'provider' | 'model' | 'status' | 'requests' | 'estimatedCost'>, keys: readonly string[]): void {
    const now = new Date().toISOString();
    const insertJob = this.db.prepare(
      'INSERT INTO batch_jobs (batch_id, provider, model, status, requests, estimated_cost, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insertCall = this.db.prepare('INSERT OR IGNORE INTO batch_job_calls (batch_id, key) VALUES (?, ?)');
    this.db.transaction(() => {
      const recorded = this.db.prepare('SELECT provider, model FROM batch_jobs WHERE batch_id = ?').get(job.batchId) as { provider: string; model: string } | undefined;
      if (recorded) {
        const recordedKeys = (this.db.prepare('SELECT key FROM batch_job_calls WHERE batch_id = ?').all(job.batchId) as { key: string }[]).map((r) => r.key);
        checkSameBatch(job.batchId, { ...recorded, keys: recordedKeys }, { ...job, keys });
        return;
      }
      insertJob.run(job.batchId, job.provider, job.model, job.status, job.requests, job.estimatedCost, now, now);
      for (const key of keys) insertCall.run(job.batchId, key);
    }).immediate();
  }

  update(info: BatchInfo): Promise<void> {
    this.db
      .prepare('UPDATE batch_jobs SET status = ?, succeeded = ?, failed = ?, message = COALESCE(?, message), updated_at = ? WHERE batch_id = ?')
      .run(info.status, info.counts.succeeded, info.counts.failed, info.message ?? null, new Date().toISOString(), info.id);
    return Promise.resolve();
  }

  markCollected(batchId: string, result: { succeeded: number; failed: number; cost: number }): Promise<void> {
    this.db
      .prepare('UPDATE batch_jobs SET collected = 1, succeeded = ?, failed = ?, cost = ?, updated_at = ? WHERE batch_id = ?')
      .run(result.succeeded, result.failed, result.cost, new Date().toISOString(), batchId);
    return Promise.resolve();
  }

  openJobsFor(model: string, keys: ReadonlySet<string>): Promise<{ job: BatchJob; keys: string[] }[]> {
    const rows = this.db.prepare('SELECT * FROM batch_jobs WHERE model = ? AND collected = 0 ORDER BY created_at').all(model) as JobRow[];
    const keysOf = this.db.prepare('SELECT key FROM batch_job_calls WHERE batch_id = ?');
    const out: { job: BatchJob; keys: string[] }[] = [];
    for (const row of rows) {
      const jobKeys = (keysOf.all(row.batch_id) as { key: string }[]).map((r) => r.key);
      if (jobKeys.some((k) => keys.has(k))) out.push({ job: toJob(row), keys: jobKeys });
    }
    return Promise.resolve(out);
  }

  get(batchId: string): Promise<BatchJob | undefined> {
    const row = this.db.prepare('SELECT * FROM batch_jobs WHERE batch_id = ?').get(batchId) as JobRow | undefined;
    return Promise.resolve(row ? toJob(row) : undefined);
  }

  list(): Promise<BatchJob[]> {
    return Promise.resolve((this.db.prepare('SELECT * FROM batch_jobs ORDER BY created_at, batch_id').all() as JobRow[]).map(toJob));
  }
}
