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
 * PostgreSQL stopped for a second under a running `fusion run`: statements refused meanwhile are
 * sent again once it is back, a statement the shutdown cut fails its call (lookup, claim) or is
 * counted as an answer not saved (commit), every answer received is written out, and the process
 * ends with its summary and exit status instead of an uncaught store error that dropped the answers
 * in flight; the same command then finishes without paying again for what was stored.
 */
describe('the PostgreSQL store restarted in the middle of a run', () => {
  it.skipIf(pgMissing !== undefined)(`fusion run rides the outage out, loses no paid answer, and a re-run pays only for what the store could not take${pgMissing ? ` (skipped: ${pgMissing})` : ''}`, async () => {
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
    expect([0, 4, 5], err).toContain(code);
    const lines = run.out().trim().split('\n').map((l) => JSON.parse(l) as { answers: { output: string | null }[] });
    expect(lines).toHaveLength(3000);
    // Every answer the provider sent is in the output, stored or not.
    const paid = server.snapshot().successes;
    expect(lines.filter((l) => l.answers.some((a) => a.output !== null)).length).toBe(paid);
    // Only statements in flight when the server shut down can fail: a lookup or claim (its call
    // failed, never sent) or a commit (answers not saved); those refused while it was down waited.
    const unsaved = Number(/(\d+) answer\(s\) received but NOT saved/.exec(err)?.[1] ?? 0);
    const failed = Number(/total: \d+ request\(s\), \d+ cache hit\(s\), (\d+) failed/.exec(err)?.[1]);
    expect(failed, err).toBeLessThanOrEqual(16);
    // The same command finishes the run, paying again at most for the answers the store could not take.
    const again = startCliProcess(['run', '--task', join(t.dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--cache', url, '--concurrency', '16'], server.env(), input);
    expect(await again.exit(120_000), again.err()).toBe(0);
    expect(server.snapshot().successes - paid).toBeLessThanOrEqual(unsaved + failed);
  }, 180_000);
});
