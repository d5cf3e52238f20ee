import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/orchestrate/cache.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function fresh(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wal-checkpointer-'));
  dirs.push(dir);
  return join(dir, 'cache.sqlite');
}

const answer = (text: string) => ({ text, latencyMs: 1 });

/** How many times the WAL has started over: the checkpoint sequence number of its header (bytes 12-15, big-endian). */
function walRestarts(path: string): number {
  const fd = openSync(`${path}-wal`, 'r');
  const header = Buffer.alloc(16);
  readSync(fd, header, 0, 16, 0);
  closeSync(fd);
  return header.readUInt32BE(12);
}

/** `n` calls claimed and answered, each in its own event-loop turn: one claim transaction and one commit apiece. */
async function answerCalls(store: SqliteStore, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    expect((await store.claim(`k${i}`, true)).status).toBe('claimed');
    await store.put({ key: `k${i}`, provider: 'p', model: 'm' }, answer(`text ${i} ${'x'.repeat(200)}`));
  }
}

describe('SQLite checkpoints run off the event loop (issue 23: the store tail)', () => {
  it("the store's own connection never checkpoints; a worker copies the WAL into the database file while the run goes on", async () => {
    const path = fresh();
    const store = new SqliteStore(path);
    const own = (store as unknown as { db: Database.Database }).db;
    expect(own.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = statSync(path).size;
    await answerCalls(store, 150);
    // Far fewer WAL frames than SQLite's own checkpoint threshold: only the worker copies them now.
    const deadline = Date.now() + 10_000;
    while (statSync(path).size <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(statSync(path).size).toBeGreaterThan(before);
    await store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reader = new Database(path, { readonly: true });
    expect((reader.prepare('SELECT COUNT(*) AS n FROM responses').get() as { n: number }).n).toBe(150);
    reader.close();
  });

  it("a WAL past SQLite's checkpoint threshold starts over without a checkpoint on the store's connection: its writes wait for the worker's instead", async () => {
    const path = fresh();
    const store = new SqliteStore(path);
    const own = (store as unknown as { db: Database.Database }).db;
    // Every checkpoint asked on the store's own connection, while the run goes on (not at close).
    const onOwn: string[] = [];
    const pragma = own.pragma.bind(own);
    own.pragma = ((source: string, options?: Database.PragmaOptions) => {
      if (source.includes('checkpoint')) onOwn.push(source);
      return pragma(source, options);
    }) as Database.Database['pragma'];
    // About 4 KB per answer: well past the worker's restart threshold (1,000 WAL pages) twice over,
    // with time for the worker's rounds (one a second) in between.
    const text = 'y'.repeat(4000);
    const calls = 2600;
    for (let i = 0; i < calls; i++) {
      expect((await store.claim(`k${i}`, true)).status).toBe('claimed');
      await store.put({ key: `k${i}`, provider: 'p', model: 'm' }, answer(`${i} ${text}`));
      if (i % 200 === 199) await new Promise((r) => setTimeout(r, 250));
    }
    expect(onOwn).toEqual([]);
    expect(walRestarts(path)).toBeGreaterThan(0);
    await store.close();
    const reader = new Database(path, { readonly: true });
    expect((reader.prepare('SELECT COUNT(*) AS n FROM responses').get() as { n: number }).n).toBe(calls);
    reader.close();
  }, 60_000);

  it('a store closed while its writes are held for the worker stores them', async () => {
    const path = fresh();
    const store = new SqliteStore(path);
    expect((await store.claim('k', true)).status).toBe('claimed');
    (store as unknown as { gate: { hold(): void } }).gate.hold();
    const stored = store.put({ key: 'k', provider: 'p', model: 'm' }, answer('held'));
    await store.close();
    await stored;
    const reader = new Database(path, { readonly: true });
    expect((reader.prepare('SELECT text FROM responses').all() as { text: string }[]).map((r) => r.text)).toEqual(['held']);
    reader.close();
  });

  it('a short run starts no worker and leaves no WAL behind when it closes', async () => {
    const path = fresh();
    const store = new SqliteStore(path);
    await answerCalls(store, 5);
    expect((store as unknown as { checkpointer: { running: boolean } }).checkpointer.running).toBe(false);
    await store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('a read-only store leaves the checkpoint setting alone', () => {
    const path = fresh();
    new SqliteStore(path).close();
    const reader = new SqliteStore(path, { read: true, write: false });
    expect((reader as unknown as { db: Database.Database }).db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    void reader.close();
  });
});
