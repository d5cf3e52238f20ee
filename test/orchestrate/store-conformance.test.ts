/**
 * The store conformance suite: the same tests against SQLite and a real, throwaway PostgreSQL
 * (test/support/postgres.ts; skipped with the reason when PostgreSQL is not installed). Runs with
 * two stores in one process (two run ids, as two workers) and with real child processes killed
 * with SIGKILL (test/support/claim-child.ts).
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CachedResponse, type ResponseStore, StoreError, StoreLocationError, openStore, storeKindOf } from '../../src/orchestrate/cache.js';
import { redactUrl } from '../../src/orchestrate/store/postgres-store.js';
import { BatchConflictError } from '../../src/orchestrate/store/errors.js';
import { type TestPostgres, freshDatabase, postgresUnavailable, startPostgres } from '../support/postgres.js';

const childScript = fileURLToPath(new URL('../support/claim-child.ts', import.meta.url));
const pgMissing = postgresUnavailable();

interface Backend {
  name: string;
  /** A fresh, empty location for one test. */
  location(): Promise<string>;
  /** Sets the stored schema version by hand (to test a store written by a newer version). */
  setSchemaVersion(location: string, version: number): Promise<void>;
}

let server: TestPostgres | undefined;
let dbCount = 0;
const dirs: string[] = [];

const sqlite: Backend = {
  name: 'sqlite',
  location: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fusion-store-'));
    dirs.push(dir);
    return join(dir, 'cache.sqlite');
  },
  setSchemaVersion: async (location, version) => {
    const db = new Database(location);
    db.prepare("UPDATE meta SET value = ? WHERE name = 'schema_version'").run(String(version));
    db.close();
  },
};

const postgres: Backend = {
  name: 'postgres',
  location: async () => {
    server ??= await startPostgres();
    return freshDatabase(server, `t${process.pid}_${++dbCount}`);
  },
  setSchemaVersion: async (location, version) => {
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    await client.query("UPDATE fusion_meta SET value = $1 WHERE name = 'schema_version'", [String(version)]);
    await client.end();
  },
};

