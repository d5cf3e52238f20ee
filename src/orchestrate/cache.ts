import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { TokenLogprob } from '../task/schema.js';
import { processAlive } from '../util/process-alive.js';
import { openCacheDatabase } from './cache-database.js';
import { KEY_VERSION } from './cache-key.js';

/** What a successful call produced; exactly what a re-run needs instead of calling again. */
export interface CachedResponse {
  text: string;
  logprobs?: TokenLogprob[];
  usage?: { input: number; output: number };
  /** USD, when the price was known at call time. */
  cost?: number;
  latencyMs: number;
  finishReason?: string;
}

export interface CallIdentity {
  key: string;
  provider: string;
  model: string;
}

export interface RecordedFailure {
  key: string;
  provider: string;
  model: string;
  kind: string;
  message: string;
  status?: number;
  attempts: number;
  at: string;
}

/** read: serve hits; write: store new answers. `--no-cache` is neither, `--refresh` is write only. */
export interface CacheMode {
  read: boolean;
  write: boolean;
}

export const DEFAULT_CACHE_PATH = '.fusion/cache.sqlite';

/** What `claim` found: the answer is cached, this process may call, or another live process is calling. */
export type ClaimResult =
  | { status: 'claimed' }
  | { status: 'answered'; response: CachedResponse }
  | { status: 'busy'; pid: number }
  /** Paid for in a provider batch no live process polls now (or whose creation is not settled yet): its answer comes from there. */
  | { status: 'batch'; batchId: string };


interface ResponseRow {
  text: string;
  logprobs: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost: number | null;
  latency_ms: number;
  finish_reason: string | null;
}

/**
 * The response cache: one SQLite file (WAL, so readers never block the writer and a killed process
 * loses nothing it committed). Successes and failures live in separate tables: a failure is kept
 * for the report but never served as an answer, so a resumed run tries it again. An answer is
 * committed as soon as it arrives, before anything else sees it, so a run killed with SIGKILL
 * re-pays at most the calls that were in flight.
 *
 * Processes sharing one cache never pay for the same call: before calling, a process claims the
 * key (a row naming its pid, in a write transaction); another process finding a live claim waits
 * for the answer instead of calling. Claims of dead processes are taken over.
 * Keys are request hashes; no API key or header is ever stored. The file is created 0600 in a
 * folder created 0700: answers may quote private data.
 */
