import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { readAnswerBody } from '../../src/providers/answer-body.js';
import { ProviderError } from '../../src/providers/provider.js';
import { AnthropicMessageSchema, readMessage } from '../../src/providers/anthropic/message-schema.js';
import { ChatCompletionSchema, readChatCompletion } from '../../src/providers/openai/chat-completion-schema.js';
import { OllamaChatResponseSchema, readChatResponse } from '../../src/providers/ollama/chat-response-schema.js';

const top = [
  { token: 'positive', logprob: -0.05, bytes: null },
  { token: 'negative', logprob: -3.2, bytes: [110] },
];

/** Answers as the providers send them, extra keys included. */
const OPENAI = [
  {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'positive', refusal: null },
        finish_reason: 'stop',
        logprobs: { content: [{ token: 'positive', logprob: -0.05, bytes: null, top_logprobs: top }], refusal: null },
      },
    ],
    usage: { prompt_tokens: 42, completion_tokens: 1, total_tokens: 43 },
  },
  { choices: [{ message: { content: null }, logprobs: null, finish_reason: null }, { message: { content: 'b', refusal: 'no' } }], usage: null },
  { choices: [{ message: {}, logprobs: { content: [{ token: 'a', logprob: 0, top_logprobs: null }, { token: 'b', logprob: -1 }] } }] },
];
const ANTHROPIC = [
  {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-3-5-haiku-latest',
    content: [{ type: 'text', text: 'positive', citations: null }, { type: 'thinking', thinking: '...' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 40, output_tokens: 2, cache_read_input_tokens: 0 },
  },
  { content: [], stop_reason: null, usage: null },
];
const OLLAMA = [
  {
    model: 'llama3.1',
    created_at: '2026-12-06T00:00:00Z',
    message: { role: 'assistant', content: 'positive', thinking: 'x' },
    done: true,
    done_reason: 'stop',
    prompt_eval_count: 40,
    eval_count: 2,
    logprobs: [{ token: 'positive', logprob: -0.05, top_logprobs: [{ token: 'positive', logprob: -0.05 }, { token: 'neutral', logprob: -4 }] }],
  },
  { message: { content: null }, done_reason: null, prompt_eval_count: null, logprobs: null },
];

const REPLACEMENTS: unknown[] = [undefined, null, 'x', '', 0, -1.5, Number.NaN, Number.POSITIVE_INFINITY, true, [], {}, [1], [{}], { token: 'a' }];

/** Every body one change away from `body`: each value anywhere in it deleted or replaced by each of REPLACEMENTS. */
function variants(body: unknown): unknown[] {
  const out: unknown[] = REPLACEMENTS.slice();
  if (Array.isArray(body)) {
    body.forEach((v, i) => {
      for (const w of variants(v)) out.push(body.map((x, j) => (j === i ? w : x)));
      out.push(body.filter((_, j) => j !== i));
    });
  } else if (typeof body === 'object' && body !== null) {
    for (const [k, v] of Object.entries(body)) {
      for (const w of variants(v)) out.push({ ...body, [k]: w });
      const { [k]: _, ...rest } = body as Record<string, unknown>;
      out.push(rest);
    }
  }
  return out;
}

const CTX = { provider: 'p', model: 'm', secrets: [] };

describe.each([
  ['openai chat completion', OPENAI, readChatCompletion, ChatCompletionSchema],
  ['anthropic message', ANTHROPIC, readMessage, AnthropicMessageSchema],
  ['ollama chat response', OLLAMA, readChatResponse, OllamaChatResponseSchema],
] as [string, unknown[], (raw: unknown) => unknown, z.ZodType][])('the plain reader of an %s', (_name, bodies, read, schema) => {
  it('reads the answers providers send, without the schema, as the schema does', () => {
    for (const body of bodies) {
      const plain = read(body);
      expect(plain).toBeDefined();
      expect(plain).toEqual(schema.parse(body));
    }
  });

  it('returns what the schema returns, or gives up, on every body one change away', () => {
    let read0 = 0;
    let gaveUp = 0;
    for (const body of bodies) {
      for (const v of variants(body)) {
        const plain = read(v);
        const checked = schema.safeParse(v);
        if (plain === undefined) {
          gaveUp++;
          continue;
        }
        read0++;
        expect(checked.success, JSON.stringify(v)).toBe(true);
        expect(plain, JSON.stringify(v)).toEqual(checked.data);
      }
    }
    // Both sides exercised: bodies the plain reader takes, and bodies it leaves to the schema.
    expect(read0).toBeGreaterThan(20);
    expect(gaveUp).toBeGreaterThan(20);
  });

  it('leaves the verdict on a bad body to the schema: its message names the first problem', () => {
    for (const body of bodies) {
      for (const v of variants(body)) {
        const checked = schema.safeParse(v);
        if (checked.success) expect(readAnswerBody(v, read, schema, CTX)).toEqual(checked.data);
        else {
          const issue = checked.error.issues[0];
          const thrown = (() => {
            try {
              readAnswerBody(v, read, schema, CTX);
            } catch (e) {
              return e;
            }
            return undefined;
          })();
          expect(thrown).toBeInstanceOf(ProviderError);
          expect((thrown as ProviderError).kind).toBe('bad-response');
          expect((thrown as ProviderError).message).toContain(`unexpected response shape at ${issue?.path.join('.') || 'body'}`);
        }
      }
    }
  });
});
