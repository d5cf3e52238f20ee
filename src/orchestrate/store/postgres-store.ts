import pg from 'pg';
import type { BatchStore } from '../batch/batch-store.js';
import { KEY_VERSION } from '../cache-key.js';
import { type ClaimOwner, leaseMs, newClaimOwner, ownerIsGone } from './claim-owner.js';
import { type CommitGroup, CommitQueue } from './commit-queue.js';
import { CLAIM_POLL_MS, EVERY_KEY, EndedClaims, payloadsOf } from './ended-claims.js';
import { HeldClaims } from './held-claims.js';
import { PostgresBatchStore } from './postgres-batch-store.js';
import { TurnBatch } from './turn-batch.js';
import { StoreError } from './errors.js';
import { connectionLost } from './connection-lost.js';
import { type FailureRow, type ResponseRow, SCHEMA_VERSION, responseColumns, toFailure, toResponse } from './rows.js';
import type { CacheMode, CachedResponse, CallIdentity, ClaimResult, FailureDetails, RecordedFailure, ResponseStore, StoreOptions, StoreStats } from './store.js';

/** Serialises schema creation among workers that start together (an arbitrary constant of this project). */
const SCHEMA_LOCK = 7_349_112_071;

const TABLES = `
  CREATE TABLE IF NOT EXISTS fusion_responses (
    key TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    text TEXT NOT NULL,
    logprobs TEXT,
    input_tokens BIGINT,
    output_tokens BIGINT,
    cost DOUBLE PRECISION,
    latency_ms DOUBLE PRECISION NOT NULL,
    finish_reason TEXT,
    created_at TIMESTAMPTZ NOT NULL
  );
  CREATE TABLE IF NOT EXISTS fusion_failures (
    key TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    status INTEGER,
    attempts INTEGER NOT NULL,
    at TIMESTAMPTZ NOT NULL
  );
  CREATE TABLE IF NOT EXISTS fusion_claims (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    seq BIGINT NOT NULL,
    scope TEXT,
    pid INTEGER NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
  );
  CREATE INDEX IF NOT EXISTS fusion_claims_owner ON fusion_claims (owner);
  CREATE TABLE IF NOT EXISTS fusion_batch_jobs (
    batch_id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    status TEXT NOT NULL,
    requests INTEGER NOT NULL,
    succeeded INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    estimated_cost DOUBLE PRECISION NOT NULL,
    cost DOUBLE PRECISION,
    message TEXT,
    collected BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
  );
  CREATE TABLE IF NOT EXISTS fusion_batch_job_calls (
    batch_id TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (batch_id, key)
  );
  CREATE INDEX IF NOT EXISTS fusion_batch_job_calls_key ON fusion_batch_job_calls (key);
  CREATE TABLE IF NOT EXISTS fusion_batch_intents (
    token TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    requests INTEGER NOT NULL,
    estimated_cost DOUBLE PRECISION NOT NULL,
    owner TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
  );
  CREATE TABLE IF NOT EXISTS fusion_batch_intent_calls (
    token TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (token, key)
  );
  CREATE INDEX IF NOT EXISTS fusion_batch_intent_calls_key ON fusion_batch_intent_calls (key);
  CREATE TABLE IF NOT EXISTS fusion_batch_abandoned_intents (
    token TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    requests INTEGER NOT NULL,
    estimated_cost DOUBLE PRECISION NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    abandoned_at TIMESTAMPTZ NOT NULL,
    note TEXT NOT NULL
  );
`;

/** Notified with the keys whose claim ended (answered, failed, released; `*`: every claim of a run), so waiters claim again at once. */
const ENDED_CHANNEL = 'fusion_claims_ended';

