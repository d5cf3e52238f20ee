import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { OllamaModel } from '../../src/providers/ollama/ollama-model.js';
import { ProviderError } from '../../src/providers/provider.js';

const HOST = 'http://ollama.test:11434';
const URL_ = `${HOST}/api/chat`;
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function model(extra: Partial<ConstructorParameters<typeof OllamaModel>[0]> = {}) {
  return new OllamaModel({ modelId: 'llama3.1:8b', host: HOST, ...extra });
}

function chat(content: string | null, extra: Record<string, unknown> = {}) {
  return {
    model: 'llama3.1:8b',
    created_at: '2026-01-01T00:00:00Z',
    message: { role: 'assistant', content },
    done: true,
    done_reason: 'stop',
    prompt_eval_count: 30,
    eval_count: 2,
    ...extra,
  };
}

const messages = [
  { role: 'system' as const, content: 'Classify.' },
  { role: 'user' as const, content: '<item>\nhello\n</item>' },
];

async function failure(m: OllamaModel, signal?: AbortSignal): Promise<ProviderError> {
  const err = await m.generate({ messages, ...(signal ? { signal } : {}) }).then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  expect((err as ProviderError).details.provider).toBe('ollama');
  return err as ProviderError;
}

describe('OllamaModel request shape', () => {
  it('sends model, messages, stream false, format schema, logprobs and options', async () => {
    let body: Record<string, unknown> = {};
    server.use(
      http.post(URL_, async ({ request }) => {
        body = (await request.json()) as Record<string, unknown>;
        return HttpResponse.json(chat('{"label":"toxic"}'));
      }),
    );
    const schema = { type: 'object', properties: { label: { type: 'string', enum: ['toxic', 'non-toxic'] } }, required: ['label'] };
    await model().generate({ messages, temperature: 0, maxTokens: 8, topLogprobs: 3, jsonSchema: { name: 'answer', schema } });
    expect(body).toEqual({
      model: 'llama3.1:8b',
      messages,
      stream: false,
      format: schema,
      logprobs: true,
      top_logprobs: 3,
      options: { temperature: 0, num_predict: 8 },
    });
  });

  it('leaves out what was not asked for', () => {
    expect(model().buildRequest({ messages })).toEqual({ model: 'llama3.1:8b', messages, stream: false });
    expect(model({ supportsLogprobs: false }).buildRequest({ messages, topLogprobs: 2 })).toEqual({
      model: 'llama3.1:8b',
      messages,
      stream: false,
    });
  });
});

describe('OllamaModel response parsing', () => {
  it('reads text, usage, done reason and logprobs when the server returns them', async () => {
    server.use(
      http.post(URL_, () =>
        HttpResponse.json(
          chat('toxic', {
            logprobs: [
              { token: 'tox', logprob: -0.2, top_logprobs: [{ token: 'tox', logprob: -0.2 }, { token: 'non', logprob: -1.8 }] },
              { token: 'ic', logprob: -0.01 },
            ],
          }),
        ),
      ),
    );
    expect(await model().generate({ messages, topLogprobs: 2 })).toEqual({
      text: 'toxic',
      logprobs: [
        { token: 'tox', logprob: -0.2, top_logprobs: [{ token: 'tox', logprob: -0.2 }, { token: 'non', logprob: -1.8 }] },
        { token: 'ic', logprob: -0.01 },
      ],
      usage: { input: 30, output: 2 },
      finishReason: 'stop',
    });
  });

  it('returns empty text for empty content', async () => {
    server.use(http.post(URL_, () => HttpResponse.json(chat(''))));
    expect((await model().generate({ messages })).text).toBe('');
  });
});

describe('OllamaModel errors', () => {
  it('404 for a model that is not pulled is not-found with the server message', async () => {
    server.use(http.post(URL_, () => HttpResponse.json({ error: 'model "llama9" not found, try pulling it first' }, { status: 404 })));
    const err = await failure(model());
    expect(err.kind).toBe('not-found');
    expect(err.message).toContain('try pulling it first');
  });

  it('401 from an authenticating proxy is auth, and its bearer header is never echoed', async () => {
    server.use(
      http.post(URL_, ({ request }) => HttpResponse.text(`bad token ${request.headers.get('authorization') ?? ''}`, { status: 401 })),
    );
    const log = vi.spyOn(console, 'log');
    const err = await failure(model({ headers: { Authorization: 'Bearer sk-test-SECRET123' } }));
    expect(err.kind).toBe('auth');
    expect(JSON.stringify(err) + err.message + (err.stack ?? '')).not.toContain('SECRET123');
    expect(log).not.toHaveBeenCalled();
    log.mockRestore();
  });

  it('429 keeps retry-after-ms, 500 is a server error', async () => {
    server.use(http.post(URL_, () => HttpResponse.json({ error: 'busy' }, { status: 429, headers: { 'retry-after-ms': '250' } })));
    const limited = await failure(model());
    expect([limited.kind, limited.details.retryAfterMs]).toEqual(['rate-limit', 250]);
    server.use(http.post(URL_, () => HttpResponse.json({ error: 'llama runner process has terminated' }, { status: 500 })));
    const err = await failure(model());
    expect(err.kind).toBe('server');
    expect(err.message).toContain('llama runner');
  });

  it('an error body sent with HTTP 200 is a bad response that says what the server said', async () => {
    server.use(http.post(URL_, () => HttpResponse.json({ error: 'model "llama3.1" not found, try pulling it first' })));
    const err = await failure(model());
    expect(err.kind).toBe('bad-response');
    expect(err.message).toContain('the server sent an error instead of an answer: model "llama3.1" not found');
  });

  it('malformed JSON and a body without message are bad responses', async () => {
    server.use(http.post(URL_, () => new HttpResponse('{"message": {', { headers: { 'content-type': 'application/json' } })));
    expect((await failure(model())).kind).toBe('bad-response');
    server.use(http.post(URL_, () => HttpResponse.json({ done: true })));
    expect((await failure(model())).kind).toBe('bad-response');
  });

  it('timeout, abort and dropped connections', async () => {
    server.use(
      http.post(URL_, async () => {
        await delay(2000);
        return HttpResponse.json(chat('late'));
      }),
    );
    expect((await failure(model(), AbortSignal.timeout(50))).kind).toBe('timeout');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    expect((await failure(model(), controller.signal)).kind).toBe('aborted');
    server.use(http.post(URL_, () => HttpResponse.error()));
    expect((await failure(model())).kind).toBe('connection');
  });
});
