import { inspect } from 'node:util';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { AnthropicModel } from '../../src/providers/anthropic/anthropic-model.js';
import { loadProviderEnv, normalizeOllamaHost } from '../../src/providers/env.js';
import { parseModelList, parseModelSpec } from '../../src/providers/model-spec.js';
import { OllamaModel } from '../../src/providers/ollama/ollama-model.js';
import { OpenAIModel } from '../../src/providers/openai/openai-model.js';
import { ProviderError } from '../../src/providers/provider.js';
import { createModel, modelName } from '../../src/providers/registry.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function configError(fn: () => unknown): ProviderError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).kind).toBe('config');
    expect((e as ProviderError).retryable).toBe(false);
    return e as ProviderError;
  }
  throw new Error('expected a config error');
}

describe('parseModelSpec', () => {
  it('splits at the first colon so Ollama tags survive', () => {
    expect(parseModelSpec('openai:gpt-4o-mini')).toEqual({ provider: 'openai', modelId: 'gpt-4o-mini' });
    expect(parseModelSpec(' ollama:llama3.1:8b ')).toEqual({ provider: 'ollama', modelId: 'llama3.1:8b' });
    expect(parseModelSpec('Anthropic:claude-3-5-haiku-latest').provider).toBe('anthropic');
    expect(parseModelList('openai:a, ,anthropic:b,')).toEqual([
      { provider: 'openai', modelId: 'a' },
      { provider: 'anthropic', modelId: 'b' },
    ]);
  });

  it('rejects malformed specs and unknown providers as config errors', () => {
    for (const bad of ['gpt-4o', ':gpt', 'openai:', 'openai:  ']) configError(() => parseModelSpec(bad));
    expect(configError(() => parseModelSpec('mistral:large')).message).toContain('unknown provider "mistral"');
  });
});

describe('loadProviderEnv', () => {
  it('applies the Ollama default, trims, and treats empty values as unset', () => {
    const env = loadProviderEnv({ OPENAI_API_KEY: '  k1 ', ANTHROPIC_API_KEY: '', OPENAI_BASE_URL: '' });
    expect(env.OPENAI_API_KEY).toBe('k1');
    expect(env.ANTHROPIC_API_KEY).toBeUndefined();
    expect(env.OPENAI_BASE_URL).toBeUndefined();
    expect(env.OLLAMA_HOST).toBe('http://127.0.0.1:11434');
  });

  it('accepts the host forms Ollama accepts', () => {
    expect(normalizeOllamaHost('0.0.0.0:11434')).toBe('http://0.0.0.0:11434');
    expect(normalizeOllamaHost(':9999')).toBe('http://127.0.0.1:9999');
    expect(normalizeOllamaHost('gpu-box')).toBe('http://gpu-box:11434');
    expect(normalizeOllamaHost('https://ollama.example.com/')).toBe('https://ollama.example.com');
  });

  it('names bad variables without quoting their values', () => {
    const err = configError(() => loadProviderEnv({ OPENAI_BASE_URL: 'ftp://user:hunter2@x', OLLAMA_HOST: 'http://[bad' }));
    expect(err.message).toContain('OPENAI_BASE_URL');
    expect(err.message).toContain('OLLAMA_HOST');
    expect(err.message).not.toContain('hunter2');
  });
});