/**
 * A claim in one round trip: takes the key (free, already this run's, or under a lapsed lease), or
 * tells who holds it; once taken, reads the stored answer and an open batch that carries the call,
 * and gives the claim back at once when either exists. A volatile function's statements each see
 * what was committed before they start, so the answer read after the insert sees the commit of a
 * run that had just answered and released the key (one statement could not: its snapshot predates
 * the insert). Created, or replaced, on every start under the schema lock: no stored data depends on it.
 */
const CLAIM_FUNCTION = `
  CREATE OR REPLACE FUNCTION fusion_claim(p_key TEXT, p_owner TEXT, p_seq BIGINT, p_scope TEXT, p_pid INTEGER, p_lease_ms DOUBLE PRECISION, p_accept_cached BOOLEAN, p_check_batch BOOLEAN)
  RETURNS TABLE (r_claimed BOOLEAN, r_owner TEXT, r_seq BIGINT, r_scope TEXT, r_pid INTEGER, r_text TEXT, r_logprobs TEXT, r_input_tokens BIGINT,
    r_output_tokens BIGINT, r_cost DOUBLE PRECISION, r_latency_ms DOUBLE PRECISION, r_finish_reason TEXT, r_batch_id TEXT)
  LANGUAGE plpgsql VOLATILE AS $fn$
  BEGIN
    LOOP
      INSERT INTO fusion_claims AS c (key, owner, seq, scope, pid, expires_at)
      VALUES (p_key, p_owner, p_seq, p_scope, p_pid, clock_timestamp() + p_lease_ms * interval '1 millisecond')
      ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner, seq = EXCLUDED.seq, scope = EXCLUDED.scope, pid = EXCLUDED.pid, expires_at = EXCLUDED.expires_at
      WHERE c.owner = EXCLUDED.owner OR c.expires_at < clock_timestamp();
      r_claimed := FOUND;
      EXIT WHEN r_claimed;
      SELECT h.owner, h.seq, h.scope, h.pid INTO r_owner, r_seq, r_scope, r_pid FROM fusion_claims h WHERE h.key = p_key;
      -- Released between the two statements: try again.
      IF FOUND THEN
        RETURN NEXT;
        RETURN;
      END IF;
    END LOOP;
    IF p_accept_cached THEN
      SELECT a.text, a.logprobs, a.input_tokens, a.output_tokens, a.cost, a.latency_ms, a.finish_reason
        INTO r_text, r_logprobs, r_input_tokens, r_output_tokens, r_cost, r_latency_ms, r_finish_reason
        FROM fusion_responses a WHERE a.key = p_key;
    END IF;
    IF r_text IS NULL AND p_check_batch THEN
      SELECT j.batch_id INTO r_batch_id FROM fusion_batch_job_calls bc JOIN fusion_batch_jobs j ON j.batch_id = bc.batch_id WHERE bc.key = p_key AND NOT j.collected LIMIT 1;
      IF r_batch_id IS NULL AND EXISTS (SELECT 1 FROM fusion_batch_intent_calls ic WHERE ic.key = p_key) THEN
        r_batch_id := 'being created';
      END IF;
    END IF;
    IF r_text IS NOT NULL OR r_batch_id IS NOT NULL THEN
      DELETE FROM fusion_claims WHERE key = p_key AND owner = p_owner AND seq = p_seq;
      PERFORM pg_notify('${ENDED_CHANNEL}', p_key);
    END IF;
    RETURN NEXT;
  END
  $fn$`;

interface ClaimRow extends Omit<ResponseRow, 'text' | 'latency_ms'> {
  claimed: boolean;
  owner: string | null;
  seq: string | null;
  scope: string | null;
  pid: number | null;
  text: string | null;
  latency_ms: number | null;
  batch_id: string | null;
}

/**
 * The claims of one event-loop turn in one statement: fusion_claim once per key, in key order (two
 * runs claiming overlapping keys lock them in the same order, so they wait for each other instead
 * of deadlocking), each answer tagged with its place in the request.
 */
