import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { TokenLogprob } from '../task/schema.js';

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

/** How long new answers may wait to be committed together. */
const FLUSH_MS = 10;

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
 * for the report but never served as an answer, so a resumed run tries it again. New answers are
 * committed together once per event-loop turn (one transaction instead of one per answer, the
 * main cost at high concurrency) at most FLUSH_MS after the first of them: a run killed with
 * SIGKILL loses at most the answers of its last few milliseconds, which a resumed run asks again.
 * Keys are request hashes; no API key or header is ever stored.
 */
export class ResponseCache {
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string], ResponseRow>;
  private readonly putStmt: Database.Statement<unknown[]>;
  private readonly failStmt: Database.Statement<unknown[]>;
  private readonly clearFailStmt: Database.Statement<[string]>;
  private readonly pending = new Map<string, { id: CallIdentity; value: CachedResponse }>();
  private flushScheduled = false;
  private hasFailures: boolean;

  constructor(
    readonly path: string,
    readonly mode: CacheMode = { read: true, write: true },
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL is durable against process crashes in WAL mode (only power loss can drop the last commits).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
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
    `);
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
  }

  get(key: string): CachedResponse | undefined {
    if (!this.mode.read) return undefined;
    const waiting = this.pending.get(key);
    if (waiting) return waiting.value;
    const row = this.getStmt.get(key);
    if (!row) return undefined;
    const out: CachedResponse = { text: row.text, latencyMs: row.latency_ms };
    if (row.logprobs !== null) out.logprobs = JSON.parse(row.logprobs) as TokenLogprob[];
    if (row.input_tokens !== null && row.output_tokens !== null) out.usage = { input: row.input_tokens, output: row.output_tokens };
    if (row.cost !== null) out.cost = row.cost;
    if (row.finish_reason !== null) out.finishReason = row.finish_reason;
    return out;
  }

  put(id: CallIdentity, value: CachedResponse): void {
    if (!this.mode.write) return;
    this.pending.set(id.key, { id, value });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setTimeout(() => this.flush(), FLUSH_MS);
    }
  }

  /** Commits the answers not yet written, in one transaction. */
  flush(): void {
    this.flushScheduled = false;
    if (this.pending.size === 0 || !this.db.open) return;
    const rows = [...this.pending.values()];
    this.pending.clear();
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const { id, value } of rows) {
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
      }
    })();
  }

  recordFailure(id: CallIdentity, failure: { kind: string; message: string; status?: number; attempts: number }): void {
    if (!this.mode.write) return;
    this.hasFailures = true;
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
    this.flush();
    if (this.db.open) this.db.close();
  }
}
