import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/orchestrate/cache.js';
import type { CommitGroup } from '../../src/orchestrate/store/commit-queue.js';
import { StoreError } from '../../src/orchestrate/store/errors.js';
import { WalCheckpointer } from '../../src/orchestrate/store/wal-checkpointer.js';
import type { WriteGate } from '../../src/orchestrate/store/write-gate.js';

/**
 * The paths where the store's writes, held for the checkpoint worker's last checkpoint, are given
 * back without the worker saying it is done: its round runs out, it dies, the store closes. Every
 * store here is a real SQLite file with a real worker thread; only the worker's answer to `finish`
 * is withheld, as a worker stuck in its checkpoint (a dead disk) would withhold it.
 */

let dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

interface Internals {
  gate: WriteGate;
  checkpointer: WalCheckpointer;
  commit(group: CommitGroup): void;
  claimMany(asked: readonly unknown[]): unknown[];
}

interface Rig {
  path: string;
  store: SqliteStore;
  gate: WriteGate;
  worker: Worker;
  /** How many times the store wrote a group commit and a claim transaction. */
  runs: { commits: number; claims: number };
  /** The worker's `long`: the checkpointer holds the store's writes and asks the worker to finish. */
  long(): void;
}

/** A store on a fresh file whose checkpoint worker has a round of `intervalMs` and never answers `finish`. */
function rig(intervalMs: number): Rig {
  const dir = mkdtempSync(join(tmpdir(), 'gate-release-'));
  dirs.push(dir);
  const path = join(dir, 'cache.sqlite');
  const store = new SqliteStore(path);
  stores.push(store);
  const inside = store as unknown as Internals;
  const checkpointer = new WalCheckpointer(path, inside.gate, intervalMs);
  (inside as { checkpointer: WalCheckpointer }).checkpointer = checkpointer;
  checkpointer.start();
  const worker = (checkpointer as unknown as { worker: Worker }).worker;
  const post = worker.postMessage.bind(worker);
  worker.postMessage = (message: unknown) => (message === 'finish' ? undefined : post(message));
  const runs = { commits: 0, claims: 0 };
  const commit = inside.commit.bind(store);
  inside.commit = (group) => {
    runs.commits++;
    commit(group);
  };
  const claimMany = inside.claimMany.bind(store);
  inside.claimMany = (asked) => {
    runs.claims++;
    return claimMany(asked);
  };
  return { path, store, gate: inside.gate, worker, runs, long: () => worker.emit('message', 'long') };
}

/** rig(intervalMs) with `keys` claimed first, as a run claims a call before asking it. */
async function claimedRig(intervalMs: number, ...keys: string[]): Promise<Rig> {
  const r = rig(intervalMs);
  for (const key of keys) expect((await r.store.claim(key, true)).status).toBe('claimed');
  return r;
}

function storedTexts(path: string): string[] {
  const reader = new Database(path, { readonly: true });
  const rows = reader.prepare('SELECT key, text FROM responses ORDER BY key').all() as { key: string; text: string }[];
  reader.close();
  return rows.map((r) => `${r.key}=${r.text}`);
}

const id = (key: string) => ({ key, provider: 'p', model: 'm' });
const answer = (text: string) => ({ text, latencyMs: 1 });
const turn = () => new Promise((r) => setTimeout(r, 20));

