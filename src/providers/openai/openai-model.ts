import OpenAI from 'openai';
import type { TokenLogprob } from '../../task/schema.js';
import { type CallContext, badResponse, errorFromException, errorFromStatus, providerError } from '../error-mapping.js';
import { redactKnownSecrets, redactTokens } from '../redact.js';
import type { BatchApi } from '../provider.js';
import type { GenerateRequest, GenerateResult, LanguageModel } from '../provider.js';
import { OpenAIBatchApi } from './openai-batch.js';
import { ChatCompletionSchema, type ChatCompletionBody } from './chat-completion-schema.js';
import { tooLargeIn } from '../limited-fetch.js';
import { providerFetch } from '../pooled-fetch.js';

export interface OpenAIModelOptions {
  modelId: string;
  apiKey: string;
  baseURL: string;
  organization?: string;
  project?: string;
  /** Extra headers, e.g. for a gateway. */
  headers?: Record<string, string>;
  /** SDK-level timeout; the orchestrator normally passes its own signal instead. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** False for servers or models that reject `logprobs` (e.g. reasoning models). */
  supportsLogprobs?: boolean;
  /**
   * Which parameter carries the output limit. OpenAI's own API wants `max_completion_tokens`
   * (reasoning models reject `max_tokens`); many compatible servers only know `max_tokens`.
   * Default: the former for api.openai.com, the latter elsewhere.
   */
  maxTokensParam?: 'max_tokens' | 'max_completion_tokens';
  /**
   * Reasoning models (o1, o3, o4-mini, gpt-5...) reject `temperature` other than 1 and `logprobs`;
   * for them both are left out. Default: guessed from the model id (see isReasoningModelId).
   */
  reasoning?: boolean;
}

/** OpenAI's reasoning families by name; a wrong guess is fixed with the `reasoning` option. */
export function isReasoningModelId(modelId: string): boolean {
  return /^(o\d+(-|$)|gpt-[5-9])/i.test(modelId);
}

type CreateParams = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;

