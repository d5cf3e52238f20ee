import type { TokenLogprob } from '../task/schema.js';
import type { BatchApi } from './batch-api.js';

/**
 * The one small interface every provider adapter implements (in the spirit of the Vercel AI
 * SDK's LanguageModel): a chat request in, text (and logprobs when available) out. Adapters
 * live in their own folders and map their SDK's errors to ProviderError; retries, rate limits,
 * caching and budgets are the orchestrator's job, not the adapter's.
 */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerateRequest {
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  /** Ask for token logprobs with this many alternatives per token, where the provider can. */
  topLogprobs?: number;
  /** Ask for JSON output matching this JSON schema, where the provider can. */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
  /** Aborts the call (timeout or Ctrl-C). */
  signal?: AbortSignal;
}

export interface GenerateResult {
  text: string;
  logprobs?: TokenLogprob[];
  usage?: { input: number; output: number };
  finishReason?: string;
}

export interface LanguageModel {
  /** `openai`, `anthropic`, `ollama`, ... */
  readonly provider: string;
  /** The provider's model id, e.g. `gpt-4o-mini`. */
  readonly modelId: string;
  /** Capabilities the orchestrator and prompts adapt to. */
  readonly supportsLogprobs: boolean;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  /** The provider's batch engine, when it has one (half price, answers within 24 h). */
  readonly batch?: BatchApi;
}

export type ProviderErrorKind =
  | 'auth'
  | 'not-found'
  | 'bad-request'
  | 'rate-limit'
  | 'server'
  | 'timeout'
  | 'connection'
  | 'bad-response'
  | 'refusal'
  | 'aborted'
  | 'config';

const RETRYABLE: ReadonlySet<ProviderErrorKind> = new Set(['rate-limit', 'server', 'timeout', 'connection']);

/** A provider failure, classified so the orchestrator knows whether to retry and when. Never carries a key. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly retryable: boolean;
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; provider?: string; model?: string } = {},
  ) {
    super(message);
    this.retryable = RETRYABLE.has(kind);
  }
}
