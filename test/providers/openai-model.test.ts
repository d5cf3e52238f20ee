import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIModel } from '../../src/providers/openai/openai-model.js';
import { ProviderError } from '../../src/providers/provider.js';

const BASE = 'http://api.test/v1';
const KEY = 'sk-test-SECRET123';
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function model(extra: Partial<ConstructorParameters<typeof OpenAIModel>[0]> = {}) {
  return new OpenAIModel({ modelId: 'gpt-4o-mini', apiKey: KEY, baseURL: BASE, ...extra });
}

function completion(message: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: 'stop', ...extra }],
    usage: { prompt_tokens: 12, completion_tokens: 1, total_tokens: 13 },
  };
}

const messages = [
  { role: 'system' as const, content: 'Classify.' },
  { role: 'user' as const, content: '<item>\nhello\n</item>' },
];

/** Runs a failing call and returns the ProviderError, checking the key never leaks. */
async function failure(m: OpenAIModel, signal?: AbortSignal): Promise<ProviderError> {
  const err = await m.generate({ messages, ...(signal ? { signal } : {}) }).then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  const pe = err as ProviderError;
  for (const text of [pe.message, pe.stack ?? '', JSON.stringify(pe), JSON.stringify(pe.details), String(pe)]) {
    expect(text).not.toContain('SECRET123');
  }
  expect(pe.details.provider).toBe('openai');
  expect(pe.details.model).toBe('gpt-4o-mini');
  return pe;
}

describe('OpenAIModel request shape', () => {
  it('sends model, messages, logprobs and json_schema response_format with a bearer key', async () => {
    let body: Record<string, unknown> = {};
    let auth: string | null = null;
    server.use(
      http.post(`${BASE}/chat/completions`, async ({ request }) => {
        body = (await request.json()) as Record<string, unknown>;
        auth = request.headers.get('authorization');
        return HttpResponse.json(completion({ content: '{"label":"toxic"}' }));
      }),
    );
    const schema = { type: 'object', properties: { label: { type: 'string' } }, required: ['label'], additionalProperties: false };
    await model().generate({ messages, temperature: 0, maxTokens: 5, topLogprobs: 5, jsonSchema: { name: 'answer', schema } });
    expect(auth).toBe(`Bearer ${KEY}`);
    expect(body).toEqual({
      model: 'gpt-4o-mini',
      messages,
      temperature: 0,
      max_tokens: 5,
      logprobs: true,
      top_logprobs: 5,
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } },
    });
  });

  it('omits optional parameters that were not asked for, and uses max_completion_tokens on api.openai.com', async () => {
    const m = new OpenAIModel({ modelId: 'gpt-4o-mini', apiKey: KEY, baseURL: 'https://api.openai.com/v1' });
    expect(m.buildParams({ messages, maxTokens: 3 })).toEqual({ model: 'gpt-4o-mini', messages, max_completion_tokens: 3 });
    expect(model({ supportsLogprobs: false }).buildParams({ messages, topLogprobs: 3 })).toEqual({ model: 'gpt-4o-mini', messages });
  });

  it('leaves temperature and logprobs out for reasoning models, unless told otherwise', () => {
    const request = { messages, temperature: 0, topLogprobs: 5 };
    for (const id of ['o1', 'o3-mini', 'o4-mini-2025-04-16', 'gpt-5-mini', 'GPT-5']) {
      const m = model({ modelId: id });
      expect([id, m.supportsLogprobs]).toEqual([id, false]);
      expect(m.buildParams(request)).toEqual({ model: id, messages });
    }
    for (const id of ['gpt-4o-mini', 'gpt-4.1', 'qwen2.5-7b-instruct', 'gpt-oss-20b', 'o-llama']) {
      expect([id, model({ modelId: id }).supportsLogprobs]).toEqual([id, true]);
    }
    expect(model({ modelId: 'my-finetune', reasoning: true }).buildParams(request)).toEqual({ model: 'my-finetune', messages });
  });

  it('does not expose the key when the model object is serialized', () => {
    expect(JSON.stringify(model())).not.toContain('SECRET123');
  });
});

