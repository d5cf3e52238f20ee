import Anthropic from '@anthropic-ai/sdk';
import { type CallContext, badResponse, errorFromException, errorFromStatus, providerError } from '../error-mapping.js';
import { redactKnownSecrets } from '../redact.js';
import type { BatchApi } from '../provider.js';
import type { GenerateRequest, GenerateResult, LanguageModel } from '../provider.js';
import { AnthropicBatchApi } from './anthropic-batch.js';
import { AnthropicMessageSchema } from './message-schema.js';
import { tooLargeIn } from '../limited-fetch.js';
import { providerFetch } from '../pooled-fetch.js';

export interface AnthropicModelOptions {
  modelId: string;
  apiKey: string;
  /** Without the `/v1` suffix, as the SDK expects (default https://api.anthropic.com). */
  baseURL: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** The Messages API requires an output limit; used when the request names none. */
  defaultMaxTokens?: number;
}

type CreateParams = Anthropic.Messages.MessageCreateParamsNonStreaming;

export const DEFAULT_ANTHROPIC_MAX_TOKENS = 1024;

/**
 * Anthropic has no JSON-schema mode on every model, so structured output is asked for in the
 * system prompt; the normalizer reads the JSON back (and falls back to the text when it is not).
 */
export function jsonInstruction(schema: Record<string, unknown>): string {
  return [
    'Respond with only a JSON object, without code fences or any text before or after it, that matches this JSON schema:',
    JSON.stringify(schema),
  ].join('\n');
}

/** `anthropic:<model>` on the Messages API. */
export class AnthropicModel implements LanguageModel {
  readonly provider = 'anthropic';
  readonly modelId: string;
  readonly supportsLogprobs = false;
  readonly endpoint: string;
  readonly #client: Anthropic;
  readonly #ctx: CallContext;
  readonly #defaultMaxTokens: number;
  readonly batch: BatchApi;

  constructor(options: AnthropicModelOptions) {
    this.modelId = options.modelId;
    this.endpoint = options.baseURL;
    this.#defaultMaxTokens = options.defaultMaxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS;
    this.#ctx = { provider: 'anthropic', model: options.modelId, secrets: [options.apiKey] };
    this.#client = new Anthropic({
      apiKey: options.apiKey,
      // Only the key we were given: an ambient ANTHROPIC_AUTH_TOKEN must not add a second credential.
      authToken: null,
      baseURL: options.baseURL,
      maxRetries: 0,
      logLevel: 'warn',
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
      ...(options.headers ? { defaultHeaders: options.headers } : {}),
      // Bounded bodies: a server sending gigabytes fails one call instead of crashing the process.
      fetch: providerFetch(options.fetch),
    });
    this.batch = new AnthropicBatchApi(this.#client, this.#ctx, {
      encode: (request) => this.buildParams(request),
      parse: (raw) => this.parseMessage(raw),
      mapError: (err) => this.#mapError(err, undefined),
    });
  }

  buildParams(request: GenerateRequest): CreateParams {
    const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content);
    if (request.jsonSchema) system.push(jsonInstruction(request.jsonSchema.schema));
    const params: CreateParams = {
      model: this.modelId,
      max_tokens: request.maxTokens ?? this.#defaultMaxTokens,
      messages: request.messages
        .filter((m) => m.role !== 'system')
        .map((m) => ({ role: m.role === 'assistant' ? 'assistant' : 'user', content: m.content })),
    };
    if (system.length > 0) params.system = system.join('\n\n');
    // No temperature: API version 2026-10-21 (sent by this SDK) rejects every sampling parameter with a 400.
    return params;
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    let raw: unknown;
    try {
      raw = await this.#client.messages.create(this.buildParams(request), request.signal ? { signal: request.signal } : undefined);
    } catch (err) {
      throw this.#mapError(err, request.signal);
    }
    return this.parseMessage(raw);
  }

  /** A Messages API body (live or from a batch's results) as a result, or the ProviderError it amounts to. */
  parseMessage(raw: unknown): GenerateResult {
    const ctx = this.#ctx;
    const parsed = AnthropicMessageSchema.safeParse(raw);
    if (!parsed.success) {
      throw badResponse(ctx, raw, parsed.error.issues[0]);
    }
    const { content, stop_reason: stopReason, usage } = parsed.data;
    const text = content
      .filter((b) => b.type === 'text')
      .map((b) => b.text ?? '')
      .join('');
    if (stopReason === 'refusal') throw providerError('refusal', ctx, `model refused${text.trim() ? `: ${text}` : ''}`);
    return {
      // No text blocks is an answer of nothing: the normalizer records it as an 'empty' abstention.
      // A server echoing the key as its answer must not put it into responses.jsonl, the cache or any report.
      text: redactKnownSecrets(text, ctx.secrets),
      ...(usage ? { usage: { input: usage.input_tokens, output: usage.output_tokens } } : {}),
      ...(stopReason ? { finishReason: stopReason } : {}),
    };
  }

  #mapError(err: unknown, signal: AbortSignal | undefined) {
    if (err instanceof Anthropic.APIError && typeof err.status === 'number') {
      const body = err.error as { error?: { message?: unknown } } | undefined;
      const message = typeof body?.error?.message === 'string' ? body.error.message : err.message;
      return errorFromStatus(this.#ctx, err.status, message, err.headers);
    }
    if (err instanceof Anthropic.APIConnectionTimeoutError) return providerError('timeout', this.#ctx, 'request timed out');
    if (err instanceof Anthropic.APIUserAbortError) return errorFromException(this.#ctx, err, signal ?? AbortSignal.abort());
    if (err instanceof Anthropic.APIConnectionError) {
      const mapped = errorFromException(this.#ctx, err.cause ?? err, signal);
      return mapped.kind === 'bad-response' && !tooLargeIn(err) ? providerError('connection', this.#ctx, `connection failed: ${err.message}`) : mapped;
    }
    // The SDK refusing a request before sending it (e.g. a max_tokens too large for a non-streaming call).
    if (err instanceof Anthropic.AnthropicError) return providerError('bad-request', this.#ctx, `request rejected by the SDK: ${err.message}`);
    return errorFromException(this.#ctx, err, signal);
  }
}
