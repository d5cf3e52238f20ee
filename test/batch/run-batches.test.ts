import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { BatchStore } from '../../src/orchestrate/batch/batch-store.js';
import { type BatchCall, runBatches } from '../../src/orchestrate/batch/run-batches.js';
import { shardLines } from '../../src/orchestrate/batch/shard.js';
import { type ResponseCache, SqliteStore } from '../../src/orchestrate/cache.js';
import { createRequestBuilder } from '../../src/orchestrate/default-request.js';
import type { ModelHandle } from '../../src/orchestrate/orchestrator.js';
import { DEFAULT_PRICES, batchPriceOf, priceOf } from '../../src/task/prices.js';
import { resolveModels } from '../../src/run/models.js';
import type { FakeLlmServer } from '../support/fake-llm-server.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, captureStream, itemsOf, task } from '../integration/setup.js';
import { kindOf } from '../../src/kinds/registry.js';

const fixture = fakeServerFixture();
const FAST = { initialMs: 1, maxMs: 1, factor: 1 };

function setup(server: FakeLlmServer, specs: string[], n: number): { dir: string; handles: ModelHandle[]; calls: BatchCall[]; cache: ResponseCache; store: BatchStore; close(): Promise<void> } {
  const { dir } = fixture.tempDir();
  const handles = resolveModels(specs, server.env());
  const build = createRequestBuilder(task, kindOf(task).prompt);
  const calls = itemsOf(n).flatMap((item) => handles.map((handle) => ({ handle, request: build(task, item, handle.model) })));
  const path = join(dir, 'cache.sqlite');
  const cache = new SqliteStore(path);
  const store = cache.batches;
  return { dir, handles, calls, cache, store, close: () => cache.close() };
}

describe('shardLines', () => {
  it('respects the request and byte limits, keeps order, and gives an oversized line a shard of its own', () => {
    const lines = ['aaaa', 'bb', 'cccccccccc', 'd', 'e', 'f'].map((line) => ({ line }));
    const shards = shardLines(lines, { maxRequests: 2, maxBytes: 8 });
    expect(shards.map((s) => s.map((e) => e.line))).toEqual([['aaaa', 'bb'], ['cccccccccc'], ['d', 'e'], ['f']]);
    for (const s of shards) if (s.length > 1) expect(s.reduce((n, e) => n + e.line.length + 1, 0)).toBeLessThanOrEqual(8);
  });
});

describe('customIdOf', () => {
  it('is the key the orchestrator looks a live call up by, for the adapter and for the live-pass wrapper', async () => {
    const { customIdOf } = await import('../../src/orchestrate/batch/custom-id.js');
    const { withSettledFailures } = await import('../../src/orchestrate/batch/settled-failures.js');
    const { Orchestrator } = await import('../../src/orchestrate/orchestrator.js');
    const env = { OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };
    const handles = resolveModels(['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest'], env);
    const request = createRequestBuilder(task, kindOf(task).prompt)(task, itemsOf(1)[0]!, handles[0]!.model);
    const orchestrator = new Orchestrator();
    const wrapped = withSettledFailures(handles, new Map([['x', new (await import('../../src/providers/provider.js')).ProviderError('server', 'x')]]));
    for (const [i, h] of handles.entries()) {
      expect(customIdOf(h.model, request)).toBe(orchestrator.keyOf(h, request));
      expect(orchestrator.keyOf(wrapped[i]!, request)).toBe(orchestrator.keyOf(h, request));
      expect(customIdOf(h.model, request)).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    }
  });
});

describe('BatchStore', () => {
  it('creating the cache file first, keeps it private as the cache does (folder 0700, file 0600)', async () => {
    const path = join(fixture.tempDir().dir, 'fresh', 'cache.sqlite');
    await new SqliteStore(path).close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
  });
});

