import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startCliProcess } from '../support/cli-process.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { type TestPostgres, freshDatabase, postgresUnavailable, startPostgres } from '../support/postgres.js';
import { LABELS, itemsOf, task } from './setup.js';

const fixture = fakeServerFixture();
const pgMissing = postgresUnavailable();
let server: TestPostgres | undefined;
afterAll(() => server?.stop());

/**
 * Someone else holds a lock on the store's tables (a `LOCK TABLE`, a migration, a forgotten open
 * transaction in psql). A statement of the run waits for it at most one claim lease (at least
 * 10 s, so that ordinary waits for another run's row locks never fail), as an outage is ridden
 * out, then the run stops with the store's failure (exit 5) and says why; it used to wait for
 * ever. Once the lock is gone, the same command finishes.
 */
describe('a PostgreSQL store whose tables another session keeps locked', () => {
  it.skipIf(pgMissing !== undefined)(`fusion run waits one lease, then fails clearly; the same command finishes once the lock is gone${pgMissing ? ` (skipped: ${pgMissing})` : ''}`, async () => {
    server ??= await startPostgres();
    const url = await freshDatabase(server, 'table_lock');
    const llm = await fixture.start({ labels: LABELS, latencyMs: 5 });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const args = ['run', '--task', join(t.dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--cache', url];
    const env = { ...llm.env(), FUSION_CLAIM_LEASE_MS: '1500' };
    // A first run creates the schema.
    const first = startCliProcess(args, env, itemsOf(2).map((i) => JSON.stringify(i)).join('\n') + '\n');
    expect(await first.exit(60_000), first.err()).toBe(0);

    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const input = itemsOf(10).map((i) => JSON.stringify(i)).join('\n') + '\n';
    try {
      await admin.query('BEGIN');
      await admin.query('LOCK TABLE fusion_responses, fusion_claims IN ACCESS EXCLUSIVE MODE');
      const locked = startCliProcess(args, env, input);
      const code = await locked.exit(30_000);
      expect(code, `${locked.err()}`).toBe(5);
      expect(locked.err()).toMatch(/lock timeout/);
      expect(locked.err()).not.toMatch(/\n\s+at /);
    } finally {
      await admin.query('ROLLBACK');
      await admin.end();
    }
    const again = startCliProcess(args, env, input);
    expect(await again.exit(60_000), again.err()).toBe(0);
    expect(again.out().trim().split('\n')).toHaveLength(10);
  }, 180_000);
});
