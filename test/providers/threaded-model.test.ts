import { inspect } from 'node:util';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpFetch } from '../../src/orchestrate/http-fetch.js';
import { OpenAIModel } from '../../src/providers/openai/openai-model.js';
import { ProviderError, type GenerateRequest, type LanguageModel } from '../../src/providers/provider.js';
import { createModel, createModelInThread } from '../../src/providers/registry.js';
import { ModelThreadPool, ThreadedModel, closeModelThreads, modelThreadsFromEnv } from '../../src/providers/threads/threaded-model.js';
import { type FakeLlmServer, startFakeLlmServer } from '../support/fake-llm-server.js';

const LABELS = ['positive', 'negative', 'neutral'];
const SPECS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', 'ollama:llama3.1'];
const transport = createHttpFetch();
const onTransport = { openai: { fetch: transport }, anthropic: { fetch: transport }, ollama: { fetch: transport } };

let server: FakeLlmServer;
let faulty: FakeLlmServer;
let env: Record<string, string>;
let faultyEnv: Record<string, string>;
beforeAll(async () => {
  server = await startFakeLlmServer({ labels: LABELS });
  // A quarter of prompts are rate limited on their first attempt, another quarter answered far too late.
  faulty = await startFakeLlmServer({ labels: LABELS, faults: { rateLimit: 0.25, retryAfterMs: 1500, slow: 0.25, slowMs: 10_000 } });
  env = { ...server.env(), OPENAI_API_KEY: 'sk-test-SECRET123', FUSION_MODEL_THREADS: '1' };
  faultyEnv = { ...faulty.env(), FUSION_MODEL_THREADS: '2' };
});
afterAll(async () => {
  await closeModelThreads();
  await server.close();
  await faulty.close();
});

const request = (text: string): GenerateRequest => ({
  messages: [
    { role: 'system', content: `Label the text: ${LABELS.join(', ')}.` },
    { role: 'user', content: text },
  ],
  temperature: 0,
  maxTokens: 8,
  topLogprobs: 3,
});