describe('OpenAIModel response parsing', () => {
  it('reads text, logprobs with alternatives, usage and finish reason', async () => {
    server.use(
      http.post(`${BASE}/chat/completions`, () =>
        HttpResponse.json(
          completion(
            { content: 'toxic', refusal: null },
            {
              logprobs: {
                content: [
                  {
                    token: 'toxic',
                    logprob: -0.1,
                    bytes: [116],
                    top_logprobs: [
                      { token: 'toxic', logprob: -0.1, bytes: [116] },
                      { token: 'non', logprob: -2.4, bytes: [110] },
                    ],
                  },
                ],
                refusal: null,
              },
            },
          ),
        ),
      ),
    );
    const result = await model().generate({ messages, topLogprobs: 2 });
    expect(result).toEqual({
      text: 'toxic',
      logprobs: [
        {
          token: 'toxic',
          logprob: -0.1,
          top_logprobs: [
            { token: 'toxic', logprob: -0.1 },
            { token: 'non', logprob: -2.4 },
          ],
        },
      ],
      usage: { input: 12, output: 1 },
      finishReason: 'stop',
    });
  });

  it('drops an unreadable usage or logprobs block from a compatible server instead of failing', async () => {
    server.use(
      http.post(`${BASE}/chat/completions`, () =>
        HttpResponse.json({
          choices: [{ message: { content: 'toxic' }, finish_reason: 'stop', logprobs: { content: [{ token: 't', logprob: null }] } }],
          usage: { prompt_tokens: 'n/a' },
        }),
      ),
    );
    expect(await model().generate({ messages, topLogprobs: 2 })).toEqual({ text: 'toxic', finishReason: 'stop' });
  });

  it('returns empty text for empty or null content, so the normalizer can record an empty answer', async () => {
    server.use(http.post(`${BASE}/chat/completions`, () => HttpResponse.json(completion({ content: null }))));
    expect((await model().generate({ messages })).text).toBe('');
    server.use(http.post(`${BASE}/chat/completions`, () => HttpResponse.json(completion({ content: '' }))));
    expect((await model().generate({ messages })).text).toBe('');
  });
});

