import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * Several processes writing batch records to one SQLite file at once (two batch runs sharing a
 * cache): every write transaction must wait for the lock instead of failing. A deferred transaction
 * that read before writing got SQLITE_BUSY at once when another process committed in between,
 * which killed one of the runs.
 */
const child = fileURLToPath(new URL('../support/batch-records-child.ts', import.meta.url));

function run(location: string, name: string, rounds: number): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, location, name, String(rounds)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('exit', (code) => resolve({ code, out, err }));
  });
}

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('SQLite store shared by several processes', () => {
  it('three processes recording and resolving batches on one file all finish, none with SQLITE_BUSY', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fusion-shared-writes-'));
    const location = join(dir, 'cache.sqlite');
    const results = await Promise.all(['a', 'b', 'c'].map((name) => run(location, name, 150)));
    for (const r of results) {
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toBe('ok\n');
    }
  }, 120_000);
});