describe('the store writes held for a checkpoint are given back on every path (real SQLite file, real worker)', () => {
  it('a worker that does not finish within its round gives the writes back: each runs once, then the gate holds again on the next `long`', async () => {
    const { path, store, gate, runs, long } = await claimedRig(300, 'a');
    const before = { ...runs };
    long();
    expect(gate.held).toBe(true);
    const started = Date.now();
    const claimed = store.claim('b', true);
    const stored = store.put(id('a'), answer('held'));
    await turn();
    expect(runs).toEqual(before);
    expect(storedTexts(path)).toEqual([]);
    expect((await claimed).status).toBe('claimed');
    await stored;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(gate.held).toBe(false);
    expect(runs).toEqual({ commits: before.commits + 1, claims: before.claims + 1 });
    expect(storedTexts(path)).toEqual(['a=held']);
    // The round that ran out leaves the checkpointer ready to hold again.
    long();
    expect(gate.held).toBe(true);
    const again = store.put(id('b'), answer('second'));
    await again;
    expect(runs.commits).toBe(before.commits + 2);
    expect(storedTexts(path)).toEqual(['a=held', 'b=second']);
  });

  it('a worker that dies while the writes are held gives them back at once, not after its round', async () => {
    const { path, store, gate, worker, runs, long } = await claimedRig(120_000, 'a');
    const before = { ...runs };
    long();
    const claimed = store.claim('b', true);
    const stored = store.put(id('a'), answer('held'));
    await turn();
    expect(runs).toEqual(before);
    await worker.terminate();
    expect((await claimed).status).toBe('claimed');
    await stored;
    expect(gate.held).toBe(false);
    expect(runs).toEqual({ commits: before.commits + 1, claims: before.claims + 1 });
    expect(storedTexts(path)).toEqual(['a=held']);
    await store.close();
    expect(storedTexts(path)).toEqual(['a=held']);
  }, 10_000);

  it('a worker that stops on its own (its connection closed) while the writes are held gives them back', async () => {
    const { path, store, worker, runs, long } = await claimedRig(120_000, 'a');
    long();
    const stored = store.put(id('a'), answer('held'));
    const exited = new Promise((r) => worker.once('exit', r));
    // Any message but `finish` makes the worker close its connection and end.
    worker.postMessage('stop');
    await exited;
    await stored;
    expect(runs.commits).toBe(1);
    expect(storedTexts(path)).toEqual(['a=held']);
  }, 10_000);

  it('close() while held neither hangs nor drops a write: each held write runs once, then the file is closed', async () => {
    const { path, store, runs, long } = await claimedRig(120_000, 'a', 'c');
    const before = { ...runs };
    long();
    const claimed = store.claim('b', true);
    const stored = store.put(id('a'), answer('held'));
    store.recordFailure(id('c'), { kind: 'server', message: 'boom', attempts: 1 });
    await turn();
    expect(runs).toEqual(before);
    await store.close();
    expect((await claimed).status).toBe('claimed');
    await stored;
    expect(runs).toEqual({ commits: before.commits + 1, claims: before.claims + 1 });
    expect(storedTexts(path)).toEqual(['a=held']);
    const reader = new Database(path, { readonly: true });
    expect((reader.prepare('SELECT key FROM failures').all() as { key: string }[]).map((r) => r.key)).toEqual(['c']);
    expect((reader.prepare('SELECT COUNT(*) AS n FROM claims').get() as { n: number }).n).toBe(0);
    reader.close();
  }, 10_000);

  it('a `long` that arrives while the store is closing does not hold its last writes', async () => {
    const { path, store, runs, long } = await claimedRig(120_000, 'a');
    const stored = store.put(id('a'), answer('last'));
    const closing = store.close();
    long();
    await closing;
    await stored;
    expect(runs.commits).toBe(1);
    expect(storedTexts(path)).toEqual(['a=last']);
  }, 10_000);

  it('a held write that fails once given back is reported to its caller and by the next flush, and the writes after it go on', async () => {
    const { path, store, gate, long } = await claimedRig(300, 'a', 'b');
    long();
    // A NOT NULL column left empty: SQLite refuses the transaction.
    const bad = store.put(id('a'), { text: null as unknown as string, latencyMs: 1 });
    const settled = bad.then(
      () => 'stored',
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    expect(await settled).toMatch(/NOT NULL/);
    expect(gate.held).toBe(false);
    await expect(store.flush()).rejects.toThrow(/NOT NULL/);
    await store.put(id('b'), answer('after'));
    await store.flush();
    expect(storedTexts(path)).toEqual(['b=after']);
  }, 10_000);

  it('a claim asked just before close() is written and deleted with the run\'s claims; one asked once close() began is refused with a StoreError', async () => {
    const { path, store, long } = rig(120_000);
    long();
    // Asked in the same turn as close(): its claim transaction has not been written yet.
    const before = store.claim('early', true);
    const closing = store.close();
    const after = store.claim('late', true).catch((e: unknown) => e);
    await closing;
    expect((await before).status).toBe('claimed');
    expect(await after).toBeInstanceOf(StoreError);
    const reader = new Database(path, { readonly: true });
    expect((reader.prepare('SELECT key FROM claims').all() as { key: string }[]).map((r) => r.key)).toEqual([]);
    reader.close();
    // A second close() is the same close.
    await store.close();
  }, 10_000);
});