describe('batch prices', () => {
  it('are half the list price unless the table names them', () => {
    const live = priceOf(DEFAULT_PRICES, 'openai', 'gpt-4o-mini');
    expect(batchPriceOf(DEFAULT_PRICES, 'openai', 'gpt-4o-mini')).toEqual({ input: (live?.input ?? 0) / 2, output: (live?.output ?? 0) / 2 });
    const table = { 'openai:x': { input: 1, output: 2, batch: { input: 0.3, output: 0.7 } } };
    expect(batchPriceOf(table, 'openai', 'x-2024-07-18')).toEqual({ input: 0.3, output: 0.7 });
  });
});

describe('runBatches', () => {
  it('shards within the provider limits, one model per batch', async () => {
    const server = await fixture.start({ labels: LABELS, batches: { pollsToFinish: 1 } });
    const s = setup(server, ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest'], 12);
    for (const h of s.handles) Object.defineProperty(h.model.batch, 'limits', { value: { maxRequests: 5, maxBytes: 1e9 } });
    const report = await runBatches({ calls: s.calls, cache: s.cache, store: s.store, prices: DEFAULT_PRICES, poll: FAST });
    expect(report.batchesSubmitted).toBe(6); // 12 requests per model in 5 + 5 + 2
    expect(report.succeeded).toBe(24);
    expect(server.snapshot().batchesCreated).toBe(6);
    expect((await s.store.list()).map((j) => j.requests)).toEqual([5, 5, 2, 5, 5, 2]);
    await s.close();
  });

  it('runs a batch engine written before BatchApi.now() (a library model of its own): its intents are stamped by the local clock', async () => {
    const server = await fixture.start({ labels: LABELS, batches: { pollsToFinish: 1 } });
    const s = setup(server, ['openai:gpt-4o-mini'], 3);
    // The real engine with every member but now(), as a library user's BatchApi of the previous release.
    const bound = <T extends object>(target: T, hide: PropertyKey, swap?: [PropertyKey, unknown]): T =>
      new Proxy(target, {
        get(t, p) {
          if (p === hide) return undefined;
          if (swap && p === swap[0]) return swap[1];
          const v: unknown = Reflect.get(t, p, t);
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
        },
      });
    const calls = s.calls.map((c) => ({ ...c, handle: { ...c.handle, model: bound(c.handle.model, Symbol('none'), ['batch', bound(c.handle.model.batch!, 'now')]) } }));
    const report = await runBatches({ calls, cache: s.cache, store: s.store, prices: DEFAULT_PRICES, poll: FAST });
    expect(report.succeeded).toBe(3);
    expect(server.snapshot().batchesCreated).toBe(1);
    await s.close();
  });

  it('reports a batch that failed validation with the provider message, and never asks its calls again', async () => {
    const server = await fixture.start({ labels: LABELS, batches: { pollsToFinish: 2, rejectModels: ['gpt-nope', 'claude-nope'] } });
    const s = setup(server, ['openai:gpt-nope', 'anthropic:claude-nope'], 3);
    const report = await runBatches({ calls: s.calls, cache: s.cache, store: s.store, prices: DEFAULT_PRICES, poll: FAST });
    expect(report.rejected.map((r) => r.message).join('\n')).toMatch(/The model 'gpt-nope' does not exist/);
    expect(report.rejected.map((r) => r.message).join('\n')).toMatch(/model 'claude-nope' not found/);
    expect(report.settled.size).toBe(6);
    expect(await s.cache.failures()).toHaveLength(6);
    await s.close();

    // Through the CLI: the failures are reported as failed answers, and no live call is made for them.
    const dir = fixture.tempDir().dir;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
    writeFileSync(join(dir, 'items.jsonl'), itemsOf(3).map((i) => JSON.stringify({ ...i, label: 'positive' })).join('\n') + '\n');
    const io = { stdin: new PassThrough(), stdout: captureStream(), stderr: captureStream(), env: server.env() };
    await main(['eval', dir, '--models', 'openai:gpt-nope,ollama:llama3.1', '--batch', '--batch-poll', '0.001', '--cache', join(dir, 'c.sqlite'), '--folds', '2', '--quiet'], io);
    expect(io.stderr.text()).toMatch(/batch refused by the provider \(batch_\d+\): line 1: The model 'gpt-nope' does not exist/);
    expect(io.stderr.text()).toMatch(/failed: openai:gpt-nope on item-0: .*failed validation/);
    expect(server.snapshot().requests).toBe(3); // ollama only
  });

  it('submits again a batch refused for the enqueued-token limit of the moment (--batch-retry batch)', async () => {
    const server = await fixture.start({ labels: LABELS, batches: { pollsToFinish: 1, tokenLimitBatches: 1 } });
    const s = setup(server, ['openai:gpt-4o-mini'], 4);
    const report = await runBatches({ calls: s.calls, cache: s.cache, store: s.store, prices: DEFAULT_PRICES, poll: FAST, retry: 'batch' });
    expect(report.rejected[0]?.message).toMatch(/Enqueued token limit reached/);
    expect(report.batchesSubmitted).toBe(2);
    expect(report.succeeded).toBe(4);
    expect(report.settled.size).toBe(0);
    expect(server.snapshot().successes).toBe(4);
    await s.close();
  });

  it('a batch refused for the enqueued-token limit cost nothing: its reservation is freed, so its retry fits a budget of one batch', async () => {
    const server = await fixture.start({ labels: LABELS, batches: { pollsToFinish: 1, tokenLimitBatches: 1 } });
    const s = setup(server, ['openai:gpt-4o-mini'], 4);
    // Both batches' worst case (the refused one and its retry): the same requests, so the same sum.
    const price = batchPriceOf(DEFAULT_PRICES, 'openai', 'gpt-4o-mini')!;
    const { usageBoundsOf } = await import('../../src/orchestrate/token-bound.js');
    const worst = s.calls.reduce((sum, c) => sum + (usageBoundsOf(c.request).input * price.input + (c.request.maxTokens ?? 0) * price.output) / 1e6, 0);
    const report = await runBatches({ calls: s.calls, cache: s.cache, store: s.store, prices: DEFAULT_PRICES, poll: FAST, retry: 'batch', maxCostUsd: worst * 1.5 });
    expect(report.rejected[0]?.message).toMatch(/Enqueued token limit reached/);
    expect(report.stopReason).toBeUndefined();
    expect(report.succeeded).toBe(4);
    expect(report.openReservedUsd).toBe(0);
    await s.close();
  });

  it('cuts an answer past the answer limit, as a live call would', async () => {
    const server = await fixture.start({ labels: LABELS, batches: { pollsToFinish: 1 } });
    const s = setup(server, ['anthropic:claude-3-5-haiku-latest'], 3);
    await runBatches({ calls: s.calls, cache: s.cache, store: s.store, prices: DEFAULT_PRICES, poll: FAST, maxAnswerChars: 3 });
    const { customIdOf } = await import('../../src/orchestrate/batch/custom-id.js');
    for (const { handle, request } of s.calls) {
      const hit = await s.cache.get(customIdOf(handle.model, request));
      expect(hit?.text).toHaveLength(3);
      expect(hit?.finishReason).toBe('cut');
    }
    await s.close();
  });

  it('falls back to live calls with a note on a compatible server without /v1/batches', async () => {
    const server = await fixture.start({ labels: LABELS, batches: false });
    const s = setup(server, ['openai:gpt-4o-mini'], 2);
    const notes: string[] = [];
    const report = await runBatches({ calls: s.calls, cache: s.cache, store: s.store, prices: DEFAULT_PRICES, poll: FAST, onNote: (t) => notes.push(t) });
    expect(report.liveModels).toEqual([{ model: 'openai:gpt-4o-mini', reason: 'the server has no /v1/batches endpoint' }]);
    expect(notes.join('\n')).toMatch(/gpt-4o-mini: the server has no \/v1\/batches endpoint; asked with live calls/);
    expect(report.batchesSubmitted).toBe(0);
    await s.close();
  });

  it('reserves a whole batch against --max-cost before submitting it', async () => {
    const server = await fixture.start({ labels: LABELS, batches: { pollsToFinish: 1 } });
    const s = setup(server, ['openai:gpt-4o-mini'], 10);
    const report = await runBatches({ calls: s.calls, cache: s.cache, store: s.store, prices: DEFAULT_PRICES, maxCostUsd: 1e-6, poll: FAST });
    expect(report.stopReason).toBe('budget');
    expect(report.batchesSubmitted).toBe(0);
    expect(server.snapshot().batchesCreated).toBe(0);
    const enough = await runBatches({ calls: s.calls, cache: s.cache, store: s.store, prices: DEFAULT_PRICES, maxCostUsd: 1, poll: FAST });
    expect(enough.batchesSubmitted).toBe(1);
    expect(enough.costUsd).toBeGreaterThan(0);
    expect(enough.costUsd).toBeLessThan((await s.store.list())[0]?.estimatedCost ?? 0);
    await s.close();
  });

  it('stops polling on a signal, and fusion batches lists, checks and cancels what is open', async () => {
    const server = await fixture.start({ labels: LABELS, batches: { pollsToFinish: 1_000 } });
    const s = setup(server, ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest'], 4);
    const stop = new AbortController();
    const report = await runBatches({
      calls: s.calls,
      cache: s.cache,
      store: s.store,
      prices: DEFAULT_PRICES,
      poll: FAST,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.inProgress === 2) stop.abort();
      },
    });
    expect(report.stopReason).toBe('interrupted');
    const ids = (await s.store.list()).map((j) => j.batchId);
    await s.close();
    expect(ids).toHaveLength(2);
    const cache = join(s.dir, 'cache.sqlite');
    const io = () => ({ stdin: new PassThrough(), stdout: captureStream(), stderr: captureStream(), env: server.env() });
    const list = io();
    expect(await main(['batches', '--cache', cache, '--check'], list)).toBe(0);
    expect(list.stdout.text()).toMatch(/openai:gpt-4o-mini\s+in-progress \(open\)\s+4\s+0\s+0\s+~\$/);
    expect(list.stdout.text()).toMatch(/2 batch\(es\), 2 open/);
    const cancel = io();
    expect(await main(['batches', 'cancel', ids[0] as string, '--cache', cache], cancel)).toBe(0);
    expect(cancel.stderr.text()).toMatch(/cancelled/);
    const json = io();
    expect(await main(['batches', '--cache', cache, '--json'], json)).toBe(0);
    const jobs = json.stdout.text().trim().split('\n').map((l) => JSON.parse(l) as { batchId: string; status: string });
    expect(jobs.find((j) => j.batchId === ids[0])?.status).toBe('cancelled');
  });
});

