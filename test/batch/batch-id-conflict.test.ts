import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runBatches } from '../../src/orchestrate/batch/run-batches.js';
import { openStore } from '../../src/orchestrate/cache.js';
import { createRequestBuilder } from '../../src/orchestrate/default-request.js';
import { kindOf } from '../../src/kinds/registry.js';
import { DEFAULT_PRICES } from '../../src/task/prices.js';
import { resolveModels } from '../../src/run/models.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { main } from '../../src/cli/main.js';
import { LABELS, captureStream, itemsOf, task } from '../integration/setup.js';

/**
 * A provider that answers a create with the id of a batch already on record for other calls (an
 * OpenAI-compatible server whose batch ids restart with it: the fake server numbers them from 1).
 * The store refuses to record it (BatchConflictError: collecting it would file its answers under
 * the wrong calls). The run must not die of it: the create's calls stay pending, its intent on
 * record, and every other call of the run (another model's batch) is asked and collected; the runs
 * after it, which find the same batch by the intent's token, do the same instead of failing
 * before asking anything.
 */
const fixture = fakeServerFixture();
const A = 'openai:gpt-4o-mini';
const B = 'openai:gpt-4.1-nano';
const N = 3;

describe('runBatches: a created batch whose id is on record for other calls', () => {
  it('leaves that create\'s calls pending (intent kept) and collects the rest, in that run and the next', async () => {
    const path = join(fixture.tempDir().dir, 'cache.sqlite');
    const build = createRequestBuilder(task, kindOf(task).prompt);
    const items = itemsOf(2 * N);
    const run = async (serverModels: readonly string[], first: number, server: Awaited<ReturnType<typeof fixture.start>>) => {
      const handles = resolveModels([...serverModels], server.env());
      const calls = handles.flatMap((handle) => items.slice(first, first + N).map((item) => ({ handle, request: build(task, item, handle.model) })));
      const cache = openStore(path);
      const notes: string[] = [];
      try {
        const report = await runBatches({ calls, cache, store: cache.batches, prices: DEFAULT_PRICES, poll: { initialMs: 1, maxMs: 1, factor: 1 }, onNote: (t) => notes.push(t) });
        return { report, notes: notes.join('\n'), intents: await cache.batches.intents(), jobs: await cache.batches.list() };
      } finally {
        await cache.close();
      }
    };
    // The first server: A's batch of the first items is batch_1, recorded and collected.
    const before = await run([A], 0, await fixture.start({ labels: LABELS, batches: { pollsToFinish: 1 } }));
    expect(before.report.succeeded).toBe(N);
    expect(before.jobs.map((j) => j.batchId)).toEqual(['batch_1']);
    // The server restarted: A's batch of other items is batch_1 again; B's is batch_2.
    const server = await fixture.start({ labels: LABELS, batches: { pollsToFinish: 1 } });
    const clash = await run([A, B], N, server);
    expect(clash.notes).toMatch(/openai:gpt-4o-mini: .*batch_1 is recorded for 3 call\(s\) of openai:gpt-4o-mini.*; its 3 call\(s\) stay pending/);
    expect(clash.report.settled.size).toBe(N);
    expect(clash.report.succeeded).toBe(N);
    expect(clash.intents.map((i) => i.model)).toEqual([A]);
    expect(server.snapshot().batchesCreated).toBe(2);
    // The next run finds the same batch by the intent's token: the same refusal, noted; nothing created, nothing asked live.
    const next = await run([A, B], N, server);
    expect(next.notes).toMatch(/openai:gpt-4o-mini: .*batch_1 is recorded for 3 call\(s\) of openai:gpt-4o-mini.*; its 3 call\(s\) stay pending/);
    expect(next.report.settled.size).toBe(N);
    expect(next.report.batchesSubmitted).toBe(0);
    expect(next.intents.map((i) => i.model)).toEqual([A]);
    expect(server.snapshot().batchesCreated).toBe(2);
    expect(server.snapshot().requests).toBe(0);
    // Neither way of settling a create takes it, and neither says the next run collects it.
    const batches = async (...args: string[]) => {
      const stdin = new PassThrough();
      stdin.end('');
      const io = { stdin, stdout: captureStream(), stderr: captureStream(), env: server.env() };
      const code = await main(['batches', ...args, '--cache', path], io);
      return { code, err: io.stderr.text() };
    };
    const token = next.intents[0]!.token;
    const abandon = await batches('abandon', token);
    expect(abandon.code).toBe(1);
    expect(abandon.err).toMatch(/not abandoned: the provider's batch batch_1 is this create's \(.*\), but an id of that name is on record in this cache for other calls/);
    expect(abandon.err).not.toMatch(/the next --batch run collects it/);
    const adopt = await batches('adopt', token, 'batch_1');
    expect(adopt.code).toBe(1);
    expect(adopt.err).toMatch(/not adopted: batch batch_1 is recorded for 3 call\(s\) of openai:gpt-4o-mini .* refused, the store keeps what it had; nothing adopted/);
    expect(adopt.err).not.toMatch(/could not be looked up/);
    expect((await run([A, B], N, server)).intents.map((i) => i.token)).toEqual([token]);
  });
});
