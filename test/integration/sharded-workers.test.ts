/**
 * Issue 23's "done when", scaled down for CI: three real `fusion run` workers (--shard 0/2,
 * --shard 1/2, and one without a shard) on one store, against the fake provider server; one is
 * killed with SIGKILL half way and started again. Every item is answered, no call is paid twice
 * but the calls the killed worker had in flight (the server counts successes per prompt), and a final `fusion eval D --models` without --shard
 * makes no call and writes responses.jsonl. Once on a throwaway PostgreSQL, once on SQLite.
 * The full-size run (2,000 items x 3 models at 200 ms) is `SHARD_ITEMS=2000 SHARD_LATENCY=200`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { type TestPostgres, freshDatabase, postgresUnavailable, startPostgres } from '../support/postgres.js';
import { startWorker } from '../support/cli-worker.js';
import { LABELS, MODELS, itemsOf, task, waitFor } from './setup.js';
import { inShard } from '../../src/util/item-shard.js';

const fixture = fakeServerFixture();
const ITEMS = Number(process.env.SHARD_ITEMS ?? 200);
const LATENCY = Number(process.env.SHARD_LATENCY ?? 20);
const CONCURRENCY = Number(process.env.SHARD_CONCURRENCY ?? 4);
const pgMissing = postgresUnavailable();
let pgServer: TestPostgres | undefined;
afterAll(() => pgServer?.stop());



const idsOf = (out: string): string[] => out.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id);

async function scenario(cache: string): Promise<void> {
  const server = await fixture.start({ labels: LABELS, latencyMs: LATENCY });
  const t = fixture.tempDir();
  const items = itemsOf(ITEMS);
  writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
  writeFileSync(join(t.dir, 'items.jsonl'), items.map((i) => JSON.stringify({ ...i, label: 'positive' })).join('\n') + '\n');
  const input = items.map((i) => JSON.stringify(i)).join('\n') + '\n';
  // The killed worker ran on this machine: its claims are taken over as soon as its pid is gone (the
  // lease path is tested in store-conformance). The lease must outlast the longest stall of a live
  // worker's event loop, which on a loaded CI machine can pass a second.
  const env = { ...server.env(), FUSION_CLAIM_LEASE_MS: process.env.SHARD_LEASE_MS ?? '10000' };
  const run = (shard?: string) =>
    startWorker(['run', '--task', join(t.dir, 'task.json'), '--models', MODELS.join(','), '--cache', cache, '--concurrency', String(CONCURRENCY), ...(shard ? ['--shard', shard] : [])], env, input);
  const total = ITEMS * MODELS.length;

  const first = run('0/2');
  const second = run('1/2');
  const whole = run();
  // Half way through the run, the first worker is killed with SIGKILL and started again.
  await waitFor(() => server.snapshot().successes >= total / 2 || first.child.exitCode !== null, 600_000, 'half of the calls');
  expect(first.child.exitCode, 'the first worker was still running when killed').toBeNull();
  first.child.kill('SIGKILL');
  const killed = await first.done;
  expect(killed.status).toBeNull();
  const restarted = run('0/2');
  const [a, b, c] = await Promise.all([restarted.done, second.done, whole.done]);
  for (const r of [a, b, c]) expect(r.status, r.stderr).toBe(0);

  const stats = server.snapshot();
  // Paid twice: only calls the killed worker had in flight (answered by the server, never stored:
  // an answer holds its slot until committed), at most its concurrency; nothing else.
  expect(stats.duplicateSuccesses).toBeLessThanOrEqual(CONCURRENCY);
  expect(stats.successes - stats.duplicateSuccesses).toBe(total);
  // Each worker answered its share, in input order; the one without a shard answered every item.
  const shard = (k: number) => items.map((i) => i.id).filter((id) => inShard(id, { index: k, count: 2 }));
  expect(idsOf(a.stdout)).toEqual(shard(0));
  expect(idsOf(b.stdout)).toEqual(shard(1));
  expect(idsOf(c.stdout)).toEqual(items.map((i) => i.id));
  for (const line of c.stdout.trim().split('\n')) expect((JSON.parse(line) as { answers: { label?: string }[] }).answers.filter((x) => x.label).length).toBe(MODELS.length);

  // After the workers: the whole folder from the store, without a call, into responses.jsonl.
  const final = startWorker(['eval', t.dir, '--models', MODELS.join(','), '--cache', cache, '--strategies', 'majority-vote', '--quiet'], env, '');
  const f = await final.done;
  expect(f.status, f.stderr).toBe(0);
  expect(server.snapshot().requests).toBe(stats.requests);
  expect(f.stderr).toMatch(new RegExp(`recorded ${total} answer\\(s\\) \\(${total} from the cache\\)`));
  expect(readFileSync(join(t.dir, 'responses.jsonl'), 'utf8').trim().split('\n')).toHaveLength(total);
}

describe('sharded workers on one store (issue 23)', () => {
  it.skipIf(pgMissing !== undefined)(`PostgreSQL: three workers, one killed with SIGKILL and restarted: all answered, none paid twice, a final run makes no call${pgMissing ? ` (skipped: ${pgMissing})` : ''}`, async () => {
    pgServer ??= await startPostgres();
    await scenario(await freshDatabase(pgServer, `shards_${process.pid}`));
  }, 900_000);

  it('SQLite on one machine: the same', async () => {
    const t = fixture.tempDir();
    await scenario(join(t.dir, 'shared', 'cache.sqlite'));
  }, 900_000);
});
