import type { GenerateRequest, GenerateResult, ProviderError } from './provider.js';

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
  | { customId: string; status: 'failed'; error: ProviderError };

export interface BatchApi {
  readonly limits: BatchLimits;
  /** One request as the line it adds to a batch (its byte length counts against maxBytes). */
  encode(customId: string, request: GenerateRequest): string;
  /** Undefined when the endpoint has a batch API; otherwise why not (e.g. a compatible server without /v1/batches). */
  unavailable(): Promise<string | undefined>;
  /** Uploads and creates one batch of encoded lines. */
  submit(lines: readonly string[]): Promise<BatchInfo>;
  retrieve(id: string): Promise<BatchInfo>;
  /** Every request's outcome, in whatever order the provider returns them. Only for a `done` batch. */
  results(id: string): AsyncIterable<BatchOutcome>;
  cancel(id: string): Promise<BatchInfo>;
}
