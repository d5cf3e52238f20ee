import { Ollama, type ChatRequest } from 'ollama';
import type { TokenLogprob } from '../../task/schema.js';
import { type CallContext, badResponse, errorFromException, errorFromStatus, providerError } from '../error-mapping.js';
import { redactKnownSecrets, redactTokens } from '../redact.js';
import type { GenerateRequest, GenerateResult, LanguageModel } from '../provider.js';
import { OllamaChatResponseSchema, OllamaErrorBodySchema } from './chat-response-schema.js';
import { providerFetch } from '../pooled-fetch.js';

export interface OllamaModelOptions {
  modelId: string;
  /** e.g. http://127.0.0.1:11434 (OLLAMA_HOST). */
  host: string;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** False for servers older than 0.12.11, which ignore the logprobs request. */
  supportsLogprobs?: boolean;
}

async function serverMessage(response: Response): Promise<string | undefined> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = OllamaErrorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data.error;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.trim() === '' ? undefined : text;
}

/** `ollama:<model>` on the ollama client's non-streaming chat. */
export class OllamaModel implements LanguageModel {
  readonly provider = 'ollama';
  readonly modelId: string;
  readonly supportsLogprobs: boolean;
  readonly endpoint: string;
  readonly #host: string;
  readonly #headers: Record<string, string> | undefined;
  readonly #fetch: typeof fetch;
  readonly #ctx: CallContext;

  constructor(options: OllamaModelOptions) {
    this.modelId = options.modelId;
    this.supportsLogprobs = options.supportsLogprobs ?? true;
    this.#host = options.host;
    this.endpoint = options.host;
    this.#headers = options.headers;
    // Bounded bodies: a server sending gigabytes fails one call instead of crashing the process.
    this.#fetch = providerFetch(options.fetch);
    this.#ctx = { provider: 'ollama', model: options.modelId, secrets: Object.values(options.headers ?? {}).flatMap((v) => [v, v.replace(/^Bearer\s+/i, '')]) };
  }

  buildRequest(request: GenerateRequest): ChatRequest & { stream: false } {
    const options: Record<string, number> = {};
    if (request.temperature !== undefined) options.temperature = request.temperature;
    if (request.maxTokens !== undefined) options.num_predict = request.maxTokens;
    return {
      model: this.modelId,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      stream: false,
      ...(request.jsonSchema ? { format: request.jsonSchema.schema } : {}),
      ...(request.topLogprobs !== undefined && this.supportsLogprobs ? { logprobs: true, top_logprobs: request.topLogprobs } : {}),
      ...(Object.keys(options).length > 0 ? { options } : {}),
    };
  }

  /**
   * The ollama client takes no per-call signal and turns HTTP errors into a bare message without
   * headers (and console.logs on non-JSON bodies), so each call gets a fetch that carries our
   * signal and classifies error answers itself, with retry-after intact.
   */
  #fetchFor(signal: AbortSignal | undefined): typeof fetch {
    const ctx = this.#ctx;
    const inner = this.#fetch;
    return async (input, init) => {
      let response: Response;
      try {
        response = await inner(input, { ...init, ...(signal ? { signal } : {}) });
      } catch (err) {
        throw errorFromException(ctx, err, signal);
      }
      if (!response.ok) throw errorFromStatus(ctx, response.status, await serverMessage(response), response.headers);
      return response;
    };
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const ctx = this.#ctx;
    const client = new Ollama({
      host: this.#host,
      fetch: this.#fetchFor(request.signal),
      ...(this.#headers ? { headers: this.#headers } : {}),
    });
    let raw: unknown;
    try {
      raw = await client.chat(this.buildRequest(request));
    } catch (err) {
      throw errorFromException(ctx, err, request.signal);
    }
    const parsed = OllamaChatResponseSchema.safeParse(raw);
    if (!parsed.success) {
      throw badResponse(ctx, raw, parsed.error.issues[0]);
    }
    const body = parsed.data;
    const logprobs: TokenLogprob[] | undefined = body.logprobs?.map((t) => ({
      token: t.token,
      logprob: t.logprob,
      ...(t.top_logprobs ? { top_logprobs: t.top_logprobs.map((a) => ({ token: a.token, logprob: a.logprob })) } : {}),
    }));
    const hasUsage = typeof body.prompt_eval_count === 'number' || typeof body.eval_count === 'number';
    return {
      // A proxy echoing its token as the answer must not put it into responses.jsonl, the cache or any report.
      text: redactKnownSecrets(body.message.content ?? '', this.#ctx.secrets),
      ...(logprobs && logprobs.length > 0 ? { logprobs: redactTokens(logprobs, this.#ctx.secrets) } : {}),
      ...(hasUsage ? { usage: { input: body.prompt_eval_count ?? 0, output: body.eval_count ?? 0 } } : {}),
      ...(body.done_reason ? { finishReason: body.done_reason } : {}),
    };
  }
}
