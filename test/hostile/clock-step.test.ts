import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/orchestrate/cache.js';
import { startCliProcess } from '../support/cli-process.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, itemsOf, task, waitFor } from '../integration/setup.js';

const fixture = fakeServerFixture();
const shiftClock = fileURLToPath(new URL('../support/clock-shift.mjs', import.meta.url));

/**
 * The wall clock stepped forward by more than a claim's lease (a manual `date -s`, an NTP step, a
 * VM restored) between one run's last renewal and another's look at its claims: on one machine,
 * the lease of a live run must not read as lapsed, or the second run buys the calls the first is
 * still waiting for.
 */
describe('a wall-clock step does not lapse the claims of a live run on the same machine (SQLite)', () => {
  it('a second run whose clock reads an hour later waits for the first run\'s calls in flight instead of paying for them', async () => {
    const server = await fixture.start({ labels: LABELS, latencyMs: 8000 });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const input = itemsOf(8).map((i) => JSON.stringify(i)).join('\n') + '\n';
    const args = ['run', '--task', join(t.dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--cache', join(t.dir, 'cache.sqlite'), '--concurrency', '8'];
    const env = { ...server.env(), FUSION_CLAIM_LEASE_MS: '600' };
    const first = startCliProcess(args, env, input);
    try {
      await waitFor(() => server.snapshot().requests >= 8, 20_000, 'the first run to have its 8 calls in flight');
      const second = startCliProcess(args, { ...env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${shiftClock}`.trim(), FUSION_TEST_CLOCK_SHIFT_MS: String(3_600_000) }, input);
      expect(await second.exit(30_000), second.err()).toBe(0);
      expect(await first.exit(30_000), first.err()).toBe(0);
      const snap = server.snapshot();
      expect(snap.duplicateSuccesses, second.err()).toBe(0);
      expect(snap.successes).toBe(8);
    } finally {
      first.child.kill('SIGKILL');
    }
  }, 60_000);
});

describe('a claims table written before the monotonic expiry', () => {
  it('gains the column when opened; its rows, without it, are read on the wall clock', async () => {
    const t = fixture.tempDir();
    const path = join(t.dir, 'old.sqlite');
    const fresh = new SqliteStore(path);
    await fresh.ready();
    await fresh.close();
    // The layout of the previous version: claims without expires_mono, and a claim it wrote whose lease runs on the wall clock.
    const db = new Database(path);
    db.exec('ALTER TABLE claims DROP COLUMN expires_mono');
    db.prepare('INSERT INTO claims (key, owner, seq, scope, pid, expires_ms) VALUES (?, ?, ?, ?, ?, ?)').run('held', 'an-older-run', 1, 'elsewhere', 1, Date.now() + 60_000);
    db.prepare('INSERT INTO claims (key, owner, seq, scope, pid, expires_ms) VALUES (?, ?, ?, ?, ?, ?)').run('lapsed', 'an-older-run', 2, 'elsewhere', 1, Date.now() - 1);
    db.close();
    const store = new SqliteStore(path);
    await store.ready();
    expect(await store.claim('held', true)).toMatchObject({ status: 'busy' });
    expect(await store.claim('lapsed', true)).toEqual({ status: 'claimed' });
    expect(await store.claim('new', true)).toEqual({ status: 'claimed' });
    await store.close();
    const after = new Database(path, { readonly: true });
    expect((after.prepare('PRAGMA table_info(claims)').all() as { name: string }[]).map((c) => c.name)).toContain('expires_mono');
    after.close();
  });
});
