import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCliProcess } from '../support/cli-process.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { type TestPostgres, freshDatabase, postgresUnavailable, startPostgres } from '../support/postgres.js';
import { LABELS, itemsOf, task, waitFor } from './setup.js';

const fixture = fakeServerFixture();
const pgMissing = postgresUnavailable();
let pg: TestPostgres | undefined;
afterAll(() => pg?.stop());

/**
 * PostgreSQL restarted under a running `fusion run`: the lookups and claims cut by the restart fail
 * their calls (nothing was sent for them), the answers received are all written out, the ones the
 * store could not take are counted, and the process ends with its summary and exit status instead
 * of an uncaught store error that dropped the answers in flight.
 */
describe('the PostgreSQL store restarted in the middle of a run', () => {
  it.skipIf(pgMissing !== undefined)(`fusion run goes on, loses no paid answer and says what failed${pgMissing ? ` (skipped: ${pgMissing})` : ''}`, async () => {
    pg ??= await startPostgres();
    const url = await freshDatabase(pg, 'restarted');
    const server = await fixture.start({ labels: LABELS, latencyMs: 20 });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const input = itemsOf(3000).map((i) => JSON.stringify(i)).join('\n') + '\n';
    const run = startCliProcess(['run', '--task', join(t.dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--cache', url, '--concurrency', '16'], server.env(), input);
    await waitFor(() => run.out().split('\n').length > 200, 60_000, 'the first answers');
    await pg.restart(1000);
    const code = await run.exit(120_000);
    const err = run.err();
    expect(err).not.toMatch(/\n\s+at /); // no stack trace: the run ended on its own terms
    expect([4, 5], err).toContain(code);
    const lines = run.out().trim().split('\n').map((l) => JSON.parse(l) as { answers: { output: string | null }[] });
    expect(lines).toHaveLength(3000);
    // Every answer the provider sent is in the output, stored or not.
    const answered = lines.filter((l) => l.answers.some((a) => a.output !== null)).length;
    expect(answered).toBe(server.snapshot().successes);
    expect(err).toMatch(/call\(s\) store, e\.g\. the store postgres:\/\/.* failed/);
  }, 180_000);
});