describe('OpenAIModel errors', () => {
  it('401 is an auth error, not retryable, and the echoed key is redacted', async () => {
    server.use(
      http.post(`${BASE}/chat/completions`, () =>
        HttpResponse.json(
          { error: { message: `Incorrect API key provided: ${KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } },
          { status: 401 },
        ),
      ),
    );
    const err = await failure(model());
    expect(err.kind).toBe('auth');
    expect(err.retryable).toBe(false);
    expect(err.details.status).toBe(401);
    expect(err.message).toContain('Incorrect API key provided');
  });

  it('404 names a missing model', async () => {
    server.use(
      http.post(`${BASE}/chat/completions`, () =>
        HttpResponse.json({ error: { message: 'The model `gpt-nope` does not exist', code: 'model_not_found' } }, { status: 404 }),
      ),
    );
    const err = await failure(model());
    expect(err.kind).toBe('not-found');
    expect(err.message).toContain('gpt-nope');
  });

  it('400 is a bad request, and a content_filter code is a refusal', async () => {
    server.use(http.post(`${BASE}/chat/completions`, () => HttpResponse.json({ error: { message: 'bad' } }, { status: 400 })));
    expect((await failure(model())).kind).toBe('bad-request');
    server.use(
      http.post(`${BASE}/chat/completions`, () =>
        HttpResponse.json({ error: { message: 'filtered', code: 'content_filter' } }, { status: 400 }),
      ),
    );
    expect((await failure(model())).kind).toBe('refusal');
  });

  it('429 carries retry-after seconds, retry-after-ms and HTTP dates', async () => {
    const cases: Array<[Record<string, string>, number, number]> = [
      [{ 'retry-after': '7' }, 7000, 7000],
      [{ 'retry-after-ms': '1500', 'retry-after': '9' }, 1500, 1500],
      [{ 'retry-after': new Date(Date.now() + 30_000).toUTCString() }, 25_000, 30_000],
    ];
    for (const [headers, lo, hi] of cases) {
      server.use(
        http.post(`${BASE}/chat/completions`, () =>
          HttpResponse.json({ error: { message: 'Rate limit reached' } }, { status: 429, headers }),
        ),
      );
      const err = await failure(model());
      expect(err.kind).toBe('rate-limit');
      expect(err.retryable).toBe(true);
      expect(err.details.retryAfterMs).toBeGreaterThanOrEqual(lo);
      expect(err.details.retryAfterMs).toBeLessThanOrEqual(hi);
    }
  });

  it('500 and 503 are retryable server errors; the SDK does not retry by itself', async () => {
    let calls = 0;
    server.use(
      http.post(`${BASE}/chat/completions`, () => {
        calls++;
        return HttpResponse.json({ error: { message: 'boom' } }, { status: 500 });
      }),
    );
    const err = await failure(model());
    expect(err.kind).toBe('server');
    expect(err.retryable).toBe(true);
    expect(calls).toBe(1);
  });

  it('an error body sent with HTTP 200 is a bad response that says what the server said, never the key', async () => {
    server.use(http.post(`${BASE}/chat/completions`, () => HttpResponse.json({ error: { message: 'You exceeded your current quota', type: 'insufficient_quota' } })));
    const err = await failure(model());
    expect(err.kind).toBe('bad-response');
    expect(err.message).toContain('the server sent an error instead of an answer: You exceeded your current quota');
    server.use(http.post(`${BASE}/chat/completions`, () => HttpResponse.json({ error: { message: `invalid key ${KEY}` } })));
    expect((await failure(model())).message).not.toContain(KEY);
  });

  it('malformed JSON and bodies without choices are bad responses', async () => {
    server.use(
      http.post(
        `${BASE}/chat/completions`,
        () => new HttpResponse('{"choices": [', { status: 200, headers: { 'content-type': 'application/json' } }),
      ),
    );
    expect((await failure(model())).kind).toBe('bad-response');
    server.use(http.post(`${BASE}/chat/completions`, () => HttpResponse.json({ choices: [] })));
    expect((await failure(model())).kind).toBe('bad-response');
    server.use(http.post(`${BASE}/chat/completions`, () => HttpResponse.text('hello', { status: 200 })));
    expect((await failure(model())).kind).toBe('bad-response');
  });

  it('a refusal field or a content_filter finish reason is a refusal', async () => {
    server.use(
      http.post(`${BASE}/chat/completions`, () => HttpResponse.json(completion({ content: null, refusal: "I can't help with that." }))),
    );
    const err = await failure(model());
    expect(err.kind).toBe('refusal');
    expect(err.retryable).toBe(false);
    server.use(
      http.post(`${BASE}/chat/completions`, () =>
        HttpResponse.json(completion({ content: '' }, { finish_reason: 'content_filter' })),
      ),
    );
    expect((await failure(model())).kind).toBe('refusal');
  });

  it('a timeout signal gives a retryable timeout, a plain abort gives aborted', async () => {
    server.use(
      http.post(`${BASE}/chat/completions`, async () => {
        await delay(2000);
        return HttpResponse.json(completion({ content: 'late' }));
      }),
    );
    const timeout = await failure(model(), AbortSignal.timeout(50));
    expect(timeout.kind).toBe('timeout');
    expect(timeout.retryable).toBe(true);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const aborted = await failure(model(), controller.signal);
    expect(aborted.kind).toBe('aborted');
    expect(aborted.retryable).toBe(false);
    const sdkTimeout = await failure(model({ timeoutMs: 50 }));
    expect(sdkTimeout.kind).toBe('timeout');
  });

  it('a dropped connection is a retryable connection error', async () => {
    server.use(http.post(`${BASE}/chat/completions`, () => HttpResponse.error()));
    const err = await failure(model());
    expect(err.kind).toBe('connection');
    expect(err.retryable).toBe(true);
  });
});
