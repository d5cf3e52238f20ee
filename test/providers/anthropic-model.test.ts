import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicModel } from '../../src/providers/anthropic/anthropic-model.js';
import { ProviderError } from '../../src/providers/provider.js';

const BASE = 'http://api.test';
const URL_ = `${BASE}/v1/messages`;
const KEY = 'sk-test-SECRET123';
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function model(extra: Partial<ConstructorParameters<typeof AnthropicModel>[0]> = {}) {
  return new AnthropicModel({ modelId: 'claude-3-5-haiku-latest', apiKey: KEY, baseURL: BASE, ...extra });
}

function message(content: unknown[], stopReason = 'end_turn') {
  return {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-3-5-haiku-latest',
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { input_tokens: 20, output_tokens: 3 },
  };
}

const messages = [
  { role: 'system' as const, content: 'Classify the item.' },
  { role: 'user' as const, content: '<item>\nhello\n</item>' },
];

async function failure(m: AnthropicModel, signal?: AbortSignal): Promise<ProviderError> {
  const err = await m.generate({ messages, ...(signal ? { signal } : {}) }).then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  const pe = err as ProviderError;
  for (const text of [pe.message, pe.stack ?? '', JSON.stringify(pe), String(pe)]) expect(text).not.toContain('SECRET123');
  expect(pe.details.provider).toBe('anthropic');
  return pe;
}

describe('AnthropicModel request shape', () => {
  it('sends the system prompt separately, a max_tokens, the key as a header, and asks for JSON in the system prompt', async () => {
    let body: Record<string, unknown> = {};
    let headers = new Headers();
    server.use(
      http.post(URL_, async ({ request }) => {
        body = (await request.json()) as Record<string, unknown>;
        headers = request.headers;
        return HttpResponse.json(message([{ type: 'text', text: '{"label":"toxic","confidence":0.9}' }]));
      }),
    );
    const schema = { type: 'object', properties: { label: { type: 'string' } }, required: ['label'] };
    await model().generate({ messages, maxTokens: 50, temperature: 0, topLogprobs: 5, jsonSchema: { name: 'answer', schema } });
    expect(headers.get('authorization') ?? headers.get('x-api-key')).toContain(KEY);
    expect(headers.get('anthropic-version')).toBeTruthy();
    expect(body.model).toBe('claude-3-5-haiku-latest');
    expect(body.max_tokens).toBe(50);
    expect(body.messages).toEqual([{ role: 'user', content: '<item>\nhello\n</item>' }]);
    expect(typeof body.system).toBe('string');
    expect(body.system as string).toMatch(/^Classify the item\.\n\n/);
    expect(body.system as string).toContain(JSON.stringify(schema));
    // Neither logprobs nor sampling parameters exist on this API version.
    expect(Object.keys(body).sort()).toEqual(['max_tokens', 'messages', 'model', 'system']);
  });

  it('uses a default max_tokens and no system field when there is no system message', () => {
    const params = model().buildParams({ messages: [{ role: 'user', content: 'hi' }] });
    expect(params).toEqual({ model: 'claude-3-5-haiku-latest', max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }] });
  });

  it('does not expose the key when the model object is serialized', () => {
    expect(JSON.stringify(model())).not.toContain('SECRET123');
  });
});

describe('AnthropicModel response parsing', () => {
  it('joins text blocks, skips other blocks and reads usage', async () => {
    server.use(
      http.post(URL_, () =>
        HttpResponse.json(
          message([
            { type: 'thinking', thinking: 'hmm', signature: 'x' },
            { type: 'text', text: 'non-' },
            { type: 'text', text: 'toxic' },
          ]),
        ),
      ),
    );
    expect(await model().generate({ messages })).toEqual({ text: 'non-toxic', usage: { input: 20, output: 3 }, finishReason: 'end_turn' });
  });

  it('returns empty text when there are no text blocks', async () => {
    server.use(http.post(URL_, () => HttpResponse.json(message([]))));
    expect((await model().generate({ messages })).text).toBe('');
  });
});

describe('AnthropicModel errors', () => {
  const anthropicError = (type: string, msg: string) => ({ type: 'error', error: { type, message: msg } });

  it('401 is auth and the echoed key is redacted', async () => {
    server.use(http.post(URL_, () => HttpResponse.json(anthropicError('authentication_error', `invalid x-api-key ${KEY}`), { status: 401 })));
    const err = await failure(model());
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('invalid x-api-key');
  });

  it('404 names the model', async () => {
    server.use(http.post(URL_, () => HttpResponse.json(anthropicError('not_found_error', 'model: claude-nope'), { status: 404 })));
    const err = await failure(model());
    expect(err.kind).toBe('not-found');
    expect(err.message).toContain('claude-nope');
  });

  it('429 with retry-after, 529 overloaded and 500 are retryable with the right kinds', async () => {
    server.use(
      http.post(URL_, () =>
        HttpResponse.json(anthropicError('rate_limit_error', 'slow down'), { status: 429, headers: { 'retry-after': '3' } }),
      ),
    );
    const limited = await failure(model());
    expect([limited.kind, limited.details.retryAfterMs, limited.retryable]).toEqual(['rate-limit', 3000, true]);
    server.use(http.post(URL_, () => HttpResponse.json(anthropicError('overloaded_error', 'Overloaded'), { status: 529 })));
    expect((await failure(model())).kind).toBe('server');
    server.use(http.post(URL_, () => HttpResponse.json(anthropicError('api_error', 'boom'), { status: 500 })));
    expect((await failure(model())).kind).toBe('server');
  });

  it('an error body sent with HTTP 200 is a bad response that says what the server said', async () => {
    server.use(http.post(URL_, () => HttpResponse.json(anthropicError('overloaded_error', 'Overloaded'))));
    const err = await failure(model());
    expect(err.kind).toBe('bad-response');
    expect(err.message).toContain('the server sent an error instead of an answer: Overloaded');
  });

  it('malformed JSON and a body without content are bad responses', async () => {
    server.use(http.post(URL_, () => new HttpResponse('{"content": [', { headers: { 'content-type': 'application/json' } })));
    expect((await failure(model())).kind).toBe('bad-response');
    server.use(http.post(URL_, () => HttpResponse.json({ type: 'message' })));
    expect((await failure(model())).kind).toBe('bad-response');
  });

  it('a request the SDK refuses to send is a bad request', async () => {
    const err = await model().generate({ messages, maxTokens: 500_000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'bad-request', retryable: false });
  });

  it("stop_reason 'refusal' is a refusal", async () => {
    server.use(http.post(URL_, () => HttpResponse.json(message([{ type: 'text', text: 'I cannot' }], 'refusal'))));
    const err = await failure(model());
    expect(err.kind).toBe('refusal');
    expect(err.retryable).toBe(false);
  });

  it('a timeout signal is a timeout, a dropped connection is a connection error', async () => {
    server.use(
      http.post(URL_, async () => {
        await delay(2000);
        return HttpResponse.json(message([{ type: 'text', text: 'late' }]));
      }),
    );
    expect((await failure(model(), AbortSignal.timeout(50))).kind).toBe('timeout');
    expect((await failure(model({ timeoutMs: 50 }))).kind).toBe('timeout');
    server.use(http.post(URL_, () => HttpResponse.error()));
    expect((await failure(model())).kind).toBe('connection');
  });
});