function isOpenAIHost(baseURL: string): boolean {
  try {
    return new URL(baseURL).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

function mapLogprobs(content: NonNullable<NonNullable<ChatCompletionBody['choices'][number]['logprobs']>['content']>): TokenLogprob[] {
  return content.map((t) => ({
    token: t.token,
    logprob: t.logprob,
    ...(t.top_logprobs ? { top_logprobs: t.top_logprobs.map((a) => ({ token: a.token, logprob: a.logprob })) } : {}),
  }));
}

/** `openai:<model>` and any OpenAI-compatible chat completions endpoint. */
export class OpenAIModel implements LanguageModel {
  readonly provider = 'openai';
  readonly modelId: string;
  readonly supportsLogprobs: boolean;
  readonly endpoint: string;
  // Private fields stay out of JSON.stringify and util.inspect, so the key inside the client cannot leak through a logged model.
  readonly #client: OpenAI;
  readonly #ctx: CallContext;
  readonly #maxTokensParam: 'max_tokens' | 'max_completion_tokens';
  readonly #reasoning: boolean;
  readonly batch: BatchApi;

  constructor(options: OpenAIModelOptions) {
    this.modelId = options.modelId;
    this.endpoint = options.baseURL;
    this.#reasoning = options.reasoning ?? isReasoningModelId(options.modelId);
    this.supportsLogprobs = options.supportsLogprobs ?? !this.#reasoning;
    this.#maxTokensParam = options.maxTokensParam ?? (isOpenAIHost(options.baseURL) ? 'max_completion_tokens' : 'max_tokens');
    this.#ctx = { provider: 'openai', model: options.modelId, secrets: [options.apiKey] };
    this.#client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      organization: options.organization ?? null,
      project: options.project ?? null,
      // The orchestrator owns retries and backoff; SDK retries would double-count and hide 429s.
      maxRetries: 0,
      logLevel: 'warn',
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
      ...(options.headers ? { defaultHeaders: options.headers } : {}),
      // Bounded bodies: a server sending gigabytes fails one call instead of crashing the process.
      fetch: providerFetch(options.fetch),
    });
    this.batch = new OpenAIBatchApi(this.#client, this.#ctx, {
      encode: (request) => this.buildParams(request),
      parse: (raw) => this.parseCompletion(raw),
      mapError: (err) => this.#mapError(err, undefined),
    });
  }

  buildParams(request: GenerateRequest): CreateParams {
    const params: CreateParams = {
      model: this.modelId,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
    };
    if (request.temperature !== undefined && !this.#reasoning) params.temperature = request.temperature;
    if (request.maxTokens !== undefined) params[this.#maxTokensParam] = request.maxTokens;
    if (request.topLogprobs !== undefined && this.supportsLogprobs) {
      params.logprobs = true;
      params.top_logprobs = request.topLogprobs;
    }
    if (request.jsonSchema) {
      params.response_format = {
        type: 'json_schema',
        json_schema: { name: request.jsonSchema.name, schema: request.jsonSchema.schema, strict: true },
      };
    }
    return params;
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    let raw: unknown;
    try {
      raw = await this.#client.chat.completions.create(
        this.buildParams(request),
        request.signal ? { signal: request.signal } : undefined,
      );
    } catch (err) {
      throw this.#mapError(err, request.signal);
    }
    return this.parseCompletion(raw);
  }

  /** A chat completion body (live or from a batch output file) as a result, or the ProviderError it amounts to. */
  parseCompletion(raw: unknown): GenerateResult {
    const ctx = this.#ctx;
    const parsed = ChatCompletionSchema.safeParse(raw);
    if (!parsed.success) {
      throw badResponse(ctx, raw, parsed.error.issues[0]);
    }
    const choice = parsed.data.choices[0]!;
    const refusal = choice.message.refusal;
    if (refusal !== undefined && refusal !== null && refusal.trim() !== '') {
      throw providerError('refusal', ctx, `model refused: ${refusal}`);
    }
    if (choice.finish_reason === 'content_filter') throw providerError('refusal', ctx, 'output stopped by the content filter');
    const usage = parsed.data.usage;
    const content = choice.logprobs?.content;
    return {
      // A null or empty content is an answer of nothing: the normalizer records it as an 'empty' abstention.
      // A server echoing the key as its answer must not put it into responses.jsonl, the cache or any report.
      text: redactKnownSecrets(choice.message.content ?? '', ctx.secrets),
      ...(content && content.length > 0 ? { logprobs: redactTokens(mapLogprobs(content), ctx.secrets) } : {}),
      ...(usage ? { usage: { input: usage.prompt_tokens, output: usage.completion_tokens } } : {}),
      ...(choice.finish_reason ? { finishReason: choice.finish_reason } : {}),
    };
  }

  #mapError(err: unknown, signal: AbortSignal | undefined) {
    if (err instanceof OpenAI.APIError && typeof err.status === 'number') {
      const body = err.error as { message?: unknown } | undefined;
      const message = typeof body?.message === 'string' ? body.message : err.message;
      return errorFromStatus(this.#ctx, err.status, message, err.headers, err.code);
    }
    if (err instanceof OpenAI.APIConnectionTimeoutError) {
      return providerError('timeout', this.#ctx, 'request timed out');
    }
    if (err instanceof OpenAI.APIUserAbortError) return errorFromException(this.#ctx, err, signal ?? AbortSignal.abort());
    if (err instanceof OpenAI.APIConnectionError) {
      const mapped = errorFromException(this.#ctx, err.cause ?? err, signal);
      return mapped.kind === 'bad-response' && !tooLargeIn(err) ? providerError('connection', this.#ctx, `connection failed: ${err.message}`) : mapped;
    }
    // The SDK refusing a request before sending it (e.g. a max_tokens too large for a non-streaming call).
    if (err instanceof OpenAI.OpenAIError) return providerError('bad-request', this.#ctx, `request rejected by the SDK: ${err.message}`);
    return errorFromException(this.#ctx, err, signal);
  }
}