const CLAIM_MANY = `SELECT k.i, r_claimed AS claimed, r_owner AS owner, r_seq AS seq, r_scope AS scope, r_pid AS pid, r_text AS text, r_logprobs AS logprobs,
  r_input_tokens AS input_tokens, r_output_tokens AS output_tokens, r_cost AS cost, r_latency_ms AS latency_ms, r_finish_reason AS finish_reason,
  r_batch_id AS batch_id
  FROM unnest($1::text[], $2::bigint[], $3::boolean[], $4::boolean[]) WITH ORDINALITY AS k(key, seq, accept_cached, check_batch, i)
  CROSS JOIN LATERAL fusion_claim(k.key, $5, k.seq, $6, $7, $8, k.accept_cached, k.check_batch)
  ORDER BY k.i`;

/** The stored answers of one event-loop turn's lookups, in one statement. */
const GET_MANY = `SELECT key, text, logprobs, input_tokens, output_tokens, cost, latency_ms, finish_reason FROM fusion_responses WHERE key = ANY($1::text[])`;

interface ClaimAsk {
  key: string;
  seq: number;
  acceptCached: boolean;
  checkBatch: boolean;
}

/**
 * One group commit in one statement: its answers, failures and the release of their claims. Every
 * statement that locks rows of fusion_claims locks them in key order (this one, the claims, the
 * lease renewal, the release at close), and a group's rows come sorted by key, so two commits of
 * one run, a commit and a renewal, or a commit and another run's claims wait for each other
 * instead of deadlocking.
 */
const COMMIT = `
  WITH answers AS (
    INSERT INTO fusion_responses (key, provider, model, text, logprobs, input_tokens, output_tokens, cost, latency_ms, finish_reason, created_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::float8[], $9::float8[], $10::text[], $11::timestamptz[])
    ON CONFLICT (key) DO UPDATE SET provider = EXCLUDED.provider, model = EXCLUDED.model, text = EXCLUDED.text, logprobs = EXCLUDED.logprobs,
      input_tokens = EXCLUDED.input_tokens, output_tokens = EXCLUDED.output_tokens, cost = EXCLUDED.cost, latency_ms = EXCLUDED.latency_ms,
      finish_reason = EXCLUDED.finish_reason, created_at = EXCLUDED.created_at
    RETURNING key
  ), cleared AS (
    DELETE FROM fusion_failures WHERE key = ANY($1::text[])
  ), failed AS (
    INSERT INTO fusion_failures (key, provider, model, kind, message, status, attempts, at)
    SELECT * FROM unnest($12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::int[], $18::int[], $19::timestamptz[])
    ON CONFLICT (key) DO UPDATE SET provider = EXCLUDED.provider, model = EXCLUDED.model, kind = EXCLUDED.kind, message = EXCLUDED.message,
      status = EXCLUDED.status, attempts = EXCLUDED.attempts, at = EXCLUDED.at
  ), ending AS (
    SELECT c.key FROM fusion_claims c JOIN unnest($20::text[], $21::bigint[]) AS x(key, seq) ON c.key = x.key AND c.seq = x.seq
    WHERE c.owner = $22 ORDER BY c.key COLLATE "C" FOR UPDATE OF c
  ), released AS (
    DELETE FROM fusion_claims c USING ending e WHERE c.key = e.key AND c.owner = $22
  ), notified AS (
    SELECT pg_notify('${ENDED_CHANNEL}', p) FROM unnest($23::text[]) AS p
  )
  SELECT (SELECT count(*) FROM answers) AS n, (SELECT count(*) FROM notified) AS notified`;

/** Renews the lease of every claim of this run, locking them in key order (see COMMIT). */
const RENEW = `
  WITH mine AS (SELECT key FROM fusion_claims WHERE owner = $1 ORDER BY key COLLATE "C" FOR UPDATE)
  UPDATE fusion_claims c SET expires_at = clock_timestamp() + $2 * interval '1 millisecond' FROM mine WHERE c.key = mine.key AND c.owner = $1`;