export class ResponseCache {
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string], ResponseRow>;
  private readonly putStmt: Database.Statement<unknown[]>;
  private readonly failStmt: Database.Statement<unknown[]>;
  private readonly clearFailStmt: Database.Statement<[string]>;
  private readonly claimGetStmt: Database.Statement<[string], { owner: string; pid: number }>;
  private readonly claimPutStmt: Database.Statement<unknown[]>;
  private readonly releaseStmt: Database.Statement<[string, string]>;
  private hasFailures: boolean;
  private pendingStmt: Database.Statement<[{ key: string }], { id: string }> | undefined;
  /** This process's claims are marked with this token (a pid may be reused). */
  private readonly owner = randomUUID();
  /** Messages for the user about the cache file (e.g. entries of an older version that are ignored). */
  readonly notices: string[] = [];

  constructor(
    readonly path: string,
    readonly mode: CacheMode = { read: true, write: true },
  ) {
    const db = openCacheDatabase(path);
    this.db = db;
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS responses (
        key TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        text TEXT NOT NULL,
        logprobs TEXT,
        input_tokens INTEGER,
        output_tokens INTEGER,
        cost REAL,
        latency_ms REAL NOT NULL,
        finish_reason TEXT,
        created_at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS failures (
        key TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        kind TEXT NOT NULL,
        message TEXT NOT NULL,
        status INTEGER,
        attempts INTEGER NOT NULL,
        at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS claims (
        key TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        pid INTEGER NOT NULL,
        at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
    this.checkKeyVersion();
    this.getStmt = this.db.prepare(
      'SELECT text, logprobs, input_tokens, output_tokens, cost, latency_ms, finish_reason FROM responses WHERE key = ?',
    );
    this.putStmt = this.db.prepare(
      `INSERT OR REPLACE INTO responses (key, provider, model, text, logprobs, input_tokens, output_tokens, cost, latency_ms, finish_reason, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.failStmt = this.db.prepare(
      `INSERT OR REPLACE INTO failures (key, provider, model, kind, message, status, attempts, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.clearFailStmt = this.db.prepare('DELETE FROM failures WHERE key = ?');
    this.hasFailures = this.db.prepare('SELECT 1 FROM failures LIMIT 1').get() !== undefined;
    this.claimGetStmt = this.db.prepare('SELECT owner, pid FROM claims WHERE key = ?');
    this.claimPutStmt = this.db.prepare('INSERT OR REPLACE INTO claims (key, owner, pid, at) VALUES (?, ?, ?, ?)');
    this.releaseStmt = this.db.prepare('DELETE FROM claims WHERE key = ? AND owner = ?');
  }

  /**
   * Entries written under another key version (llm-fusion 0.1 keys had no endpoint) can never be
   * served: they are left in the file, ignored, and the user is told once.
   */
  private checkKeyVersion(): void {
    const row = this.db.prepare("SELECT value FROM meta WHERE name = 'key_version'").get() as { value: string } | undefined;
    if (row?.value === KEY_VERSION) return;
    const old = (this.db.prepare('SELECT COUNT(*) AS n FROM responses').get() as { n: number }).n;
    if (old > 0) {
      this.notices.push(
        `the cache ${this.path} holds ${old} answer(s) stored by an older llm-fusion whose keys do not name the endpoint; they are ignored (asked again when needed)`,
      );
    }
    this.db.prepare("INSERT OR REPLACE INTO meta (name, value) VALUES ('key_version', ?)").run(KEY_VERSION);
  }

  private read(key: string): CachedResponse | undefined {
    const row = this.getStmt.get(key);
    if (!row) return undefined;
    const out: CachedResponse = { text: row.text, latencyMs: row.latency_ms };
    if (row.logprobs !== null) out.logprobs = JSON.parse(row.logprobs) as TokenLogprob[];
    if (row.input_tokens !== null && row.output_tokens !== null) out.usage = { input: row.input_tokens, output: row.output_tokens };
    if (row.cost !== null) out.cost = row.cost;
    if (row.finish_reason !== null) out.finishReason = row.finish_reason;
    return out;
  }

  /**
   * Takes the right to call for `key`, unless its answer is cached and `acceptCached` (under
   * --refresh: only once another process answered while this one waited), or a live process holds it,
   * or (`pendingBatches`) a provider batch nobody polls carries it.
   */
  claim(key: string, acceptCached: boolean, pendingBatches = true): ClaimResult {
    if (!this.mode.write) return { status: 'claimed' };
    return this.db.transaction((): ClaimResult => {
      if (acceptCached) {
        const response = this.read(key);
        if (response) return { status: 'answered', response };
      }
      const held = this.claimGetStmt.get(key);
      if (held && held.owner !== this.owner && held.pid !== process.pid && processAlive(held.pid)) return { status: 'busy', pid: held.pid };
      const batchId = pendingBatches ? this.pendingBatchOf(key) : undefined;
      if (batchId !== undefined) return { status: 'batch', batchId };
      this.claimPutStmt.run(key, this.owner, process.pid, new Date().toISOString());
      return { status: 'claimed' };
    }).immediate();
  }

  /**
   * Claims calls for a batch run, in one transaction: each key is `answered` (cached), `busy` (a live
   * process calls it or polls a batch carrying it) or `claimed` by this process, which keeps the claim
   * while it submits and polls, so a live run waits for the batch's answer instead of paying for it.
   * Pending batches are the batch runner's own business (it resumes them), so they are not checked here.
   */
  claimForBatch(keys: readonly string[]): Map<string, ClaimResult> {
    const out = new Map<string, ClaimResult>();
    // One transaction for all (each claim() inside it is a savepoint): the same rules as a live claim.
    this.db.transaction(() => {
      for (const key of keys) out.set(key, this.claim(key, true, false));
    }).immediate();
    return out;
  }

  /**
   * The open batch (or batch being created) a call is in, from the batch store's tables in the same
   * file (batch/batch-store.ts); undefined when none, or when no batch was ever submitted here.
   */
  private pendingBatchOf(key: string): string | undefined {
    if (!this.pendingStmt) {
      const tables = new Set((this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('batch_jobs', 'batch_job_calls', 'batch_intent_calls')").all() as { name: string }[]).map((r) => r.name));
      if (!tables.has('batch_jobs') || !tables.has('batch_job_calls')) return undefined;
      const intents = tables.has('batch_intent_calls') ? " UNION ALL SELECT 'being created' FROM batch_intent_calls WHERE key = @key" : '';
      const stmt = this.db.prepare<[{ key: string }], { id: string }>(
        `SELECT j.batch_id AS id FROM batch_job_calls c JOIN batch_jobs j ON j.batch_id = c.batch_id WHERE c.key = @key AND j.collected = 0${intents} LIMIT 1`,
      );
      // Kept once every table exists; until then looked up again (a batch run may create them meanwhile).
      if (intents === '') return stmt.get({ key })?.id;
      this.pendingStmt = stmt;
    }
    return this.pendingStmt.get({ key })?.id;
  }

  /** Gives up a claim (the call failed or was not made). */
  release(key: string): void {
    if (this.mode.write && this.db.open) this.releaseStmt.run(key, this.owner);
  }

  get(key: string): CachedResponse | undefined {
    if (!this.mode.read) return undefined;
    return this.read(key);
  }

  /** Commits an answer at once (and gives up this process's claim on it, in the same transaction). */
  put(id: CallIdentity, value: CachedResponse): void {
    if (!this.mode.write) return;
    const now = new Date().toISOString();
    this.db.transaction(() => {
      this.putStmt.run(
        id.key,
        id.provider,
        id.model,
        value.text,
        value.logprobs ? JSON.stringify(value.logprobs) : null,
        value.usage?.input ?? null,
        value.usage?.output ?? null,
        value.cost ?? null,
        value.latencyMs,
        value.finishReason ?? null,
        now,
      );
      if (this.hasFailures) this.clearFailStmt.run(id.key);
      this.releaseStmt.run(id.key, this.owner);
    })();
  }

  /** Answers are committed as they come; kept for callers that flush before reading. */
  flush(): void {}

  recordFailure(id: CallIdentity, failure: { kind: string; message: string; status?: number; attempts: number }): void {
    if (!this.mode.write) return;
    this.hasFailures = true;
    this.releaseStmt.run(id.key, this.owner);
    this.failStmt.run(id.key, id.provider, id.model, failure.kind, failure.message, failure.status ?? null, failure.attempts, new Date().toISOString());
  }

  failures(): RecordedFailure[] {
    this.flush();
    const rows = this.db
      .prepare('SELECT key, provider, model, kind, message, status, attempts, at FROM failures ORDER BY at')
      .all() as (Omit<RecordedFailure, 'status'> & { status: number | null })[];
    return rows.map(({ status, ...r }) => (status === null ? r : { ...r, status }));
  }

  /** Number of stored answers (all models), for reports and tests. */
  size(): number {
    this.flush();
    return (this.db.prepare('SELECT COUNT(*) AS n FROM responses').get() as { n: number }).n;
  }

  close(): void {
    if (!this.db.open) return;
    if (this.mode.write) this.db.prepare('DELETE FROM claims WHERE owner = ?').run(this.owner);
    this.db.close();
  }
}
