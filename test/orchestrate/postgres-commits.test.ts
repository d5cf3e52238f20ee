/**
 * PostgreSQL's group commits against a real, throwaway server (test/support/postgres.ts; skipped
 * with the reason when PostgreSQL is not installed): two commits of one run written at once lose
 * and double nothing, and each answer is released only once its own group is written; commits,
 * lease renewals and another run's claims on overlapping keys, asked in opposite orders, never
 * deadlock (the server's own count of deadlocks in the database stays at zero).
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/orchestrate/cache.js';
import type { CachedResponse } from '../../src/orchestrate/store/store.js';
import { type TestPostgres, freshDatabase, postgresUnavailable, startPostgres } from '../support/postgres.js';

const pgMissing = postgresUnavailable();
let server: TestPostgres | undefined;
let dbCount = 0;
afterAll(() => server?.stop());

async function database(): Promise<string> {
  server ??= await startPostgres();
  return freshDatabase(server, `commits_${process.pid}_${++dbCount}`);
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const id = (key: string) => ({ key, provider: 'openai', model: 'gpt-4o-mini' });
const answer = (text: string): CachedResponse => ({ text, latencyMs: 5, usage: { input: 10, output: 1 } });
/** Keys as the stores see them: fixed-width hex, as request hashes are. */
const keyOf = (round: number, i: number): string => `${round.toString(16).padStart(4, '0')}${i.toString(16).padStart(60, '0')}`;

/** 0..n-1 in an order fixed by `seed` (a linear congruential generator: the same order on every run). */
function shuffled(n: number, seed: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  let x = seed;
  for (let i = n - 1; i > 0; i--) {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function withClient<T>(url: string, use: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await use(c);
  } finally {
    await c.end();
  }
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(pgMissing !== undefined)(`PostgreSQL group commits${pgMissing ? ` (skipped: ${pgMissing})` : ''}`, () => {
  it('two commits written at once: every answer stored once with its claim released, each released to its caller only once its own group is written', async () => {
    const url = await database();
    const store = new PostgresStore(url, undefined, { commitWriters: 2 });
    await store.ready();
    const keys = Array.from({ length: 10 }, (_, i) => keyOf(0, i));
    for (const r of await Promise.all(keys.map((k) => store.claim(k, true)))) expect(r.status).toBe('claimed');
    // Another session holds a lock that every insert into the answers waits for: commits stay in flight.
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE fusion_responses IN SHARE MODE');
    const settled = new Set<string>();
    const puts: Promise<void>[] = [];
    for (const group of [keys.slice(0, 5), keys.slice(5)]) {
      for (const k of group) puts.push(store.put(id(k), answer(`a-${k}`)).then(() => void settled.add(k)));
      await turn();
    }
    // Both groups are being written at once: two of the run's connections wait on the lock (seen
    // from a session outside any transaction, whose view of the server's sessions is never stale).
    const observer = new pg.Client({ connectionString: url });
    await observer.connect();
    const waiting = async (): Promise<number> =>
      Number(
        (await observer.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'llm-fusion' AND wait_event_type = 'Lock'"))
          .rows[0]?.n,
      );
    await until(async () => (await waiting()) === 2, 20_000, 'two commits waiting on the lock');
    expect(store.stats().commits.peakWriting).toBe(2);
    expect(settled.size).toBe(0);
    // Served to this run while unwritten, never asked again.
    expect(await store.claim(keys[7]!, true)).toEqual({ status: 'answered', response: answer(`a-${keys[7]}`) });
    await observer.end();
    await locker.query('COMMIT');
    await locker.end();
    await Promise.all(puts);
    expect(settled.size).toBe(10);
    await withClient(url, async (c) => {
      const rows = (await c.query<{ key: string; text: string }>('SELECT key, text FROM fusion_responses ORDER BY key')).rows;
      expect(rows).toEqual(keys.map((k) => ({ key: k, text: `a-${k}` })));
      expect((await c.query('SELECT key FROM fusion_claims')).rows).toEqual([]);
    });
    expect(store.stats().commits).toMatchObject({ groups: 2, answers: 10 });
    await store.close();
  }, 60_000);

  it('commits, lease renewals and another run\'s claims on overlapping keys in opposite orders: no deadlock', async () => {
    const url = await database();
    // A short lease: this run renews every 50 ms, while its commits run.
    const a = new PostgresStore(url, undefined, { leaseMs: 150 });
    const b = new PostgresStore(url, undefined, { leaseMs: 150 });
    await Promise.all([a.ready(), b.ready()]);
    const rounds = 12;
    const perRound = 240;
    for (let round = 0; round < rounds; round++) {
      const keys = Array.from({ length: perRound }, (_, i) => keyOf(round + 1, i));
      // Claimed a chunk a turn, the chunks in descending key order: the rows lie in neither key order.
      for (let c = perRound - 40; c >= 0; c -= 40) {
        for (const r of await Promise.all(keys.slice(c, c + 40).map((k) => a.claim(k, true)))) expect(r.status).toBe('claimed');
      }
      // Answered in a shuffled order, a group a turn, while the other run asks for the same calls in key order.
      const order = shuffled(perRound, round + 1);
      const answering = (async () => {
        const puts: Promise<void>[] = [];
        for (let i = 0; i < perRound; i += 40) {
          for (const j of order.slice(i, i + 40)) puts.push(a.put(id(keys[j]!), answer(`a-${keys[j]}`)));
          await turn();
        }
        await Promise.all(puts);
      })();
      const asking = (async () => {
        for (let tries = 0; tries < 200; tries++) {
          const results = await Promise.all(keys.map((k) => b.claim(k, true)));
          if (results.every((r) => r.status === 'answered')) return;
          await new Promise((r) => setTimeout(r, 2));
        }
        throw new Error('the other run never saw every answer');
      })();
      await Promise.all([answering, asking]);
    }
    await Promise.all([a.close(), b.close()]);
    await withClient(url, async (c) => {
      const name = new URL(url).pathname.slice(1);
      // A backend reports its counts when it exits: wait for the stores' connections to be gone.
      await until(
        async () => Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name])).rows[0]?.n) === 0,
        10_000,
        'the stores\' connections to close',
      );
      await c.query('SELECT pg_stat_clear_snapshot()');
      const deadlocks = Number((await c.query<{ d: string }>('SELECT deadlocks AS d FROM pg_stat_database WHERE datname = $1', [name])).rows[0]?.d);
      expect(deadlocks).toBe(0);
      expect(Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM fusion_responses')).rows[0]?.n)).toBe(rounds * perRound);
    });
  }, 180_000);
});
