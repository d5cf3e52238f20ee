import Database from 'better-sqlite3';
import { openCacheDatabase } from '../cache-database.js';
import type { BatchInfo, BatchStatus } from '../../providers/provider.js';

/** A provider batch this project submitted, as remembered in the cache database. */
export interface BatchJob {
  batchId: string;
  provider: string;
  /** The model's recorded name, e.g. `openai:gpt-4o-mini`. */
  model: string;
  status: BatchStatus;
  requests: number;
  succeeded: number;
  failed: number;
  /** USD reserved before submission (batch prices, conservative token estimate). */
  estimatedCost: number;
  /** USD of the answers received, at batch prices; undefined until collected. */
  cost?: number;
  /** The provider's message when it rejected the batch. */
  message?: string;
  /** Results were read into the cache: nothing more to do with this batch. */
  collected: boolean;
  createdAt: string;
  updatedAt: string;
}

interface JobRow {
  batch_id: string;
  provider: string;
  model: string;
  status: string;
  requests: number;
  succeeded: number;
  failed: number;
  estimated_cost: number;
  cost: number | null;
  message: string | null;
  collected: number;
  created_at: string;
  updated_at: string;
}

function toJob(r: JobRow): BatchJob {
  return {
    batchId: r.batch_id,
    provider: r.provider,
    model: r.model,
    status: r.status as BatchStatus,
    requests: r.requests,
    succeeded: r.succeeded,
    failed: r.failed,
    estimatedCost: r.estimated_cost,
    ...(r.cost === null ? {} : { cost: r.cost }),
    ...(r.message === null ? {} : { message: r.message }),
    collected: r.collected === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * Submitted batches and the calls (cache keys, which are also the custom_ids) each one carries, in
 * two tables of their own inside the response cache's SQLite file: a killed run that is started
 * again finds its batches here and polls them instead of submitting (and paying for) them again.
 * A second connection to the same WAL database, so it never touches the cache's own tables.
 */
export class BatchStore {
  private readonly db: Database.Database;

  constructor(readonly path: string) {
    this.db = openCacheDatabase(path);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS batch_jobs (
        batch_id TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        status TEXT NOT NULL,
        requests INTEGER NOT NULL,
        succeeded INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        estimated_cost REAL NOT NULL,
        cost REAL,
        message TEXT,
        collected INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS batch_job_calls (
        batch_id TEXT NOT NULL,
        key TEXT NOT NULL,
        PRIMARY KEY (batch_id, key)
      );
      CREATE INDEX IF NOT EXISTS batch_job_calls_key ON batch_job_calls (key);
    `);
    createIntentTables(this.db);
  }

  /** Remembers a batch the provider accepted, with its calls, in one transaction. */
  add(job: Pick<BatchJob, 'batchId' | 'provider' | 'model' | 'status' | 'requests' | 'estimatedCost'>, keys: readonly string[]): void {
    const now = new Date().toISOString();
    const insertJob = this.db.prepare(
      `INSERT INTO batch_jobs (batch_id, provider, model, status, requests, estimated_cost, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertCall = this.db.prepare('INSERT OR IGNORE INTO batch_job_calls (batch_id, key) VALUES (?, ?)');
    this.db.transaction(() => {
      insertJob.run(job.batchId, job.provider, job.model, job.status, job.requests, job.estimatedCost, now, now);
      for (const key of keys) insertCall.run(job.batchId, key);
    })();
  }

  /** Records what the provider last said about a batch. */
  update(info: BatchInfo): void {
    this.db
      .prepare('UPDATE batch_jobs SET status = ?, succeeded = ?, failed = ?, message = COALESCE(?, message), updated_at = ? WHERE batch_id = ?')
      .run(info.status, info.counts.succeeded, info.counts.failed, info.message ?? null, new Date().toISOString(), info.id);
  }

  /** The batch's results are in the cache (call after the cache is flushed). */
  markCollected(batchId: string, result: { succeeded: number; failed: number; cost: number }): void {
    this.db
      .prepare('UPDATE batch_jobs SET collected = 1, succeeded = ?, failed = ?, cost = ?, updated_at = ? WHERE batch_id = ?')
      .run(result.succeeded, result.failed, result.cost, new Date().toISOString(), batchId);
  }

  /** Batches of `model` not collected yet that carry at least one of `keys`, with all their keys. */
  openJobsFor(model: string, keys: ReadonlySet<string>): { job: BatchJob; keys: string[] }[] {
    const rows = this.db.prepare('SELECT * FROM batch_jobs WHERE model = ? AND collected = 0 ORDER BY created_at').all(model) as JobRow[];
    const keysOf = this.db.prepare('SELECT key FROM batch_job_calls WHERE batch_id = ?');
    const out: { job: BatchJob; keys: string[] }[] = [];
    for (const row of rows) {
      const jobKeys = (keysOf.all(row.batch_id) as { key: string }[]).map((r) => r.key);
      if (jobKeys.some((k) => keys.has(k))) out.push({ job: toJob(row), keys: jobKeys });
    }
    return out;
  }

  get(batchId: string): BatchJob | undefined {
    const row = this.db.prepare('SELECT * FROM batch_jobs WHERE batch_id = ?').get(batchId) as JobRow | undefined;
    return row ? toJob(row) : undefined;
  }

  /** Every remembered batch, oldest first. */
  list(): BatchJob[] {
    return (this.db.prepare('SELECT * FROM batch_jobs ORDER BY created_at, batch_id').all() as JobRow[]).map(toJob);
  }

  /** Ids of every remembered batch (to tell a batch found at the provider from ours). */
  knownIds(): Set<string> {
    return new Set((this.db.prepare('SELECT batch_id FROM batch_jobs').all() as { batch_id: string }[]).map((r) => r.batch_id));
  }

  // Intents: a batch about to be created is recorded first, with a token the provider keeps, so a
  // create whose answer never came (connection dropped, process killed) is found and polled, not paid twice.

  /** Records that a batch of `keys` is about to be created (before the create request). */
  addIntent(intent: BatchIntent, keys: readonly string[]): void {
    const insertIntent = this.db.prepare('INSERT INTO batch_intents (token, provider, model, requests, estimated_cost, pid, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const insertCall = this.db.prepare('INSERT OR IGNORE INTO batch_intent_calls (token, key) VALUES (?, ?)');
    this.db.transaction(() => {
      insertIntent.run(intent.token, intent.provider, intent.model, intent.requests, intent.estimatedCost, process.pid, intent.createdAt);
      for (const key of keys) insertCall.run(intent.token, key);
    })();
  }

  /** The provider created the intent's batch: it becomes a remembered batch with the intent's calls, in one transaction. */
  resolveIntent(token: string, info: BatchInfo): void {
    const intent = this.db.prepare('SELECT * FROM batch_intents WHERE token = ?').get(token) as IntentRow | undefined;
    if (!intent) return;
    const keys = (this.db.prepare('SELECT key FROM batch_intent_calls WHERE token = ?').all(token) as { key: string }[]).map((r) => r.key);
    this.db.transaction(() => {
      if (!this.get(info.id)) this.add({ batchId: info.id, provider: intent.provider, model: intent.model, status: info.status, requests: intent.requests, estimatedCost: intent.estimated_cost }, keys);
      this.dropIntent(token);
    })();
  }

  /** The intent's batch was not created: its calls are free again. */
  dropIntent(token: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM batch_intent_calls WHERE token = ?').run(token);
      this.db.prepare('DELETE FROM batch_intents WHERE token = ?').run(token);
    })();
  }

  /** The calls of `model`'s intents not resolved yet. */
  intentKeysOf(model: string): Set<string> {
    const rows = this.db.prepare('SELECT c.key FROM batch_intent_calls c JOIN batch_intents i ON i.token = c.token WHERE i.model = ?').all(model) as { key: string }[];
    return new Set(rows.map((r) => r.key));
  }

  /** Every intent not resolved yet (for `fusion batches`). */
  intents(): (BatchIntent & { pid: number })[] {
    return (this.db.prepare('SELECT DISTINCT model FROM batch_intents ORDER BY model').all() as { model: string }[]).flatMap((r) => this.intentsOf(r.model));
  }

  /** Intents of `model` not resolved yet, oldest first. */
  intentsOf(model: string): (BatchIntent & { pid: number })[] {
    const rows = this.db.prepare('SELECT * FROM batch_intents WHERE model = ? ORDER BY created_at').all(model) as IntentRow[];
    return rows.map((r) => ({ token: r.token, provider: r.provider, model: r.model, requests: r.requests, estimatedCost: r.estimated_cost, createdAt: r.created_at, pid: r.pid }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** A batch about to be created. */
export interface BatchIntent {
  /** Random; kept in the batch's metadata where the provider allows it. */
  token: string;
  provider: string;
  model: string;
  requests: number;
  estimatedCost: number;
  /** ISO time, taken before the create request. */
  createdAt: string;
}

interface IntentRow {
  token: string;
  provider: string;
  model: string;
  requests: number;
  estimated_cost: number;
  pid: number;
  created_at: string;
}

/** The intent tables, in the cache file next to the batch tables. */
function createIntentTables(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS batch_intents (
      token TEXT PRIMARY KEY,
      provider TEXT NOT NULL,
      model TEXT NOT NULL,
      requests INTEGER NOT NULL,
      estimated_cost REAL NOT NULL,
      pid INTEGER NOT NULL,
      created_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS batch_intent_calls (
      token TEXT NOT NULL,
      key TEXT NOT NULL,
      PRIMARY KEY (token, key)
    );
    CREATE INDEX IF NOT EXISTS batch_intent_calls_key ON batch_intent_calls (key);
  `);
}
