import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteStore } from '../../src/orchestrate/cache.js';
import { type Clock, systemClock } from '../../src/orchestrate/clock.js';
import { Orchestrator } from '../../src/orchestrate/orchestrator.js';
import { ProviderError } from '../../src/providers/provider.js';
import { InputError } from '../../src/task/errors.js';
import { FakeModel, userRequest } from './fake-model.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'orch-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const fastRetry = { baseDelayMs: 1, maxDelayMs: 5 };

describe('Orchestrator', () => {
  it('reads FUSION_MAX_ANSWER_CHARS when it is made: a bad value is an InputError before any call is paid, not a failure of each paid answer', async () => {
    vi.stubEnv('FUSION_MAX_ANSWER_CHARS', 'many');
    try {
      const model = new FakeModel('openai', 'a', () => ({ text: 'an answer' }));
      let orch: Orchestrator | undefined;
      let error: unknown;
      try {
        orch = new Orchestrator();
      } catch (e) {
        error = e;
      }
      // Before, the variable was read after each answer arrived: the call was paid, then failed.
      const outcome = await orch?.call({ name: 'openai:a', model }, userRequest('q'));
      expect(outcome?.status).toBeUndefined();
      expect(error).toBeInstanceOf(InputError);
      expect(String(error)).toMatch(/FUSION_MAX_ANSWER_CHARS/);
      expect(model.requests).toHaveLength(0);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('cuts answers at FUSION_MAX_ANSWER_CHARS as set when it is made', async () => {
    vi.stubEnv('FUSION_MAX_ANSWER_CHARS', '5');
    let orch: Orchestrator;
    try {
      orch = new Orchestrator();
    } finally {
      vi.unstubAllEnvs();
    }
    const model = new FakeModel('openai', 'a', () => ({ text: 'an answer' }));
    const outcome = await orch.call({ name: 'openai:a', model }, userRequest('q'));
    expect(outcome.status === 'ok' && outcome.response).toMatchObject({ text: 'an an', finishReason: 'cut' });
  });

  it('never exceeds the global concurrency limit', async () => {
    const a = new FakeModel('openai', 'a', () => ({ text: 'x', delayMs: 5 }));
    const b = new FakeModel('anthropic', 'b', () => ({ text: 'x', delayMs: 5 }));
    const orch = new Orchestrator({ concurrency: 4 });
    const calls = [];
    for (let i = 0; i < 30; i++) {
      calls.push(orch.call({ name: 'openai:a', model: a }, userRequest(`q${i}`)));
      calls.push(orch.call({ name: 'anthropic:b', model: b }, userRequest(`q${i}`)));
    }
    const out = await Promise.all(calls);
    expect(out.every((o) => o.status === 'ok')).toBe(true);
    expect(orch.stats().maxInFlight).toBe(4);
    expect(a.maxInFlight + b.maxInFlight).toBeLessThanOrEqual(8);
  });

  it('applies a per-provider concurrency limit inside the global one', async () => {
    const a = new FakeModel('openai', 'a', () => ({ text: 'x', delayMs: 5 }));
    const b = new FakeModel('ollama', 'b', () => ({ text: 'x', delayMs: 5 }));
    const orch = new Orchestrator({ concurrency: 6, providers: { ollama: { concurrency: 1 } } });
    const calls = [];
    for (let i = 0; i < 12; i++) {
      calls.push(orch.call({ name: 'openai:a', model: a }, userRequest(`q${i}`)));
      calls.push(orch.call({ name: 'ollama:b', model: b }, userRequest(`q${i}`)));
    }
    await Promise.all(calls);
    expect(b.maxInFlight).toBe(1);
    expect(a.maxInFlight).toBeGreaterThan(1);
  });

  it('retries retryable errors and honours retry-after as a floor', async () => {
    const m = new FakeModel('openai', 'a', (_r, n) =>
      n === 1 ? { error: new ProviderError('rate-limit', '429', { status: 429, retryAfterMs: 40 }) } : { text: 'ok' },
    );
    // The clock records the waits asked of it (and waits for real); the backoff is one of them.
    const waits: number[] = [];
    const clock: Clock = { now: () => systemClock.now(), sleep: (ms, signal) => (waits.push(ms), systemClock.sleep(ms, signal)) };
    const orch = new Orchestrator({ retry: fastRetry, clock });
    const out = await orch.call({ name: 'openai:a', model: m }, userRequest('q'));
    expect(out.status).toBe('ok');
    expect(Math.max(...waits)).toBeGreaterThanOrEqual(40);
    expect(orch.stats().total.retries).toBe(1);
    expect(orch.stats().total.requests).toBe(2);
  });

  it('gives up after maxAttempts and does not retry non-retryable errors', async () => {
    const flaky = new FakeModel('openai', 'a', () => ({ error: new ProviderError('server', '500', { status: 500 }) }));
    const orch = new Orchestrator({ retry: { ...fastRetry, maxAttempts: 3 } });
    const out = await orch.call({ name: 'openai:a', model: flaky }, userRequest('q'));
    expect(out).toMatchObject({ status: 'failed', attempts: 3 });
    expect(flaky.requests).toHaveLength(3);

    const auth = new FakeModel('openai', 'b', () => ({ error: new ProviderError('auth', '401', { status: 401 }) }));
    const out2 = await orch.call({ name: 'openai:b', model: auth }, userRequest('q'));
    expect(out2).toMatchObject({ status: 'failed', attempts: 1 });
    expect(auth.requests).toHaveLength(1);
  });

  it('times out a slow call and retries it', async () => {
    const m = new FakeModel('openai', 'a', (_r, n) => (n === 1 ? { text: 'late', delayMs: 1000 } : { text: 'ok' }));
    const orch = new Orchestrator({ timeoutMs: 30, retry: fastRetry });
    const out = await orch.call({ name: 'openai:a', model: m }, userRequest('q'));
    expect(out).toMatchObject({ status: 'ok', attempts: 2 });
    if (out.status === 'ok') expect(out.response.text).toBe('ok');
  });

  it('ends calls in flight to an adapter that ignores its signal: at the timeout, and at once on stop(abort)', async () => {
    // An adapter that never looks at request.signal and answers only after a long time.
    const deaf = { provider: 'openai', modelId: 'deaf', supportsLogprobs: false, generate: () => new Promise<never>(() => undefined) };
    const handle = { name: 'openai:deaf', model: deaf };
    const timed = await new Orchestrator({ timeoutMs: 20, retry: { ...fastRetry, maxAttempts: 1 } }).call(handle, userRequest('t'));
    expect(timed).toMatchObject({ status: 'failed', error: { kind: 'timeout' } });

    const orch = new Orchestrator({ concurrency: 8, timeoutMs: 60_000 });
    const calls = Array.from({ length: 5 }, (_, i) => orch.call(handle, userRequest(`a${i}`)));
    await new Promise((r) => setTimeout(r, 5));
    expect(orch.stats().inFlight).toBe(5);
    const t0 = performance.now();
    orch.stop('abort');
    const out = await Promise.all(calls);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(out.map((o) => o.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(orch.stats().inFlight).toBe(0);
    // A call asked after the abort is not sent at all.
    expect(await orch.call(handle, userRequest('late'))).toMatchObject({ status: 'skipped' });
  });

  it('serves repeated requests from the cache and shares identical calls in flight', async () => {
    const dir = tempDir();
    const m = new FakeModel('openai', 'a', () => ({ text: 'cached answer', delayMs: 5 }));
    const handle = { name: 'openai:a', model: m };
    const cache = new SqliteStore(join(dir, 'c.sqlite'));
    const orch = new Orchestrator({ cache });
    const [x, y] = await Promise.all([orch.call(handle, userRequest('q')), orch.call(handle, userRequest('q'))]);
    expect(x.status).toBe('ok');
    expect(y).toMatchObject({ status: 'ok', cached: true });
    expect(m.requests).toHaveLength(1);
    await cache.close();

    // A new process (new cache object on the same file) makes no call either.
    const cache2 = new SqliteStore(join(dir, 'c.sqlite'));
    const orch2 = new Orchestrator({ cache: cache2 });
    const z = await orch2.call(handle, userRequest('q'));
    expect(z).toMatchObject({ status: 'ok', cached: true });
    if (z.status === 'ok') expect(z.response).toMatchObject({ text: 'cached answer', usage: { input: 100, output: 10 } });
    expect(m.requests).toHaveLength(1);
    // Different parameters are a different call.
    await orch2.call(handle, userRequest('q', { temperature: 1 }));
    expect(m.requests).toHaveLength(2);
    await cache2.close();
  });

  it('batchPaidCalls: the first read of an answer this run paid for in batches is no cache hit; later reads are, and answers of earlier runs are', async () => {
    const dir = tempDir();
    const m = new FakeModel('openai', 'a', () => ({ text: 'batch answer' }));
    const handle = { name: 'openai:a', model: m };
    const cache = new SqliteStore(join(dir, 'c.sqlite'));
    // Stands for the batch phase: the answers land in the store before the live pass.
    const filler = new Orchestrator({ cache });
    await filler.call(handle, userRequest('paid'));
    await filler.call(handle, userRequest('earlier'));
    const paid = filler.keyOf(handle, userRequest('paid'));
    const orch = new Orchestrator({ cache, batchPaidCalls: new Set([paid]) });
    expect(await orch.call(handle, userRequest('paid'))).toMatchObject({ status: 'ok', cached: false });
    expect(orch.stats().total.cacheHits).toBe(0);
    expect(await orch.call(handle, userRequest('earlier'))).toMatchObject({ status: 'ok', cached: true });
    expect(await orch.call(handle, userRequest('paid'))).toMatchObject({ status: 'ok', cached: true });
    expect(orch.stats().perModel['openai:a']).toMatchObject({ cacheHits: 2, successes: 0, requests: 0 });
    expect(m.requests).toHaveLength(2);
    await cache.close();
  });

  it('refresh mode writes but does not read; failures are recorded, not served', async () => {
    const dir = tempDir();
    const path = join(dir, 'c.sqlite');
    let fail = true;
    const m = new FakeModel('openai', 'a', () => (fail ? { error: new ProviderError('bad-request', 'nope', { status: 400 }) } : { text: 'fine' }));
    const handle = { name: 'openai:a', model: m };
    const c1 = new SqliteStore(path);
    expect((await new Orchestrator({ cache: c1 }).call(handle, userRequest('q'))).status).toBe('failed');
    expect(await c1.failures()).toHaveLength(1);
    expect(await c1.size()).toBe(0);
    fail = false;
    expect((await new Orchestrator({ cache: c1 }).call(handle, userRequest('q'))).status).toBe('ok');
    expect(await c1.failures()).toHaveLength(0);
    expect(m.requests).toHaveLength(2);
    await c1.close();
    const c2 = new SqliteStore(path, { read: false, write: true });
    await new Orchestrator({ cache: c2 }).call(handle, userRequest('q'));
    expect(m.requests).toHaveLength(3);
    await c2.close();
  });

  it('stops issuing calls when the budget is reached, counting reservations in flight', async () => {
    // 1000 USD per 1M tokens = 0.001 USD per token. Each prompt "qN" is reserved at its bound, 2
    // bytes + 16 per message + 64 per request = 82 input tokens + 10 output = 0.092 USD, and really
    // costs 3 + 10 = 0.013 USD.
    const prices = { 'openai:p': { input: 1000, output: 1000 } };
    const m = new FakeModel('openai', 'p', () => ({ text: 'x', delayMs: 2, usage: { input: 3, output: 10 } }));
    const orch = new Orchestrator({ concurrency: 4, maxCostUsd: 0.13, prices, assumedOutputTokens: 10 });
    const out = await Promise.all(Array.from({ length: 10 }, (_, i) => orch.call({ name: 'openai:p', model: m }, userRequest(`q${i}`))));
    // One reservation fits next to another's (0.184 > 0.13), so calls go one at a time; after three
    // settle (0.039 spent) a fourth reservation would overrun (0.131).
    expect(out.filter((o) => o.status === 'ok')).toHaveLength(3);
    expect(out.filter((o) => o.status === 'skipped')).toHaveLength(7);
    expect(orch.spentUsd).toBeCloseTo(0.039, 9);
    expect(orch.spentUsd).toBeLessThanOrEqual(0.13);
    expect(orch.stopReason).toBe('budget');
    expect(m.maxInFlight).toBeLessThanOrEqual(1);
  });

  it('refuses a budget over a model without a price', () => {
    const orch = new Orchestrator({ maxCostUsd: 1 });
    const issues = orch.checkModels([
      { name: 'openai:mystery', model: new FakeModel('openai', 'mystery') },
      { name: 'ollama:llama3.1', model: new FakeModel('ollama', 'llama3.1') },
    ]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain('openai:mystery');
  });

  it('stop(drain) lets calls in flight finish and skips the rest; stop(abort) cancels', async () => {
    const m = new FakeModel('openai', 'a', () => ({ text: 'x', delayMs: 30 }));
    const handle = { name: 'openai:a', model: m };
    const orch = new Orchestrator({ concurrency: 2 });
    const calls = Array.from({ length: 6 }, (_, i) => orch.call(handle, userRequest(`q${i}`)));
    await new Promise((r) => setTimeout(r, 5));
    orch.stop('drain');
    const out = await Promise.all(calls);
    expect(out.filter((o) => o.status === 'ok')).toHaveLength(2);
    expect(out.filter((o) => o.status === 'skipped')).toHaveLength(4);

    // Calls of different providers queue for the global slot itself: stopping skips them too, as
    // skipped, not as failures to retry.
    const other = { name: 'anthropic:b', model: new FakeModel('anthropic', 'b', () => ({ text: 'x', delayMs: 30 })) };
    const dir = tempDir();
    const cache = new SqliteStore(join(dir, 'c.sqlite'));
    const orch3 = new Orchestrator({ concurrency: 1, cache });
    const calls3 = [orch3.call(handle, userRequest('s1')), orch3.call(other, userRequest('s2')), orch3.call(other, userRequest('s3'))];
    await new Promise((r) => setTimeout(r, 5));
    orch3.stop('drain');
    const out3 = await Promise.all(calls3);
    expect(out3.map((o) => o.status)).toEqual(['ok', 'skipped', 'skipped']);
    expect(orch3.stats().total.failures).toBe(0);
    expect(await cache.failures()).toEqual([]);
    await cache.close();

    const orch2 = new Orchestrator({ concurrency: 2 });
    const calls2 = Array.from({ length: 4 }, (_, i) => orch2.call(handle, userRequest(`r${i}`)));
    await new Promise((r) => setTimeout(r, 5));
    orch2.stop('abort');
    const out2 = await Promise.all(calls2);
    expect(out2.every((o) => o.status === 'skipped')).toBe(true);
    expect(orch2.stats().total.failures).toBe(0);
  });
});
