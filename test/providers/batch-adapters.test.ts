import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicModel } from '../../src/providers/anthropic/anthropic-model.js';
import type { BatchOutcome } from '../../src/providers/provider.js';
import { OpenAIModel } from '../../src/providers/openai/openai-model.js';

const KEY = 'sk-test-SECRET123';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const jsonl = (lines: unknown[]) => new HttpResponse(lines.map((l) => JSON.stringify(l)).join('\n') + '\n', { headers: { 'content-type': 'application/octet-stream' } });

async function all(it: AsyncIterable<BatchOutcome>): Promise<BatchOutcome[]> {
  const out: BatchOutcome[] = [];
  for await (const o of it) out.push(o);
  return out;
}

const summary = (o: BatchOutcome) =>
  o.status === 'ok' ? { id: o.customId, text: o.result.text } : o.status === 'failed' ? { id: o.customId, kind: o.error.kind, retryable: o.error.retryable } : { [o.status]: o.error.kind };

describe('OpenAI batch adapter', () => {
  // Built per test, after msw patched fetch.
  const openai = () => new OpenAIModel({ modelId: 'gpt-4o-mini', apiKey: KEY, baseURL: 'http://api.test/v1' });

  it('encodes a request as the live chat completion body under its custom_id', () => {
    const model = openai();
    const line = JSON.parse(model.batch.encode('k1', { messages: [{ role: 'user', content: 'hi' }], temperature: 0, maxTokens: 5 }));
    expect(line).toEqual({ custom_id: 'k1', method: 'POST', url: '/v1/chat/completions', body: model.buildParams({ messages: [{ role: 'user', content: 'hi' }], temperature: 0, maxTokens: 5 }) });
  });

  it('reads the output and error files: answers, refusals, HTTP errors, expired and cancelled requests', async () => {
    const model = openai();
    const body = (content: string | null, refusal: string | null = null) => ({
      id: 'c',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content, refusal }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
    });
    server.use(
      http.get('http://api.test/v1/batches/b1', () =>
        HttpResponse.json({ id: 'b1', object: 'batch', status: 'completed', output_file_id: 'out', error_file_id: 'err', request_counts: { total: 6, completed: 2, failed: 4 }, endpoint: '/v1/chat/completions', input_file_id: 'in', completion_window: '24h', created_at: 1 }),
      ),
      http.get('http://api.test/v1/files/out/content', () =>
        jsonl([
          { custom_id: 'a', response: { status_code: 200, body: body('positive') }, error: null },
          { custom_id: 'b', response: { status_code: 200, body: body(null, 'I cannot') }, error: null },
        ]),
      ),
      http.get('http://api.test/v1/files/err/content', () =>
        jsonl([
          { custom_id: 'c', response: { status_code: 400, body: { error: { message: 'bad param', code: null } } }, error: null },
          { custom_id: 'd', response: { status_code: 500, body: { error: { message: 'oops' } } }, error: null },
          { custom_id: 'e', response: null, error: { code: 'batch_expired', message: 'expired' } },
          { custom_id: 'f', response: null, error: { code: 'batch_cancelled', message: 'cancelled' } },
        ]),
      ),
    );
    expect((await model.batch.retrieve('b1')).counts).toEqual({ total: 6, succeeded: 2, failed: 4, processing: 0 });
    expect((await all(model.batch.results('b1'))).map(summary)).toEqual([
      { id: 'a', text: 'positive' },
      { id: 'b', kind: 'refusal', retryable: false },
      { id: 'c', kind: 'bad-request', retryable: false },
      { id: 'd', kind: 'server', retryable: true },
      { id: 'e', kind: 'timeout', retryable: true },
      { id: 'f', kind: 'aborted', retryable: false },
    ]);
  });

  it('reports a failed batch with the provider messages, and a server without /v1/batches as unavailable', async () => {
    const model = openai();
    server.use(
      http.get('http://api.test/v1/batches/b2', () =>
        HttpResponse.json({ id: 'b2', object: 'batch', status: 'failed', errors: { object: 'list', data: [{ code: 'x', message: 'model not found', line: 3 }] }, endpoint: '/v1/chat/completions', input_file_id: 'in', completion_window: '24h', created_at: 1 }),
      ),
      http.get('http://api.test/v1/batches', () => HttpResponse.json({ error: { message: 'Not Found' } }, { status: 404 })),
    );
    expect(await model.batch.retrieve('b2')).toMatchObject({ status: 'failed', done: true, message: 'line 3: model not found' });
    expect(await model.batch.unavailable()).toBe('the server has no /v1/batches endpoint');
  });
});

describe('Anthropic batch adapter', () => {

  it('streams results: answers, errors by type, expired and cancelled requests; malformed lines are errors', async () => {
    const model = new AnthropicModel({ modelId: 'claude-3-5-haiku-latest', apiKey: KEY, baseURL: 'http://api.test' });
    const ended = { id: 'm1', type: 'message_batch', processing_status: 'ended', request_counts: { processing: 0, succeeded: 1, errored: 2, canceled: 1, expired: 1 }, results_url: 'http://api.test/v1/messages/batches/m1/results', created_at: 'x', expires_at: 'x', ended_at: 'x', archived_at: null, cancel_initiated_at: null };
    server.use(
      http.get('http://api.test/v1/messages/batches/m1', () => HttpResponse.json(ended)),
      http.get('http://api.test/v1/messages/batches/m1/results', () =>
        jsonl([
          { custom_id: 'a', result: { type: 'succeeded', message: { id: 'm', type: 'message', role: 'assistant', model: 'x', content: [{ type: 'text', text: 'negative' }], stop_reason: 'end_turn', usage: { input_tokens: 3, output_tokens: 1 } } } },
          { custom_id: 'b', result: { type: 'errored', error: { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } } } },
          { custom_id: 'c', result: { type: 'errored', error: { type: 'error', error: { type: 'overloaded_error', message: 'busy' } } } },
          { custom_id: 'd', result: { type: 'expired' } },
          { custom_id: 'e', result: { type: 'canceled' } },
        ]),
      ),
    );
    expect(await model.batch.retrieve('m1')).toMatchObject({ status: 'ended', done: true, counts: { total: 5, succeeded: 1, failed: 4, processing: 0 } });
    expect((await all(model.batch.results('m1'))).map(summary)).toEqual([
      { id: 'a', text: 'negative' },
      { id: 'b', kind: 'bad-request', retryable: false },
      { id: 'c', kind: 'server', retryable: true },
      { id: 'd', kind: 'timeout', retryable: true },
      { id: 'e', kind: 'aborted', retryable: false },
    ]);
    // A line of an unknown shape fails its own request; a line without a custom_id names none, and the others are read.
    server.use(http.get('http://api.test/v1/messages/batches/m1/results', () => jsonl([{ custom_id: 'a', result: { type: 'weird' } }, { custom_id: 'd', result: { type: 'expired' } }])));
    expect((await all(model.batch.results('m1'))).map(summary)).toEqual([
      { id: 'a', kind: 'bad-response', retryable: false },
      { id: 'd', kind: 'timeout', retryable: true },
    ]);
    server.use(http.get('http://api.test/v1/messages/batches/m1/results', () => jsonl([{ result: { type: 'expired' } }, { custom_id: 'd', result: { type: 'expired' } }])));
    expect((await all(model.batch.results('m1'))).map(summary)).toEqual([{ unreadable: 'bad-response' }, { id: 'd', kind: 'timeout', retryable: true }]);
  });
});