describe('pollUntilDone', () => {
  it('backs off from the first interval by the factor up to the cap, and hands each batch over as soon as it is done', async () => {
    const { pollUntilDone } = await import('../../src/orchestrate/batch/poll.js');
    const waits: number[] = [];
    const clock = { now: () => 0, sleep: async (ms: number) => void waits.push(ms) };
    const polls = new Map<string, number>();
    const done: string[] = [];
    const finishAt: Record<string, number> = { a: 2, b: 6 };
    const finished = await pollUntilDone(
      ['a', 'b'],
      async (id) => {
        const n = (polls.get(id) ?? 0) + 1;
        polls.set(id, n);
        if (id === 'b' && n === 3) throw new (await import('../../src/providers/provider.js')).ProviderError('server', 'flaky');
        const isDone = n >= (finishAt[id] ?? 0);
        return { id, status: isDone ? 'ended' : 'in-progress', done: isDone, counts: { total: 1, succeeded: isDone ? 1 : 0, failed: 0, processing: isDone ? 0 : 1 } };
      },
      async (info) => void done.push(info.id),
      () => true,
      { clock, settings: { initialMs: 100, factor: 2, maxMs: 500 } },
    );
    expect(finished).toBe(true);
    expect(done).toEqual(['a', 'b']);
    expect(polls.get('a')).toBe(2); // not polled after it was done
    expect(waits).toEqual([100, 200, 400, 500, 500]);
  });
});
