import type Database from 'better-sqlite3';
import type { BatchStore } from '../batch/batch-store.js';
import { openCacheDatabase } from '../cache-database.js';
import { KEY_VERSION } from '../cache-key.js';
import { type ClaimOwner, type LeaseEnd, leaseMs, leaseRuns, monotonicMs, newClaimOwner, ownerIsGone } from './claim-owner.js';
import { type CommitGroup, CommitQueue } from './commit-queue.js';
import { pollForRelease } from './ended-claims.js';
import { HeldClaims } from './held-claims.js';
import { SqliteBatchStore } from './sqlite-batch-store.js';
import { TurnBatch } from './turn-batch.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { WriteGate } from './write-gate.js';
import { StoreError } from './errors.js';
import { type FailureRow, type HeldClaim, type ResponseRow, SCHEMA_VERSION, responseColumns, toFailure, toResponse } from './rows.js';
import type { CacheMode, CachedResponse, CallIdentity, ClaimResult, FailureDetails, RecordedFailure, ResponseStore, StoreOptions, StoreStats } from './store.js';

const TABLES = `
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
    seq INTEGER NOT NULL,
    scope TEXT,
    pid INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    expires_mono INTEGER
  );
  CREATE INDEX IF NOT EXISTS claims_owner ON claims (owner);
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
  CREATE TABLE IF NOT EXISTS batch_intents (
    token TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    requests INTEGER NOT NULL,
    estimated_cost REAL NOT NULL,
    owner TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS batch_intent_calls (
    token TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (token, key)
  );
  CREATE INDEX IF NOT EXISTS batch_intent_calls_key ON batch_intent_calls (key);
  CREATE TABLE IF NOT EXISTS batch_abandoned_intents (
    token TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    requests INTEGER NOT NULL,
    estimated_cost REAL NOT NULL,
    created_at TEXT NOT NULL,
    abandoned_at TEXT NOT NULL,
    note TEXT NOT NULL
  );
`;

/**
 * Writes (claim transactions and group commits) after which a store starts its checkpoint worker:
 * a short run leaves a small WAL that its close checkpoints, and never pays for starting a thread.
 */
const WRITES_BEFORE_CHECKPOINTER = 100;

/**
 * The store in one SQLite file (the default, `.fusion/cache.sqlite`): WAL, so readers never block
 * the writer and a killed process loses nothing it committed; created 0600 in a folder created 0700
 * (answers may quote private data). Every statement is synchronous and short: reads are served on
 * the spot, claims are one immediate transaction, and answers go in one transaction per group.
 * Every write transaction is IMMEDIATE: a deferred one that reads before it writes cannot wait for
 * the lock in WAL mode (another process's commit makes its snapshot stale, and SQLite answers
 * SQLITE_BUSY at once, whatever the busy timeout), which killed one of two batch runs sharing a file.
 */
export class SqliteStore implements ResponseStore {
  readonly notices: string[] = [];
  readonly batches: BatchStore;
  private readonly db: Database.Database;
  private readonly owner: ClaimOwner;
  private readonly leaseMs: number;
  private readonly queue: CommitQueue;
  private readonly held: HeldClaims;
  private seq = 0;
  private renewal: NodeJS.Timeout | undefined;
  private hasFailures: boolean;
  /** Checkpoints off the event loop (see WalCheckpointer); undefined for a read-only or in-memory store. */
  private readonly checkpointer: WalCheckpointer | undefined;
  private writes = 0;
  /** Set once close() has begun (claims asked from then on are refused); settled once it is done. */
  private closing: Promise<void> | undefined;
  /** Holds claim transactions and group commits while the checkpoint worker copies the whole WAL. */
  private readonly gate = new WriteGate();
  /** Claims asked in this event-loop turn, written together (claimMany). */
  private lookups = 0;
  private readonly claims = new TurnBatch<{ key: string; acceptCached: boolean }, ClaimResult>((asked) => Promise.resolve(this.gate.run(() => this.claimMany(asked))));
  /**
   * The two transactions of the call path, wrapped once per store: better-sqlite3's transaction()
   * builds four wrapper functions and defines five properties on each every time it is called, which
   * the claims of every event-loop turn and every group commit used to pay.
   */
  private readonly claimTransaction: Database.Transaction<(asked: readonly { key: string; acceptCached: boolean }[]) => ClaimResult[]>;
  private readonly commitTransaction: Database.Transaction<(group: CommitGroup) => void>;
  private readonly stmt: {
    get: Database.Statement<[string], ResponseRow>;
    put: Database.Statement<unknown[]>;
    fail: Database.Statement<unknown[]>;
    clearFail: Database.Statement<[string]>;
    claimGet: Database.Statement<[string], HeldClaim & LeaseEnd>;
    claimPut: Database.Statement<unknown[]>;
    release: Database.Statement<[string, string, number]>;
    renew: Database.Statement<[number, number, string]>;
    pendingBatch: Database.Statement<[string, string], { id: string }>;
  };

