import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LABELS, MODELS, itemsOf, task, writeFolder } from '../integration/setup.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { type TestPostgres, postgresUnavailable, startPostgres } from '../support/postgres.js';
import { runCli } from '../support/run-cli.js';

const fixture = fakeServerFixture();
const pgMissing = postgresUnavailable();
let pg: TestPostgres | undefined;
afterAll(() => pg?.stop());

/**
 * A --cache store that cannot be used, as a user meets it: a server that refuses the connection, a
 * database or a role that does not exist. Each stops fusion run, fusion eval --models and fusion
 * batches before any call, with a message naming the store (its password masked), exit 5 as their
 * help says.
 */
describe('a PostgreSQL store that cannot be opened', () => {
  it.skipIf(pgMissing !== undefined)(`run, eval --models and batches: exit 5 before any call, the store named, its password never printed${pgMissing ? ` (skipped: ${pgMissing})` : ''}`, async () => {
    pg ??= await startPostgres();
    const server = await fixture.start({ labels: LABELS });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const folder = join(t.dir, 'set');
    mkdirSync(folder);
    writeFolder(folder, 4);
    const input = itemsOf(4).map((i) => JSON.stringify(i)).join('\n') + '\n';
    const port = new URL(pg.url).port;
    const stores: [string, RegExp][] = [
      ['postgres://fusion:hunter2@127.0.0.1:1/runs', /ECONNREFUSED/],
      [`postgres://fusion:hunter2@127.0.0.1:${port}/no_such_db`, /database "no_such_db" does not exist/],
      [`postgres://nobody_here:hunter2@127.0.0.1:${port}/postgres`, /role "nobody_here" does not exist/],
    ];
    for (const [url, why] of stores) {
      const runs = [
        await runCli(['run', '--task', join(t.dir, 'task.json'), '--models', MODELS[0] as string, '--cache', url], { input, env: server.env() }),
        await runCli(['eval', folder, '--models', MODELS[0] as string, '--folds', '2'], { env: { ...server.env(), FUSION_CACHE_URL: url } }),
        await runCli(['batches', '--cache', url], { env: server.env() }),
      ];
      for (const r of runs) {
        expect(r.status, r.stderr).toBe(5);
        expect(r.stderr).toMatch(why);
        expect(r.stderr).toContain(url.replace(':hunter2@', ':***@'));
        expect(r.stderr).not.toContain('hunter2');
        expect(r.stdout).toBe('');
      }
    }
    expect(server.snapshot().requests).toBe(0);
    expect(readdirSync(folder).sort()).toEqual(['items.jsonl', 'task.json']);
  }, 120_000);
});