/** Gives up every claim of this run when it closes, in key order (see COMMIT), and wakes every waiter. */
const RELEASE_ALL = `
  WITH mine AS (SELECT key FROM fusion_claims WHERE owner = $1 ORDER BY key COLLATE "C" FOR UPDATE),
  gone AS (DELETE FROM fusion_claims c USING mine WHERE c.key = mine.key AND c.owner = $1 RETURNING 1)
  SELECT pg_notify('${ENDED_CHANNEL}', '${EVERY_KEY}') FROM (SELECT 1 FROM gone LIMIT 1) g`;

const TAKE_OVER = `
  UPDATE fusion_claims SET owner = $2, seq = $3, scope = $4, pid = $5, expires_at = clock_timestamp() + $6 * interval '1 millisecond'
  WHERE key = $1 AND owner = $7 AND seq = $8 RETURNING 1`;

/** Key order, the one order in which every statement locks claim rows (see COMMIT): keys are hex hashes, so JavaScript's order is the `C` collation's. */
function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/**
 * The shortest wait for a lock before a statement gives up (see the constructor). Another run's
 * row locks on the same claims last a commit's round trip; a lease shortened below this (tests,
 * fast take-over) must not turn those ordinary waits into failures.
 */
const MIN_LOCK_WAIT_MS = 10_000;

/**
 * The store in a PostgreSQL database, shared by workers on any number of machines (`--cache
 * postgres://user@host/db` or FUSION_CACHE_URL). Tables are prefixed `fusion_`, created on first
 * use under an advisory lock and versioned in fusion_meta. Claims use the database's clock, so the
 * workers' clocks need not agree; a group of answers is one multi-row INSERT ... ON CONFLICT that
 * also releases their claims, in one statement (one round trip, atomic).
 */
export class PostgresStore implements ResponseStore {
  readonly notices: string[] = [];
  readonly location: string;
  readonly batches: BatchStore;
  private readonly pool: pg.Pool;
  /** Lease renewals on a connection of their own, so they never queue behind the run's reads and claims. */
  private readonly renewPool: pg.Pool;
  private readonly owner: ClaimOwner;
  private readonly leaseMs: number;
  private readonly queue: CommitQueue;
  private readonly held: HeldClaims;
  /** Waits on other runs' claims, woken by the commits that end them. */
  private readonly waits: EndedClaims;
  private readonly url: string;
  private seq = 0;
  private renewal: NodeJS.Timeout | undefined;
  private readyPromise: Promise<void> | undefined;
  /** The store answered once (schema in place): a refused connection from then on is an outage to ride out, not a wrong address. */
  private opened = false;
  private closed = false;
  /** Lookups and claims of one event-loop turn, each sent as one statement. */
  private readonly gets = new TurnBatch<string, ResponseRow | undefined>((keys) => this.getMany(keys));
  private readonly claims = new TurnBatch<ClaimAsk, ClaimRow>((asks) => this.claimMany(asks));