describe('createModel', () => {
  it('builds each adapter from the environment', () => {
    const env = { OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k', OLLAMA_HOST: 'localhost:11434' };
    const o = createModel('openai:gpt-4o-mini', env);
    expect(o).toBeInstanceOf(OpenAIModel);
    expect([o.provider, o.modelId, o.supportsLogprobs]).toEqual(['openai', 'gpt-4o-mini', true]);
    const a = createModel('anthropic:claude-3-5-haiku-latest', env);
    expect(a).toBeInstanceOf(AnthropicModel);
    expect(a.supportsLogprobs).toBe(false);
    const l = createModel('ollama:llama3.1', env);
    expect(l).toBeInstanceOf(OllamaModel);
    expect(modelName(l)).toBe('ollama:llama3.1');
  });

  it('fails before any call when a key is missing, explaining the OpenAI-compatible placeholder', () => {
    const openai = configError(() => createModel('openai:gpt-4o-mini', {}));
    expect(openai.message).toContain('OPENAI_API_KEY');
    expect(openai.message).toContain('placeholder');
    expect(configError(() => createModel('anthropic:claude-3-5-haiku-latest', { OPENAI_API_KEY: 'k' })).message).toContain(
      'ANTHROPIC_API_KEY',
    );
    // Ollama needs no key.
    expect(createModel('ollama:llama3.1', {})).toBeInstanceOf(OllamaModel);
    configError(() => createModel('cohere:command', { OPENAI_API_KEY: 'k' }));
    configError(() => createModel('openai:x', { OPENAI_API_KEY: 'k' }, { openai: { baseURL: 'not a url' } }));
  });

  it('keeps keys out of serialized and inspected models, and out of errors of failing calls', async () => {
    const env = { OPENAI_API_KEY: 'sk-test-SECRET123', ANTHROPIC_API_KEY: 'sk-test-SECRET123' };
    const overrides = { ollama: { apiKey: 'sk-test-SECRET123' } };
    server.use(
      http.post('https://api.openai.com/v1/chat/completions', () => HttpResponse.json({ error: { message: 'bad key sk-test-SECRET123' } }, { status: 401 })),
      http.post('https://api.anthropic.com/v1/messages', () => HttpResponse.json({ error: { message: 'bad key sk-test-SECRET123' } }, { status: 401 })),
      http.post('http://127.0.0.1:11434/api/chat', () => HttpResponse.text('bad key sk-test-SECRET123', { status: 403 })),
    );
    // Even with the SDKs' debug logging asked for through their env variables, nothing logged carries the key.
    const saved = { openai: process.env.OPENAI_LOG, anthropic: process.env.ANTHROPIC_LOG };
    process.env.OPENAI_LOG = 'debug';
    process.env.ANTHROPIC_LOG = 'debug';
    const logged: unknown[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((name) =>
      vi.spyOn(console, name).mockImplementation((...args: unknown[]) => void logged.push(...args)),
    );
    onTestFinished(() => {
      for (const spy of spies) spy.mockRestore();
      for (const [key, value] of [['OPENAI_LOG', saved.openai], ['ANTHROPIC_LOG', saved.anthropic]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    });
    for (const spec of ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', 'ollama:llama3.1']) {
      const m = createModel(spec, env, overrides);
      expect(JSON.stringify(m)).not.toContain('SECRET123');
      expect(inspect(m, { depth: 10, showHidden: true })).not.toContain('SECRET123');
      const err = await m.generate({ messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      const pe = err as ProviderError;
      expect(pe.kind).toBe('auth');
      for (const text of [pe.message, pe.stack ?? '', JSON.stringify(pe), inspect(pe, { depth: 10, showHidden: true })]) {
        expect(text).not.toContain('SECRET123');
      }
    }
    expect(inspect(logged, { depth: 10 })).not.toContain('SECRET123');
  });

  it('does not read keys from process.env when given another environment', () => {
    const saved = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = 'from-process';
    try {
      configError(() => createModel('openai:gpt-4o-mini', {}));
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
    }
  });

  it('sends calls to OPENAI_BASE_URL with the placeholder key, and overrides win over the environment', async () => {
    const seen: string[] = [];
    const reply = {
      choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    };
    server.use(
      http.post('http://vllm.test/v1/chat/completions', ({ request }) => {
        seen.push(`vllm ${request.headers.get('authorization')}`);
        return HttpResponse.json(reply);
      }),
      http.post('http://gateway.test/v1/chat/completions', ({ request }) => {
        seen.push(`gateway ${request.headers.get('authorization')} ${request.headers.get('x-team')}`);
        return HttpResponse.json(reply);
      }),
      http.post('http://anthropic.test/v1/messages', () =>
        HttpResponse.json({ content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn' }),
      ),
      http.post('http://ollama.test:8080/api/chat', () => HttpResponse.json({ message: { role: 'assistant', content: 'ok' } })),
    );
    const env = { OPENAI_API_KEY: 'local', OPENAI_BASE_URL: 'http://vllm.test/v1', ANTHROPIC_BASE_URL: 'http://anthropic.test' };
    const messages = [{ role: 'user' as const, content: 'hi' }];
    await createModel('openai:qwen2.5', env).generate({ messages });
    await createModel('openai:qwen2.5', env, {
      openai: { baseURL: 'http://gateway.test/v1', apiKey: 'other', headers: { 'x-team': 'a' } },
    }).generate({ messages });
    expect(seen).toEqual(['vllm Bearer local', 'gateway Bearer other a']);
    expect((await createModel('anthropic:claude', env, { anthropic: { apiKey: 'k' } }).generate({ messages })).text).toBe('ok');
    expect((await createModel('ollama:llama3.1', { OLLAMA_HOST: 'http://ollama.test:8080' }).generate({ messages })).text).toBe('ok');
  });

  it('an Ollama timeout override turns a slow server into a timeout error', async () => {
    server.use(
      http.post('http://127.0.0.1:11434/api/chat', async () => {
        await new Promise((r) => setTimeout(r, 1000));
        return HttpResponse.json({ message: { role: 'assistant', content: 'late' } });
      }),
    );
    const m = createModel('ollama:llama3.1', {}, { ollama: { timeoutMs: 50 } });
    await expect(m.generate({ messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ kind: 'timeout' });
  });
});