describe('createModel on the keep-alive transport', () => {
  it('runs calls on a worker thread when FUSION_MODEL_THREADS asks and the fetch is the library transport', () => {
    expect(createModel('openai:gpt-4o-mini', env, onTransport)).toBeInstanceOf(ThreadedModel);
    expect(createModel('openai:gpt-4o-mini', { ...env, FUSION_MODEL_THREADS: undefined }, onTransport)).toBeInstanceOf(OpenAIModel);
    expect(createModel('openai:gpt-4o-mini', { ...env, FUSION_MODEL_THREADS: '0' }, onTransport)).toBeInstanceOf(OpenAIModel);
    expect(createModel('openai:gpt-4o-mini', env, { openai: { fetch: (i, init) => fetch(i, init) } })).toBeInstanceOf(OpenAIModel);
    expect(createModel('openai:gpt-4o-mini', env)).toBeInstanceOf(OpenAIModel);
    expect(() => createModel('openai:gpt-4o-mini', { ...env, FUSION_MODEL_THREADS: 'many' }, onTransport)).toThrow(/FUSION_MODEL_THREADS/);
    expect(modelThreadsFromEnv({ FUSION_MODEL_THREADS: '3' })).toBe(3);
    expect(modelThreadsFromEnv({})).toBe(0);
  });

  it('gives the same answers, usage and logprobs as the adapter on this thread, and never shows the key', async () => {
    for (const spec of SPECS) {
      const threaded = createModel(spec, env, onTransport);
      const local = createModelInThread(spec, env, onTransport);
      expect([threaded.provider, threaded.modelId, threaded.supportsLogprobs]).toEqual([local.provider, local.modelId, local.supportsLogprobs]);
      for (const text of ['great film', 'awful service', 'it was fine']) {
        const a = await threaded.generate(request(text));
        expect(a.text).not.toBe('');
        expect(a).toEqual(await local.generate(request(text)));
      }
      expect(JSON.stringify(threaded) + inspect(threaded, { depth: 5, showHidden: true })).not.toContain('SECRET123');
    }
  });

  it('brings ProviderErrors back with their kind and retry-after, and cancels a call in the thread when aborted', async () => {
    const model = createModel('openai:gpt-4o-mini', faultyEnv, onTransport);
    let rateLimited: ProviderError | undefined;
    let timedOut: ProviderError | undefined;
    for (let i = 0; i < 60 && (!rateLimited || !timedOut); i++) {
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(new DOMException('timed out', 'TimeoutError')), 300);
      const started = performance.now();
      const result = await model.generate({ ...request(`probe ${i}`), signal: ac.signal }).catch((e: unknown) => e);
      clearTimeout(timer);
      if (result instanceof ProviderError && result.kind === 'rate-limit') rateLimited ??= result;
      if (result instanceof ProviderError && result.kind === 'timeout') {
        // The abort ends the call at once, not when the late answer would have come...
        expect(performance.now() - started).toBeLessThan(2000);
        timedOut ??= result;
        // ...and the thread hangs up on the server instead of waiting for it.
        for (let wait = 0; wait < 50 && faulty.snapshot().inFlight > 0; wait++) await new Promise((r) => setTimeout(r, 20));
        expect(faulty.snapshot().inFlight).toBe(0);
      }
    }
    expect(rateLimited?.retryable).toBe(true);
    expect(rateLimited?.details).toMatchObject({ status: 429, retryAfterMs: 1500, provider: 'openai', model: 'gpt-4o-mini' });
    expect(timedOut?.message).toContain('openai:gpt-4o-mini');
  });

  it('an already aborted signal fails at once as an abort', async () => {
    const model = createModel('anthropic:claude-3-5-haiku-latest', env, onTransport);
    const err = await model.generate({ ...request('x'), signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect((err as ProviderError).kind).toBe('aborted');
  });
});

describe('ModelThreadPool failures', () => {
  const local = (): LanguageModel => ({
    provider: 'openai',
    modelId: 'm',
    supportsLogprobs: false,
    generate: async () => ({ text: 'from the main thread' }),
  });
  const config = { spec: 'openai:m', env: { OPENAI_API_KEY: 'k' }, override: {}, transport: {} };

  it('a worker that cannot start leaves the calls to the main thread', async () => {
    const pool = new ModelThreadPool(1, () => new Worker('throw new Error("no loader")', { eval: true }));
    const model = new ThreadedModel(local(), config, pool);
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      expect(await model.generate(request('a'))).toEqual({ text: 'from the main thread' });
      expect(pool.unavailable).toBe(true);
      expect(await model.generate(request('b'))).toEqual({ text: 'from the main thread' });
      await new Promise((r) => setImmediate(r));
      expect(warnings.join('\n')).toContain('no loader');
    } finally {
      process.off('warning', onWarning);
      await pool.close();
    }
  });

  it('models built again and again from the same configuration share one adapter in the thread', async () => {
    // A stand-in worker that answers each call with the number of models it was sent.
    const code = `const { parentPort } = require('node:worker_threads');
      let models = 0;
      parentPort.postMessage([{ type: 'ready' }]);
      parentPort.on('message', (batch) => {
        const out = [];
        for (const m of batch) {
          if (m.type === 'model') models++;
          if (m.type === 'call') out.push({ type: 'result', id: m.id, result: { text: String(models) } });
        }
        if (out.length > 0) parentPort.postMessage(out);
      });`;
    const pool = new ModelThreadPool(1, () => new Worker(code, { eval: true }));
    const other = { ...config, spec: 'openai:other' };
    const answers: string[] = [];
    for (let i = 0; i < 20; i++) answers.push((await new ThreadedModel(local(), config, pool).generate(request('a'))).text);
    answers.push((await new ThreadedModel(local(), other, pool).generate(request('a'))).text);
    expect(answers.slice(0, 20)).toEqual(Array(20).fill('1'));
    expect(answers[20]).toBe('2');
    await pool.close();
  });

  it('a worker that stops with calls pending fails them as retryable connection errors', async () => {
    const code = `const { parentPort } = require('node:worker_threads');
      parentPort.postMessage([{ type: 'ready' }]);
      parentPort.on('message', (batch) => { if (batch.some((m) => m.type === 'call')) process.exit(3); });`;
    const pool = new ModelThreadPool(1, () => new Worker(code, { eval: true }));
    const model = new ThreadedModel(local(), config, pool);
    const err = await model.generate(request('a')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).kind).toBe('connection');
    expect((err as ProviderError).retryable).toBe(true);
    expect(pool.unavailable).toBe(false);
    await pool.close();
  });
});