  constructor(
    url: string,
    readonly mode: CacheMode = { read: true, write: true },
    options: StoreOptions & { poolSize?: number; commitWriters?: number } = {},
  ) {
    this.location = redactUrl(url);
    this.url = url;
    this.leaseMs = options.leaseMs ?? leaseMs();
    // The poll left under notifications is for lapsed leases, which nobody notifies: a few times a lease, at most a second.
    this.waits = new EndedClaims(ENDED_CHANNEL, Math.min(1000, Math.max(CLAIM_POLL_MS, Math.floor(this.leaseMs / 3))));
    this.owner = options.owner ?? newClaimOwner();
    // A lock another session keeps on the store's tables (a LOCK TABLE, a migration, a transaction
    // left open in psql) is waited for one claim lease, as an outage is ridden out, then the
    // statement fails and says so: without a limit it would wait for ever, and the run with it.
    const lock_timeout = Math.max(this.leaseMs, MIN_LOCK_WAIT_MS);
    this.pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 8, application_name: 'llm-fusion', lock_timeout });
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
    this.renewPool = new pg.Pool({ connectionString: url, max: 1, application_name: 'llm-fusion lease', lock_timeout });
    this.renewPool.on('error', () => undefined);
    // Two commits at a time: answers that arrive while a group is being written start their own at
    // the end of their turn, so a paid answer holds its slot for its own commit's round trip, not
    // also for the rest of the one before (every answer is still released only once its own group
    // is written; the statements' key order keeps the two from deadlocking, see COMMIT).
    // (`commitWriters`: 1 gives the one-at-a-time commits of before, for benchmarks.)
    this.queue = new CommitQueue((group) => this.commit(group), { writers: options.commitWriters ?? 2 });
    this.held = new HeldClaims(this.queue, this.mode.write);
    this.batches = new PostgresBatchStore((text, values) => this.query(text, values), this.owner);
  }

  get runId(): string {
    return this.owner.runId;
  }

  /** Lookup and claim statements and group commits so far, each a round trip (see StoreStats). */
  stats(): StoreStats {
    return { lookups: this.gets.sent, claims: this.claims.sent, commits: { ...this.queue.timings } };
  }

  /** A query, with any failure turned into a StoreError that names the store (never its password). */
  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = [], name?: string): Promise<pg.QueryResult<R>> {
    await this.ready();
    return this.raw<R>(text, values, name);
  }

  /**
   * Every statement is its own transaction, so one the server aborts to break a deadlock or a
   * serialization failure is simply run again (claim rows are locked in key order by every
   * statement, so a deadlock over them is not expected; this stays the guard for any other).
   */
  private async raw<R extends pg.QueryResultRow>(text: string, values: unknown[] = [], name?: string): Promise<pg.QueryResult<R>> {
    let outageSince: number | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.pool.query<R>(name ? { name, text, values } : { text, values });
      } catch (e) {
        const code = (e as { code?: string }).code;
        if ((code === '40P01' || code === '40001') && attempt < 8) {
          await new Promise((resolve) => setTimeout(resolve, 5 * attempt * Math.random()));
          continue;
        }
        // A refused connection was never sent; a cut one may have committed, and every statement
        // here has the effect of once when sent twice (claims by owner, answers of the same content,
        // releases by owner, batch records keyed by token or batch id). Once the store has worked, an
        // outage is ridden out for one claim lease: past that, this run's claims lapse and others
        // take its calls over.
        if (this.opened && connectionLost(e) && Date.now() - (outageSince ??= Date.now()) < this.leaseMs) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
          continue;
        }
        throw new StoreError(`the store ${this.location} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  ready(): Promise<void> {
    this.readyPromise ??= this.migrate().then(() => {
      this.opened = true;
      return this.mode.write ? this.listen() : undefined;
    });
    return this.readyPromise;
  }

  /** LISTEN on a connection of its own for ended claims (a failure leaves waits polling). */
  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'llm-fusion listen' });
    await this.waits.start(client);
  }

  /** Resolves when another run's claim on `key` may have ended: its commit's notification, or the poll. */
  waitForRelease(key: string, signal?: AbortSignal): Promise<void> {
    return this.waits.wait(key, signal);
  }

  /** Creates the tables on first use, under a transaction-scoped advisory lock, and checks the version. */
  private async migrate(): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw new StoreError(`cannot reach the store ${this.location}: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS fusion_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)');
      const meta = async (name: string): Promise<string | undefined> =>
        (await client.query<{ value: string }>('SELECT value FROM fusion_meta WHERE name = $1', [name])).rows[0]?.value;
      const version = Number((await meta('schema_version')) ?? SCHEMA_VERSION);
      if (version > SCHEMA_VERSION) {
        throw new StoreError(`the store ${this.location} was written by a newer llm-fusion (store schema ${version}, this one knows ${SCHEMA_VERSION}); upgrade, or use another --cache`);
      }
      await client.query(TABLES);
      await client.query(CLAIM_FUNCTION);
      const keyVersion = await meta('key_version');
      if (keyVersion !== undefined && keyVersion !== KEY_VERSION) {
        this.notices.push(`the store ${this.location} holds answers stored under another key version (${keyVersion}); they are ignored (asked again when needed)`);
      }
      await client.query(
        "INSERT INTO fusion_meta (name, value) VALUES ('schema_version', $1), ('key_version', $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
        [String(SCHEMA_VERSION), KEY_VERSION],
      );
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (e instanceof StoreError) throw e;
      throw new StoreError(`cannot prepare the store ${this.location}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      client.release();
    }
  }

  private async read(key: string): Promise<CachedResponse | undefined> {
    const pending = this.queue.pendingAnswer(key);
    if (pending) return pending;
    const row = await this.gets.add(key);
    return row ? toResponse(row) : undefined;
  }

  private async getMany(keys: readonly string[]): Promise<(ResponseRow | undefined)[]> {
    const { rows } = await this.query<ResponseRow & { key: string }>(GET_MANY, [keys], 'fusion_get_many');
    const byKey = new Map(rows.map((r) => [r.key, r]));
    return keys.map((k) => byKey.get(k));
  }

  private async claimMany(asks: readonly ClaimAsk[]): Promise<ClaimRow[]> {
    const order = asks.map((_, i) => i).sort((a, b) => byKey(asks[a]!.key, asks[b]!.key));
    const sorted = order.map((i) => asks[i]!);
    const { runId, scope, pid } = this.owner;
    const { rows } = await this.query<ClaimRow & { i: string }>(
      CLAIM_MANY,
      [sorted.map((a) => a.key), sorted.map((a) => a.seq), sorted.map((a) => a.acceptCached), sorted.map((a) => a.checkBatch), runId, scope ?? null, pid, this.leaseMs],
      'fusion_claim_many',
    );
    const out: ClaimRow[] = new Array(asks.length);
    for (const row of rows) out[order[Number(row.i) - 1]!] = row;
    for (let i = 0; i < asks.length; i++) if (!out[i]) throw new StoreError(`the store ${this.location} answered a claim with no row`);
    return out;
  }

  async get(key: string): Promise<CachedResponse | undefined> {
    return this.mode.read ? this.read(key) : undefined;
  }

  claim(key: string, acceptCached: boolean): Promise<ClaimResult> {
    return this.claimOne(key, acceptCached, true);
  }

  async claimForBatch(keys: readonly string[]): Promise<Map<string, ClaimResult>> {
    // Asked together, so they go in one statement (see TurnBatch).
    const results = await Promise.all(keys.map((key) => this.claimOne(key, true, false)));
    return new Map(keys.map((key, i) => [key, results[i] as ClaimResult]));
  }

  /**
   * One claim, in one round trip (fusion_claim) but for taking over the claim of a run provably gone
   * from this machine; `checkBatch`: a call in an open batch (or one being created) is left to it.
   */
  private async claimOne(key: string, acceptCached: boolean, checkBatch: boolean): Promise<ClaimResult> {
    if (!this.mode.write) return { status: 'claimed' };
    if (acceptCached) {
      const mine = this.queue.pendingAnswer(key);
      if (mine) return { status: 'answered', response: mine };
    }
    const { runId, scope, pid } = this.owner;
    for (;;) {
      const seq = ++this.seq;
      this.waits.watch(key);
      const row = await this.claims.add({ key, seq, acceptCached, checkBatch });
      if (!row.claimed) {
        const held = { owner: row.owner ?? '', seq: Number(row.seq), scope: row.scope, pid: Number(row.pid) };
        if (!ownerIsGone(held, this.owner)) return { status: 'busy', owner: held.owner };
        // Taken over or not (another run may have been faster), the claim is asked again through the
        // function, which then also checks for a stored answer or an open batch.
        await this.query(TAKE_OVER, [key, runId, seq, scope ?? null, pid, this.leaseMs, held.owner, held.seq]);
        continue;
      }
      this.waits.unwatch(key);
      // The function gave the claim back when the answer was stored or a batch carries the call.
      if (row.text !== null) return { status: 'answered', response: toResponse({ ...row, text: row.text, latency_ms: Number(row.latency_ms) }) };
      if (row.batch_id !== null) return { status: 'batch', batchId: row.batch_id };
      this.held.take(key, seq);
      this.startRenewal();
      return { status: 'claimed' };
    }
  }

  /** A live run renews its claims' lease every third of it, on the database's clock. */
  private startRenewal(): void {
    if (this.renewal) return;
    this.renewal = setInterval(() => {
      if (this.held.size === 0 || this.closed) return;
      this.renewPool
        .query(RENEW, [this.owner.runId, this.leaseMs])
        // A failed renewal (a deadlock with a commit, a dropped connection) is tried again at the next tick, well within the lease.
        .catch(() => undefined);
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    this.renewal.unref();
  }

  release(key: string): void {
    this.held.release(key);
  }

  put(id: CallIdentity, value: CachedResponse): Promise<void> {
    return this.held.answer(id, value);
  }

  recordFailure(id: CallIdentity, failure: FailureDetails): void {
    this.held.failure(id, failure);
  }


  private async commit(group: CommitGroup): Promise<void> {
    const cols: unknown[][] = Array.from({ length: 21 }, () => []);
    const push = (offset: number, values: readonly unknown[]): void => values.forEach((v, i) => cols[offset + i]!.push(v));
    const answers = [...group.answers].sort((a, b) => byKey(a.id.key, b.id.key));
    const failures = [...group.failures].sort((a, b) => byKey(a.id.key, b.id.key));
    for (const a of answers) push(0, [a.id.key, a.id.provider, a.id.model, ...responseColumns(a.value), a.at]);
    for (const f of failures) {
      const { kind, message, status, attempts } = f.failure;
      push(11, [f.id.key, f.id.provider, f.id.model, kind, message, status ?? null, attempts, f.at]);
    }
    const releases = [
      ...answers.filter((a) => a.claim !== undefined).map((a) => ({ key: a.id.key, claim: a.claim as number })),
      ...failures.filter((f) => f.claim !== undefined).map((f) => ({ key: f.id.key, claim: f.claim as number })),
      ...group.releases,
    ].sort((a, b) => byKey(a.key, b.key));
    for (const r of releases) push(19, [r.key, r.claim]);
    const ended = payloadsOf([...group.answers.map((a) => a.id.key), ...group.failures.map((f) => f.id.key), ...group.releases.map((r) => r.key)]);
    await this.query(COMMIT, [...cols, this.owner.runId, ended], 'fusion_commit');
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  async failures(): Promise<RecordedFailure[]> {
    await this.flush();
    const { rows } = await this.query<FailureRow>('SELECT key, provider, model, kind, message, status, attempts, at FROM fusion_failures ORDER BY at');
    return rows.map(toFailure);
  }

  async size(): Promise<number> {
    await this.flush();
    const { rows } = await this.query<{ n: string }>('SELECT count(*) AS n FROM fusion_responses');
    return Number(rows[0]?.n ?? 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.renewal) clearInterval(this.renewal);
    this.renewal = undefined;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      try {
        if (this.mode.write && this.readyPromise) {
          await this.raw(RELEASE_ALL, [this.owner.runId]);
        }
      } finally {
        this.held.clear();
        await Promise.all([this.pool.end(), this.renewPool.end(), this.waits.close()]);
      }
    }
  }
}
