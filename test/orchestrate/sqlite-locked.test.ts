import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/orchestrate/store/sqlite-store.js';
import { repoRoot } from '../support/run-cli.js';

/**
 * Another process holding the cache file's write lock for longer than the busy timeout (a VACUUM
 * of a large cache, a `sqlite3` shell left inside a transaction): the answers this run was paid for
 * meanwhile must still be stored once the lock is let go, not dropped as unsaved (which a re-run
 * pays for again). The lock is held by a real second process, since SQLite's busy wait blocks the
 * thread that waits.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A process that takes the write lock of `path`, says so, and lets it go after `holdMs`. */
function holdWriteLock(path: string, holdMs: number): Promise<{ released: Promise<void> }> {
  const code = `
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(path)});
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('ROLLBACK'); db.close(); }, ${holdMs});
  `;
  const child = spawn(process.execPath, ['-e', code], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const released = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      if (c.toString().includes('locked')) resolve({ released });
    });
    child.on('error', reject);
  });
}

describe('SQLite cache locked by another process for longer than the busy timeout', () => {
  it('an answer committed while the lock is held is stored once it is let go, not dropped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fusion-locked-'));
    dirs.push(dir);
    const path = join(dir, 'cache.sqlite');
    const store = new SqliteStore(path, { read: true, write: true }, { leaseMs: 60_000 });
    try {
      // Longer than the connection's busy timeout (15 s), shorter than the lease.
      const { released } = await holdWriteLock(path, 17_000);
      const put = store.put({ key: 'k1', provider: 'openai', model: 'gpt-4o-mini' }, { text: 'positive', latencyMs: 1, cost: 0.01 });
      await expect(put).resolves.toBeUndefined();
      await released;
      await store.close();
      const again = new SqliteStore(path, { read: true, write: false });
      expect((await again.get('k1'))?.text).toBe('positive');
      await again.close();
    } finally {
      await store.close().catch(() => undefined);
    }
  }, 60_000);
});
