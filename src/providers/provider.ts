import type { ChatMessage } from '../prompts/chat-message.js';
import type { TokenLogprob } from '../task/schema.js';

export type { ChatMessage };

/**
 * The one small interface every provider adapter implements (in the spirit of the Vercel AI
 * SDK's LanguageModel): a chat request in, text (and logprobs when available) out. Adapters
 * live in their own folders and map their SDK's errors to ProviderError; retries, rate limits,
 * caching and budgets are the orchestrator's job, not the adapter's.
 */
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
  /**
   * Where calls go (base URL or host), without credentials. Part of the cache key: two servers
   * serving the same model id (a local vLLM and a hosted one) are different models.
   */
  readonly endpoint?: string;
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
    readonly details: { status?: number; retryAfterMs?: number; provider?: string; model?: string; code?: string } = {},
  ) {
    super(message);
    this.retryable = RETRYABLE.has(kind);
  }
}

/**
 * Why the provider's list of batches could not tell an intent's batch: `running` (a candidate still
 * runs, so its results cannot be read yet), `none-carries` (every candidate has ended and none names
 * the intent's calls) or `several-carry` (more than one does). Only the user can settle the last two:
 * `none-carries` with `fusion batches abandon` (no batch is ours, as far as the user can see), and
 * `several-carry` with `fusion batches adopt` (naming which is ours: abandoning would pay twice).
 */
export type UnresolvedCreateReason = 'running' | 'none-carries' | 'several-carry';

/** `findSubmitted` could not tell which batch, if any, an intent created: its calls stay pending. */
export class UnresolvedCreateError extends ProviderError {
  constructor(
    readonly reason: UnresolvedCreateReason,
    /** The candidate batches' ids (for `running`, those still running; for `several-carry`, those carrying the calls). */
    readonly batchIds: readonly string[],
    message: string,
    details: { provider?: string; model?: string } = {},
  ) {
    super('bad-response', message, details);
  }
}

/**
 * A provider's batch engine (OpenAI Batch, Anthropic Message Batches), as an optional capability of
 * a LanguageModel: `model.batch`. Requests go in as lines the adapter encodes (so the orchestrator
 * can size shards without knowing the wire format), results come back matched by `customId` and
 * parsed exactly as a live answer of the same model would be. One model per batch.
 */
export interface BatchLimits {
  /** Requests per batch. */
  maxRequests: number;
  /** Bytes of encoded requests per batch. */
  maxBytes: number;
}

/** Where a batch is, in the providers' common terms. */
export type BatchStatus = 'validating' | 'in-progress' | 'finalizing' | 'ended' | 'failed' | 'expired' | 'cancelling' | 'cancelled';

export interface BatchInfo {
  id: string;
  status: BatchStatus;
  /** True once nothing will change any more and results (if any) can be read. */
  done: boolean;
  counts: { total: number; succeeded: number; failed: number; processing: number };
  /** Why the provider rejected the whole batch (validation), in its own words. */
  message?: string;
  /** A rejection for a limit of the moment (e.g. too many tokens enqueued): the same requests may be submitted again later. */
  retryable?: boolean;
}

export type BatchOutcome =
  | { customId: string; status: 'ok'; result: GenerateResult }
  /** `error.retryable` says whether asking again can help (expired, cancelled, server errors). */
  | { customId: string; status: 'failed'; error: ProviderError }
  /** A result line no request can be matched to (not JSON, no custom_id): which call it answered is unknown. */
  | { status: 'unreadable'; error: ProviderError }
  /** The download of the results broke off here (the last outcome): the outcomes before it stand. */
  | { status: 'cut'; error: ProviderError };

/** What was about to be submitted: recorded before the create, so a lost answer can be looked up. */
export interface SubmitIntent {
  token: string;
  since: Date;
  requests: number;
  /** The custom_ids its requests carry: an ended batch whose results name one of them is this intent's. */
  keys: ReadonlySet<string>;
}

export interface BatchApi {
  readonly limits: BatchLimits;
  /** One request as the line it adds to a batch (its byte length counts against maxBytes). */
  encode(customId: string, request: GenerateRequest): string;
  /** Undefined when the endpoint has a batch API; otherwise why not (e.g. a compatible server without /v1/batches). */
  unavailable(): Promise<string | undefined>;
  /**
   * Uploads and creates one batch of encoded lines. `token` marks it where the provider keeps marks
   * (OpenAI: the batch's metadata), so a create whose answer was lost can be found by `findSubmitted`.
   */
  submit(lines: readonly string[], token?: string): Promise<BatchInfo>;
  /**
   * The batch a `submit` with this intent created, looked up in the provider's list of batches:
   * by its token where the provider keeps it, otherwise (Anthropic) the one batch created since
   * `since` with exactly `requests` requests that is not among `known`; of several such batches, the
   * one whose results name the intent's `keys` once all have ended. Undefined when none; an error
   * when the list does not tell (several still running, or none or several of them carrying the
   * keys), as when it cannot be read: the calls stay pending.
   */
  findSubmitted(intent: SubmitIntent, known: ReadonlySet<string>): Promise<BatchInfo | undefined>;
  /**
   * The provider's time now (from its answer to a free list call; the local time when it has none),
   * for the intent `findSubmitted` compares the provider's creation times with. Optional, so a
   * batch engine written before it still runs: without it the intent is stamped by the local clock.
   */
  now?(): Promise<Date>;
  retrieve(id: string): Promise<BatchInfo>;
  /** Every request's outcome, in whatever order the provider returns them. Only for a `done` batch. */
  results(id: string): AsyncIterable<BatchOutcome>;
  cancel(id: string): Promise<BatchInfo>;
}