afterAll(() => {
  server?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const answer = (text: string): CachedResponse => ({
  text,
  latencyMs: 12.5,
  usage: { input: 30, output: 2 },
  cost: 0.000123,
  finishReason: 'stop',
  logprobs: [{ token: text, logprob: -0.1, top_logprobs: [{ token: text, logprob: -0.1 }] }],
});
const id = (key: string) => ({ key, provider: 'openai', model: 'gpt-4o-mini' });

/** A claim-child process; `lines()` are the JSON lines it printed so far. */
function claimChild(location: string, leaseMs: number, scope: string, keys: string[], options: { wait?: boolean; prefix?: string[] } = {}) {
  const argv = [process.execPath, '--import', 'tsx', childScript, location, String(leaseMs), scope, ...(options.wait ? ['--wait'] : []), ...keys];
  const [cmd, ...args] = [...(options.prefix ?? []), ...argv] as [string, ...string[]];
  const child: ChildProcessWithoutNullStreams = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const lines = () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    child,
    lines,
    err: () => err,
    async until(n: number, ms = 30_000): Promise<Record<string, unknown>[]> {
      const t0 = Date.now();
      while (lines().length < n) {
        if (Date.now() - t0 > ms || child.exitCode !== null) throw new Error(`claim-child printed ${lines().length} of ${n} line(s): ${err}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return lines();
    },
    async kill(): Promise<void> {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `store.claim` until it stops being busy; returns the status and how long it took. */
async function claimWhenFree(store: ResponseStore, key: string, maxMs: number): Promise<{ status: string; ms: number }> {
  const t0 = Date.now();
  for (;;) {
    const r = await store.claim(key, true);
    if (r.status !== 'busy' || Date.now() - t0 > maxMs) return { status: r.status, ms: Date.now() - t0 };
    await sleep(50);
  }
}

for (const backend of [sqlite, postgres]) {
  const skip = backend === postgres ? pgMissing : undefined;
  describe.skipIf(skip !== undefined)(`store conformance: ${backend.name}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let opened: ResponseStore[] = [];
    const open = (location: string, leaseMs = 30_000): ResponseStore => {
      const s = openStore(location, { read: true, write: true }, { leaseMs });
      opened.push(s);
      return s;
    };
    /**
     * Intents (token, calls) recorded by a run that claimed the first one's calls and is gone, its
     * creates' answers lost: what `fusion batches abandon` and `adopt` settle. Returns the first.
     */
    const goneRunIntents = async (location: string, intents: readonly (readonly [string, readonly string[]])[]) => {
      const gone = open(location);
      const [token, keys] = intents[0]!;
      await gone.claimForBatch([...keys]);
      const first = { token, provider: 'anthropic', model: 'anthropic:claude-3-5-haiku-latest', requests: keys.length, estimatedCost: 0.25, createdAt: new Date(Date.now() - 60_000).toISOString() };
      for (const [t, k] of intents) await gone.batches.addIntent({ ...first, token: t, requests: k.length }, k);
      await gone.close();
      return first;
    };
    beforeAll(() => {
      opened = [];
    });
    afterAll(async () => {
      for (const s of opened) await s.close().catch(() => undefined);
    });

    it('stores an answer with everything a re-run needs and serves it to another run; keys only, no credentials', async () => {
      const location = await backend.location();
      const a = open(location);
      await a.ready();
      a.put(id('k1'), answer('positive'));
      // Queued, not yet committed: this run already serves it.
      expect(await a.get('k1')).toEqual(answer('positive'));
      await a.flush();
      const b = open(location);
      expect(await b.get('k1')).toEqual(answer('positive'));
      expect(await b.get('k2')).toBeUndefined();
      expect(await b.size()).toBe(1);
      await a.close();
      await b.close();
    });

    it('a failure is kept for the report, never served, and cleared by a later answer', async () => {
      const location = await backend.location();
      const a = open(location);
      a.recordFailure(id('f1'), { kind: 'server', message: 'HTTP 500', status: 500, attempts: 5 });
      const failures = await a.failures();
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ key: 'f1', kind: 'server', message: 'HTTP 500', status: 500, attempts: 5, provider: 'openai', model: 'gpt-4o-mini' });
      expect(await a.get('f1')).toBeUndefined();
      a.put(id('f1'), answer('neutral'));
      expect(await a.failures()).toEqual([]);
      expect(await a.size()).toBe(1);
      await a.close();
    });

    it('group commit: hundreds of answers put in one turn are committed together and all reach another run', async () => {
      const location = await backend.location();
      const a = open(location);
      const b = open(location);
      await Promise.all([a.ready(), b.ready()]);
      for (let i = 0; i < 300; i++) {
        expect((await a.claim(`g${i}`, true)).status).toBe('claimed');
      }
      for (let i = 0; i < 300; i++) a.put(id(`g${i}`), answer(`a${i}`));
      await a.flush();
      expect(await b.size()).toBe(300);
      // Each answer released its claim in the same commit: the other run finds them answered, not busy.
      for (const i of [0, 150, 299]) expect(await b.claim(`g${i}`, true)).toEqual({ status: 'answered', response: answer(`a${i}`) });
      await a.close();
      await b.close();
    });

    it('two runs in one process (two run ids, same pid): the second waits while the first holds the call, then gets its answer', async () => {
      const location = await backend.location();
      const a = open(location);
      const b = open(location);
      expect(a.runId).not.toBe(b.runId);
      expect(await a.claim('k', true)).toEqual({ status: 'claimed' });
      expect(await b.claim('k', true)).toEqual({ status: 'busy', owner: a.runId });
      // The same run claiming again keeps its claim (a retry after a failure, say).
      expect(await a.claim('k', true)).toEqual({ status: 'claimed' });
      a.put(id('k'), answer('negative'));
      await a.flush();
      expect(await b.claim('k', true)).toEqual({ status: 'answered', response: answer('negative') });
      // A released claim (the call failed) is free for the other run at once.
      expect(await a.claim('r', true)).toEqual({ status: 'claimed' });
      a.release('r');
      await a.flush();
      expect(await b.claim('r', true)).toEqual({ status: 'claimed' });
      // Under --refresh (acceptCached false) a stored answer does not stop a new call.
      expect(await b.claim('k', false)).toEqual({ status: 'claimed' });
      await a.close();
      await b.close();
    });

    it('a run waiting on another run\'s claim is woken soon after the commit that ends it (answer, release, close); PostgreSQL by its notification, not by a poll', async () => {
      const location = await backend.location();
      // A long lease: PostgreSQL's fallback poll is then a second, far above the bounds below; SQLite polls every 50 ms.
      const a = open(location, 120_000);
      const b = open(location, 120_000);
      await Promise.all([a.ready(), b.ready()]);
      const wokenAfter = async (key: string, end: () => Promise<void>): Promise<{ beforeEnd: boolean; afterEndMs: number }> => {
        expect(await b.claim(key, true)).toEqual({ status: 'busy', owner: a.runId });
        let woken = false;
        const waiting = b.waitForRelease(key).then(() => (woken = true));
        await sleep(150);
        const wokeEarly = woken && backend === postgres;
        const t0 = performance.now();
        await end();
        await waiting;
        return { beforeEnd: wokeEarly, afterEndMs: performance.now() - t0 };
      };
      expect(await a.claim('w1', true)).toEqual({ status: 'claimed' });
      const answered = await wokenAfter('w1', async () => {
        void a.put(id('w1'), answer('positive'));
        await a.flush();
      });
      expect(answered.beforeEnd).toBe(false);
      expect(answered.afterEndMs).toBeLessThan(500);
      expect(await b.claim('w1', true)).toEqual({ status: 'answered', response: answer('positive') });

      expect(await a.claim('w2', true)).toEqual({ status: 'claimed' });
      const released = await wokenAfter('w2', async () => {
        a.release('w2');
        await a.flush();
      });
      expect(released.beforeEnd).toBe(false);
      expect(released.afterEndMs).toBeLessThan(500);
      expect(await b.claim('w2', true)).toEqual({ status: 'claimed' });

      expect(await a.claim('w3', true)).toEqual({ status: 'claimed' });
      const closed = await wokenAfter('w3', () => a.close());
      expect(closed.beforeEnd).toBe(false);
      expect(closed.afterEndMs).toBeLessThan(500);
      expect(await b.claim('w3', true)).toEqual({ status: 'claimed' });
      await b.close();
    }, 30_000);

    it.skipIf(backend !== postgres)('a claim is one round trip to PostgreSQL, whatever it finds (claimed, answered, busy)', async () => {
      const location = await backend.location();
      const a = open(location);
      const b = open(location);
      await Promise.all([a.ready(), b.ready()]);
      const sent = vi.spyOn(pg.Pool.prototype, 'query');
      try {
        const roundTrips = async (claim: () => Promise<unknown>): Promise<number> => {
          sent.mockClear();
          await claim();
          return sent.mock.calls.length;
        };
        expect(await roundTrips(() => a.claim('one', true))).toBe(1);
        expect(await roundTrips(() => b.claim('one', true))).toBe(1); // busy
        void a.put(id('one'), answer('neutral'));
        await a.flush();
        expect(await roundTrips(async () => expect(await b.claim('one', true)).toEqual({ status: 'answered', response: answer('neutral') }))).toBe(1);
      } finally {
        sent.mockRestore();
      }
    });

    it.skipIf(backend !== postgres)('the claims and lookups of one event-loop turn are one round trip each, and each gets its own answer', async () => {
      const location = await backend.location();
      const a = open(location);
      const b = open(location);
      await Promise.all([a.ready(), b.ready()]);
      expect(await a.claim('t-held', true)).toEqual({ status: 'claimed' });
      void a.put(id('t-done'), answer('positive'));
      expect(await a.claim('t-done', true)).toEqual({ status: 'answered', response: answer('positive') });
      await a.flush();
      const sent = vi.spyOn(pg.Pool.prototype, 'query');
      try {
        const keys = ['t-z', 't-held', 't-a', 't-done', ...Array.from({ length: 20 }, (_, i) => `t-${i}`)];
        const claims = await Promise.all(keys.map((k) => b.claim(k, true)));
        expect(sent.mock.calls.length).toBe(1);
        expect(claims.slice(0, 4)).toEqual([{ status: 'claimed' }, { status: 'busy', owner: a.runId }, { status: 'claimed' }, { status: 'answered', response: answer('positive') }]);
        expect(claims.slice(4).every((c) => c.status === 'claimed')).toBe(true);
        sent.mockClear();
        const found = await Promise.all(['t-done', 't-z', 't-done'].map((k) => b.get(k)));
        expect(sent.mock.calls.length).toBe(1);
        expect(found).toEqual([answer('positive'), undefined, answer('positive')]);
      } finally {
        sent.mockRestore();
      }
      await Promise.all([a.close(), b.close()]);
    });

    it('batch calls: a batch run claims its calls; a live run waits on them while it lives and leaves calls of an open batch or unconfirmed create to it', async () => {
      const location = await backend.location();
      const batch = open(location);
      const live = open(location);
      const claims = await batch.claimForBatch(['b1', 'b2', 'b3']);
      expect([...claims.values()].map((c) => c.status)).toEqual(['claimed', 'claimed', 'claimed']);
      // A second batch run leaves them to the first; a live run waits for the batch's answer.
      expect((await open(location).claimForBatch(['b1'])).get('b1')).toEqual({ status: 'busy', owner: batch.runId });
      expect(await live.claim('b1', true)).toEqual({ status: 'busy', owner: batch.runId });
      // The intent is recorded before the create, owned by the batch run, live while it holds its claims.
      const intent = { token: 'tok-1', provider: 'openai', model: 'openai:gpt-4o-mini', requests: 2, estimatedCost: 0.5, createdAt: new Date().toISOString() };
      await batch.batches.addIntent(intent, ['b1', 'b2']);
      expect([...(await live.batches.intentKeysOf('openai:gpt-4o-mini'))].sort()).toEqual(['b1', 'b2']);
      expect((await live.batches.intentsOf('openai:gpt-4o-mini')).map((i) => [i.token, i.live])).toEqual([['tok-1', true]]);
      expect((await live.batches.intents()).map((i) => i.token)).toEqual(['tok-1']);
      // The provider's batch found: the intent becomes a remembered batch with the intent's calls.
      await batch.batches.resolveIntent('tok-1', { id: 'batch_9', status: 'in_progress', counts: { total: 2, succeeded: 0, failed: 0 } } as never);
      expect(await live.batches.intentsOf('openai:gpt-4o-mini')).toEqual([]);
      expect((await live.batches.knownIds()).has('batch_9')).toBe(true);
      expect((await live.batches.openJobsFor('openai:gpt-4o-mini', new Set(['b2'])))[0]?.keys.sort()).toEqual(['b1', 'b2']);
      // The batch run is gone (closed): its open batch still carries b1 and b2, so a live run does not buy them again.
      await batch.close();
      expect(await live.claim('b2', true)).toEqual({ status: 'batch', batchId: 'batch_9' });
      // ... an unconfirmed create of a run that is gone likewise, and it is no longer live.
      const gone = open(location);
      await gone.claimForBatch(['b4']);
      await gone.batches.addIntent({ ...intent, token: 'tok-2', requests: 1 }, ['b4']);
      await gone.close();
      expect(await live.claim('b4', true)).toEqual({ status: 'batch', batchId: 'being created' });
      expect((await live.batches.intentsOf('openai:gpt-4o-mini')).map((i) => [i.token, i.live])).toEqual([['tok-2', false]]);
      // One intent's calls, what tells its batch from another of its size at the provider.
      expect([...(await live.batches.keysOfIntent('tok-2'))]).toEqual(['b4']);
      expect(await live.batches.keysOfIntent('tok-gone')).toEqual(new Set());
      // A dropped intent frees its calls; b3 was never in a batch: free once the batch run is gone.
      await live.batches.dropIntent('tok-2');
      expect(await live.claim('b4', true)).toEqual({ status: 'claimed' });
      expect(await live.claim('b3', true)).toEqual({ status: 'claimed' });
      await live.close();
    });

    it('an abandoned intent: gone with its calls (free to claim again), kept on record; a token not on record abandons nothing', async () => {
      const location = await backend.location();
      const intent = await goneRunIntents(location, [['tok-lost', ['a1', 'a2']], ['tok-other', ['a3']]]);
      const live = open(location);
      expect(await live.claim('a1', true)).toEqual({ status: 'batch', batchId: 'being created' });
      expect(await live.batches.abandonIntent('tok-lost', 'none of the candidates named its calls')).toEqual(intent);
      expect(await live.batches.abandonIntent('tok-lost', 'again')).toBeUndefined();
      expect(await live.batches.abandonIntent('tok-never', 'no such')).toBeUndefined();
      expect((await live.batches.intents()).map((i) => i.token)).toEqual(['tok-other']);
      expect(await live.batches.keysOfIntent('tok-lost')).toEqual(new Set());
      expect([...(await live.batches.intentKeysOf(intent.model))]).toEqual(['a3']);
      expect(await live.claim('a1', true)).toEqual({ status: 'claimed' });
      expect(await live.claim('a3', true)).toEqual({ status: 'batch', batchId: 'being created' });
      const kept = await live.batches.abandonedIntents();
      expect(kept.map(({ abandonedAt: _, ...rest }) => rest)).toEqual([{ ...intent, note: 'none of the candidates named its calls' }]);
      expect(Date.parse(kept[0]!.abandonedAt)).toBeGreaterThanOrEqual(Date.parse(intent.createdAt));
      await live.close();
    });

    it('a batch recorded twice: again with its calls (add, or its intent resolved again) changes nothing; under its id with other calls, another model or another intent\'s calls it is refused (BatchConflictError), nothing changed', async () => {
      const location = await backend.location();
      const s = open(location);
      const job = { batchId: 'batch_1', provider: 'openai', model: 'openai:gpt-4o-mini', status: 'in-progress', requests: 2, estimatedCost: 0.5 } as const;
      const found = { id: 'batch_1', status: 'in-progress', counts: { total: 2, succeeded: 0, failed: 0 } } as never;
      await s.batches.add(job, ['k1', 'k2']);
      await s.batches.add(job, ['k2', 'k1']);
      // Two runs that found the same create's batch both resolve its intent: the second changes nothing.
      const intent = { token: 'tok-a', provider: 'openai', model: 'openai:gpt-4o-mini', requests: 2, estimatedCost: 0.5, createdAt: new Date().toISOString() };
      await s.batches.addIntent(intent, ['k1', 'k2']);
      await s.batches.resolveIntent('tok-a', found);
      expect(await s.batches.intents()).toEqual([]);
      const recorded = async () => ({ jobs: (await s.batches.list()).map((j) => [j.batchId, j.model, j.requests]), keys: (await s.batches.openJobsFor(job.model, new Set(['k1'])))[0]?.keys.sort() });
      const before = await recorded();
      expect(before).toEqual({ jobs: [['batch_1', 'openai:gpt-4o-mini', 2]], keys: ['k1', 'k2'] });
      // Other calls, another model: answers would be collected for the wrong calls.
      await expect(s.batches.add(job, ['k1', 'k3'])).rejects.toBeInstanceOf(BatchConflictError);
      await expect(s.batches.add(job, ['k1'])).rejects.toBeInstanceOf(BatchConflictError);
      await expect(s.batches.add({ ...job, model: 'openai:gpt-4o' }, ['k1', 'k2'])).rejects.toThrow(/batch_1.*openai:gpt-4o-mini/);
      // Another intent resolved to it: refused, and the intent stays on record (its calls pending, looked up again).
      await s.batches.addIntent({ ...intent, token: 'tok-b' }, ['k5', 'k6']);
      const refused = s.batches.resolveIntent('tok-b', found);
      await expect(refused).rejects.toBeInstanceOf(BatchConflictError);
      await expect(refused).rejects.toBeInstanceOf(StoreError);
      await expect(refused).rejects.toMatchObject({ name: 'BatchConflictError', batchId: 'batch_1' });
      expect((await s.batches.intents()).map((i) => i.token)).toEqual(['tok-b']);
      expect([...(await s.batches.keysOfIntent('tok-b'))].sort()).toEqual(['k5', 'k6']);
      expect(await recorded()).toEqual(before);
    });

    it('an intent of a gone run resolved to the batch the user names (fusion batches adopt): remembered open with the intent\'s calls, which a live run leaves to it; the intent gone, not abandoned', async () => {
      const location = await backend.location();
      const intent = await goneRunIntents(location, [['tok-adopt', ['d1', 'd2']]]);
      const user = open(location);
      await user.batches.resolveIntent('tok-adopt', { id: 'msgbatch_named', status: 'ended', done: true, counts: { total: 2, succeeded: 2, failed: 0, processing: 0 } });
      await user.close();
      const live = open(location);
      expect(await live.batches.intents()).toEqual([]);
      expect(await live.batches.abandonedIntents()).toEqual([]);
      expect(await live.batches.get('msgbatch_named')).toMatchObject({ model: intent.model, provider: 'anthropic', status: 'ended', requests: 2, collected: false });
      expect((await live.batches.openJobsFor(intent.model, new Set(['d2'])))[0]?.keys.sort()).toEqual(['d1', 'd2']);
      expect(await live.claim('d1', true)).toEqual({ status: 'batch', batchId: 'msgbatch_named' });
      await live.close();
    });

    it('closing a run gives up its claims', async () => {
      const location = await backend.location();
      const a = open(location);
      const b = open(location);
      expect((await a.claim('c', true)).status).toBe('claimed');
      await a.close();
      expect((await b.claim('c', true)).status).toBe('claimed');
      await b.close();
    });

    it('the schema is created on first use and versioned: a store written by a newer llm-fusion is refused', async () => {
      const location = await backend.location();
      const a = open(location);
      await a.ready();
      await a.close();
      await backend.setSchemaVersion(location, 99);
      const refuse = async () => {
        const s = openStore(location);
        try {
          await s.ready();
          await s.get('x');
        } finally {
          await s.close().catch(() => undefined);
        }
      };
      await expect(refuse()).rejects.toThrow(StoreError);
      await expect(refuse()).rejects.toThrow(/newer llm-fusion \(store schema 99/);
    });

    it('a claim whose owner on another machine was killed with SIGKILL lapses after its lease; while it lives, it renews it', async () => {
      const location = await backend.location();
      const lease = 1200;
      const owner = claimChild(location, lease, 'another-machine', ['k']);
      try {
        const [first] = await owner.until(1);
        expect(first?.claims).toEqual({ k: 'claimed' });
        const b = open(location, lease);
        // Alive for more than twice the lease: still held (renewed), never taken over.
        await sleep(2.5 * lease);
        expect((await b.claim('k', true)).status).toBe('busy');
        await owner.kill();
        // Dead, but its pid cannot be checked from here: the claim holds until the lease runs out...
        expect((await b.claim('k', true)).status).toBe('busy');
        const taken = await claimWhenFree(b, 'k', 10 * lease);
        expect(taken.status).toBe('claimed');
        expect(taken.ms).toBeLessThanOrEqual(lease + 1500);
      } finally {
        await owner.kill();
      }
    }, 60_000);

    it('a claim of a run killed on this machine is taken over at once (its pid is gone)', async () => {
      const location = await backend.location();
      const owner = claimChild(location, 30_000, 'auto', ['k1', 'k2']);
      try {
        const [first] = await owner.until(1);
        expect(first?.claims).toEqual({ k1: 'claimed', k2: 'claimed' });
        const b = open(location);
        expect((await b.claim('k1', true)).status).toBe('busy');
        await owner.kill();
        expect((await b.claim('k1', true)).status).toBe('claimed');
        expect((await b.claim('k2', true)).status).toBe('claimed');
      } finally {
        await owner.kill();
      }
    }, 60_000);
  });
}

describe('store locations', () => {
  it('postgres:// and postgresql:// name PostgreSQL; paths name SQLite; any other scheme is refused, never made a folder', () => {
    expect(storeKindOf('postgres://u@h/db')).toBe('postgres');
    expect(storeKindOf('postgresql://u@h:5432/db')).toBe('postgres');
    expect(storeKindOf('.fusion/cache.sqlite')).toBe('sqlite');
    expect(storeKindOf('C:\\runs\\cache.sqlite')).toBe('sqlite');
    expect(storeKindOf('/tmp/a:b/cache.sqlite')).toBe('sqlite');
    expect(() => storeKindOf('foo://x/y')).toThrow(StoreLocationError);
    expect(() => storeKindOf('mysql://u@h/db')).toThrow(/unknown store scheme "mysql:\/\/"/);
    expect(() => storeKindOf('postgres:db')).toThrow(StoreLocationError);
  });

  it('a URL shown in messages never carries its password', () => {
    expect(redactUrl('postgres://fusion:s3cret@db.example:5432/runs')).toBe('postgres://fusion:***@db.example:5432/runs');
    expect(redactUrl('postgres://fusion:s3cret@db.example:5432/runs')).not.toContain('s3cret');
  });
});

/** Two runs that are both PID 1, each in a PID namespace of its own (two containers): issue 22 case 2. */
const unshareWorks = process.platform === 'linux' && spawnSync('unshare', ['--pid', '--fork', '--kill-child', 'true']).status === 0;
describe.skipIf(!unshareWorks)(`two PID namespaces${unshareWorks ? '' : ' (skipped: unshare --pid --fork is not allowed here)'}`, () => {
  it('two runs that are both pid 1 never take each other for themselves; a killed one lets its claims lapse', async () => {
    const location = await sqlite.location();
    const lease = 1500;
    const prefix = ['unshare', '--pid', '--fork', '--kill-child'];
    const first = claimChild(location, lease, 'auto', ['k'], { prefix });
    const [a] = await first.until(1).catch(async (e: unknown) => {
      await first.kill();
      throw e;
    });
    const second = claimChild(location, lease, 'auto', ['k'], { prefix, wait: true });
    try {
      expect(a).toMatchObject({ pid: 1, claims: { k: 'claimed' } });
      const [b] = await second.until(1);
      // Same pid, another run: busy, not "mine".
      expect(b).toMatchObject({ pid: 1, claims: { k: 'busy' } });
      await sleep(2 * lease);
      expect(second.lines()).toHaveLength(1);
      await first.kill();
      const [, took] = await second.until(2, 10 * lease);
      expect(took).toMatchObject({ key: 'k', status: 'claimed' });
    } finally {
      await first.kill();
      await second.kill();
    }
  }, 60_000);
});