  constructor(
    readonly location: string,
    readonly mode: CacheMode = { read: true, write: true },
    options: StoreOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? leaseMs();
    this.owner = options.owner ?? newClaimOwner();
    try {
      this.db = openCacheDatabase(location);
      this.db.transaction(() => this.migrate()).immediate();
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError(`cannot open the cache ${location}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    const db = this.db;
    this.stmt = {
      get: db.prepare('SELECT text, logprobs, input_tokens, output_tokens, cost, latency_ms, finish_reason FROM responses WHERE key = ?'),
      put: db.prepare(
        `INSERT OR REPLACE INTO responses (key, provider, model, text, logprobs, input_tokens, output_tokens, cost, latency_ms, finish_reason, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      fail: db.prepare('INSERT OR REPLACE INTO failures (key, provider, model, kind, message, status, attempts, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      clearFail: db.prepare('DELETE FROM failures WHERE key = ?'),
      claimGet: db.prepare('SELECT owner, seq, scope, pid, expires_ms, expires_mono FROM claims WHERE key = ?'),
      claimPut: db.prepare('INSERT OR REPLACE INTO claims (key, owner, seq, scope, pid, expires_ms, expires_mono) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      release: db.prepare('DELETE FROM claims WHERE key = ? AND owner = ? AND seq = ?'),
      renew: db.prepare('UPDATE claims SET expires_ms = ?, expires_mono = ? WHERE owner = ?'),
      pendingBatch: db.prepare(
        `SELECT j.batch_id AS id FROM batch_job_calls c JOIN batch_jobs j ON j.batch_id = c.batch_id WHERE c.key = ? AND j.collected = 0
         UNION ALL SELECT 'being created' FROM batch_intent_calls WHERE key = ? LIMIT 1`,
      ),
    };
    this.claimTransaction = db.transaction((asked: readonly { key: string; acceptCached: boolean }[]) => asked.map((c) => this.claimOne(c.key, c.acceptCached, true)));
    this.commitTransaction = db.transaction((group: CommitGroup) => this.writeGroup(group));
    this.hasFailures = db.prepare('SELECT 1 FROM failures LIMIT 1').get() !== undefined;
    if (this.mode.write && location !== ':memory:') {
      db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new WalCheckpointer(location, this.gate);
    }
    this.queue = new CommitQueue((group) => this.gate.run(() => this.commit(group)));
    this.held = new HeldClaims(this.queue, this.mode.write);
    this.batches = new SqliteBatchStore(db, this.owner);
  }

  get runId(): string {
    return this.owner.runId;
  }

  /** Lookup statements, claim transactions and group commits so far (see StoreStats). */
  stats(): StoreStats {
    return { lookups: this.lookups, claims: this.claims.sent, commits: { ...this.queue.timings } };
  }

  /**
   * Creates the tables on first use and brings an older layout up to date, in one immediate
   * transaction (several processes may open a fresh file at once). Version 1 (no schema_version)
   * kept claims by pid; claims are transient, so its claims table is simply replaced.
   */
  private migrate(): void {
    const db = this.db;
    db.exec('CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const meta = (name: string): string | undefined => (db.prepare('SELECT value FROM meta WHERE name = ?').get(name) as { value: string } | undefined)?.value;
    const version = Number(meta('schema_version') ?? 1);
    if (version > SCHEMA_VERSION) {
      throw new StoreError(`the cache ${this.location} was written by a newer llm-fusion (store schema ${version}, this one knows ${SCHEMA_VERSION}); upgrade, or use another --cache`);
    }
    if (version < 2) db.exec('DROP TABLE IF EXISTS claims');
    db.exec(TABLES);
    // A claims table of a version without the monotonic expiry gains it (null in the rows that version writes: read on the wall clock).
    const claimColumns = (db.prepare('PRAGMA table_info(claims)').all() as { name: string }[]).map((c) => c.name);
    if (!claimColumns.includes('expires_mono')) db.exec('ALTER TABLE claims ADD COLUMN expires_mono INTEGER');
    db.prepare("INSERT OR REPLACE INTO meta (name, value) VALUES ('schema_version', ?)").run(String(SCHEMA_VERSION));
    // Entries written under another key version (llm-fusion 0.1 keys had no endpoint) can never be
    // served: they are left in the file, ignored, and the user is told once.
    if (meta('key_version') !== KEY_VERSION) {
      const old = (db.prepare('SELECT COUNT(*) AS n FROM responses').get() as { n: number }).n;
      if (old > 0) {
        this.notices.push(
          `the cache ${this.location} holds ${old} answer(s) stored by an older llm-fusion whose keys do not name the endpoint; they are ignored (asked again when needed)`,
        );
      }
      db.prepare("INSERT OR REPLACE INTO meta (name, value) VALUES ('key_version', ?)").run(KEY_VERSION);
    }
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  private read(key: string): CachedResponse | undefined {
    const pending = this.queue.pendingAnswer(key);
    if (pending) return pending;
    this.lookups++;
    const row = this.stmt.get.get(key);
    return row ? toResponse(row) : undefined;
  }

  get(key: string): Promise<CachedResponse | undefined> {
    return Promise.resolve(this.mode.read ? this.read(key) : undefined);
  }

  claim(key: string, acceptCached: boolean): Promise<ClaimResult> {
    if (!this.mode.write) return Promise.resolve({ status: 'claimed' });
    // A claim taken after close() deleted this run's claims would stay in the file, and the answer
    // it leads to could not be stored: the call is refused before anything is paid for it.
    if (this.closing !== undefined) return Promise.reject(new StoreError(`the cache ${this.location} is closed; the call ${key} is not claimed`));
    if (acceptCached) {
      const mine = this.queue.pendingAnswer(key);
      if (mine) return Promise.resolve({ status: 'answered', response: mine });
    }
    return this.claims.add({ key, acceptCached });
  }

  /**
   * The claims asked in one event-loop turn, in one write transaction: at dozens of calls in flight
   * a transaction per claim (a lock, a WAL append) was the store's largest cost on the main thread.
   * A failed transaction (disk full) fails each of its claims (TurnBatch).
   */
  private claimMany(asked: readonly { key: string; acceptCached: boolean }[]): ClaimResult[] {
    const results = this.whileLocked(() => this.claimTransaction.immediate(asked));
    this.wrote();
    if (results.some((r) => r.status === 'claimed')) this.startRenewal();
    return results;
  }

  claimForBatch(keys: readonly string[]): Promise<Map<string, ClaimResult>> {
    const out = new Map<string, ClaimResult>();
    if (!this.mode.write) {
      for (const key of keys) out.set(key, { status: 'claimed' });
      return Promise.resolve(out);
    }
    this.db
      .transaction(() => {
        for (const key of keys) {
          const mine = this.queue.pendingAnswer(key);
          out.set(key, mine ? { status: 'answered', response: mine } : this.claimOne(key, true, false));
        }
      })
      .immediate();
    if ([...out.values()].some((c) => c.status === 'claimed')) this.startRenewal();
    return Promise.resolve(out);
  }

  /** One claim, inside the caller's transaction; `checkBatch`: a call in an open batch is left to it. */
  private claimOne(key: string, acceptCached: boolean, checkBatch: boolean): ClaimResult {
    if (acceptCached) {
      const row = this.stmt.get.get(key);
      if (row) return { status: 'answered', response: toResponse(row) };
    }
    const now = Date.now();
    const mono = monotonicMs();
    const held = this.stmt.claimGet.get(key);
    if (held && held.owner !== this.owner.runId && leaseRuns(held, this.owner, now, mono) && !ownerIsGone(held, this.owner)) return { status: 'busy', owner: held.owner };
    if (checkBatch) {
      const pending = this.stmt.pendingBatch.get(key, key);
      if (pending) return { status: 'batch', batchId: pending.id };
    }
    const seq = ++this.seq;
    this.stmt.claimPut.run(key, this.owner.runId, seq, this.owner.scope ?? null, this.owner.pid, now + this.leaseMs, mono + this.leaseMs);
    this.held.take(key, seq);
    return { status: 'claimed' };
  }

  /** A live run renews its claims' lease every third of it; the timer never keeps the process alive. */
  private startRenewal(): void {
    if (this.renewal) return;
    this.renewal = setInterval(() => {
      if (this.held.size === 0 || !this.db.open) return;
      try {
        this.stmt.renew.run(Date.now() + this.leaseMs, monotonicMs() + this.leaseMs, this.owner.runId);
      } catch {
        // a busy or closing database: the next renewal tries again, well within the lease
      }
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    this.renewal.unref();
  }

  release(key: string): void {
    this.held.release(key);
  }

  /** One machine, no one to tell it: the short poll. */
  waitForRelease(_key: string, signal?: AbortSignal): Promise<void> {
    return pollForRelease(signal);
  }

  put(id: CallIdentity, value: CachedResponse): Promise<void> {
    return this.held.answer(id, value);
  }

  recordFailure(id: CallIdentity, failure: FailureDetails): void {
    this.held.failure(id, failure);
  }

  /** One transaction for the whole group: answers with their claims' release, failures, releases. */
  private commit(group: CommitGroup): void {
    if (!this.db.open) throw new StoreError(`the cache ${this.location} is closed; ${group.answers.length} answer(s) not stored`);
    this.whileLocked(() => this.commitTransaction.immediate(group));
    if (group.failures.length > 0) this.hasFailures = true;
    this.wrote();
  }

  /**
   * Runs a write transaction, trying again while another process holds the file's write lock past
   * the busy timeout (a VACUUM of a large cache, a `sqlite3` shell left inside a transaction), for
   * up to one claim lease as a PostgreSQL outage is ridden out: a group commit given up then drops
   * answers already paid for, which a re-run pays again. A BUSY transaction wrote nothing (it failed
   * taking the lock), so trying it again cannot write twice.
   */
  private whileLocked<T>(write: () => T): T {
    const started = Date.now();
    for (;;) {
      try {
        return write();
      } catch (e) {
        const code = (e as { code?: unknown } | null)?.code;
        if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || Date.now() - started >= this.leaseMs) throw e;
      }
    }
  }

  /** The statements of one group commit, inside commitTransaction. */
  private writeGroup(group: CommitGroup): void {
    const { runId } = this.owner;
    for (const a of group.answers) {
      this.stmt.put.run(a.id.key, a.id.provider, a.id.model, ...responseColumns(a.value), a.at);
      if (this.hasFailures) this.stmt.clearFail.run(a.id.key);
      if (a.claim !== undefined) this.stmt.release.run(a.id.key, runId, a.claim);
    }
    for (const f of group.failures) {
      const { kind, message, status, attempts } = f.failure;
      this.stmt.fail.run(f.id.key, f.id.provider, f.id.model, kind, message, status ?? null, attempts, f.at);
      if (f.claim !== undefined) this.stmt.release.run(f.id.key, runId, f.claim);
    }
    for (const r of group.releases) this.stmt.release.run(r.key, runId, r.claim);
  }

  /** A checkpoint on this connection, when it closes (during a run the worker checkpoints, see WalCheckpointer). */
  private checkpoint(): void {
    if (!this.db.open) return;
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // a busy or full disk: the WAL keeps every commit, the next checkpoint copies them
    }
  }

  private wrote(): void {
    if (++this.writes === WRITES_BEFORE_CHECKPOINTER) this.checkpointer?.start();
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  async failures(): Promise<RecordedFailure[]> {
    await this.flush();
    return (this.db.prepare('SELECT key, provider, model, kind, message, status, attempts, at FROM failures ORDER BY at').all() as FailureRow[]).map(toFailure);
  }

  async size(): Promise<number> {
    await this.flush();
    return (this.db.prepare('SELECT COUNT(*) AS n FROM responses').get() as { n: number }).n;
  }

  close(): Promise<void> {
    this.closing ??= this.db.open ? this.closeNow() : Promise.resolve();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    if (this.renewal) clearInterval(this.renewal);
    this.renewal = undefined;
    // Writes held for the checkpoint worker go on now, and it holds none from now on (stop() does
    // both before it returns a promise): a write beside its checkpoint only leaves that checkpoint
    // short, and the close checkpoints what is left.
    const stopping = this.checkpointer?.stop();
    // Awaited below, after the flush: a failure meanwhile must not count as an unhandled rejection.
    stopping?.catch(() => undefined);
    this.gate.resume();
    try {
      // Claims asked before close() in this event-loop turn are written at its end (TurnBatch): one
      // turn later they are in the file, before this run's claims are deleted below.
      await new Promise((resolve) => setImmediate(resolve));
      await this.flush();
    } finally {
      if (this.mode.write) this.db.prepare('DELETE FROM claims WHERE owner = ?').run(this.owner.runId);
      this.held.clear();
      await stopping;
      // With automatic checkpoints off, a run that never started the worker checkpoints here, where
      // blocking costs nothing, in case another process keeps the file open past this close.
      if (this.checkpointer) this.checkpoint();
      this.db.close();
    }
  }
}
