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
 * sent again once it is back, and so are the statements the shutdown cut mid-flight (every store
 * statement has the effect of once when sent twice), so the run ends as if nothing happened: no
 * failed call, no answer unsaved, nothing paid twice, and the same command then makes no call.
 */
describe('the PostgreSQL store restarted in the middle of a run', () => {
  it.skipIf(pgMissing !== undefined)(`fusion run rides the outage out: no failed call, no unsaved answer, nothing paid twice${pgMissing ? ` (skipped: ${pgMissing})` : ''}`, async () => {
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
    expect(code, err).toBe(0);
    const lines = run.out().trim().split('\n').map((l) => JSON.parse(l) as { answers: { output: string | null }[] });
    expect(lines).toHaveLength(3000);
    // Every answer the provider sent is in the output, stored or not.
    const paid = server.snapshot().successes;
    expect(lines.filter((l) => l.answers.some((a) => a.output !== null)).length).toBe(paid);
    expect(err).not.toMatch(/NOT saved/);
    expect(/total: \d+ request\(s\), \d+ cache hit\(s\), (\d+) failed/.exec(err)?.[1], err).toBe('0');
    expect(paid).toBe(3000);
    expect(server.snapshot().duplicateSuccesses).toBe(0);
    // The same command finds every answer in the store.
    const again = startCliProcess(['run', '--task', join(t.dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--cache', url, '--concurrency', '16'], server.env(), input);
    expect(await again.exit(120_000), again.err()).toBe(0);
    expect(server.snapshot().successes).toBe(paid);
  }, 180_000);
});
