import Anthropic from '@anthropic-ai/sdk';
import type { BatchApi, BatchInfo, BatchOutcome, BatchStatus } from '../provider.js';
import { type CallContext, kindForStatus, providerError } from '../error-mapping.js';
import { ProviderError, type GenerateRequest, type GenerateResult, type ProviderErrorKind } from '../provider.js';
import { unreadableLine } from '../unreadable-line.js';
import { BatchResultLineSchema } from './batch-result-schema.js';

/** What the batch engine borrows from the live adapter, so a batch answer is built and read exactly as a live one. */
export interface AnthropicBatchHooks {
  encode(request: GenerateRequest): Anthropic.Messages.MessageCreateParamsNonStreaming;
  parse(raw: unknown): GenerateResult;
  mapError(err: unknown): ProviderError;
}

/** Anthropic's documented limits: 100,000 requests or 256 MB per batch. */
export const ANTHROPIC_BATCH_LIMITS = { maxRequests: 100_000, maxBytes: 256 * 1000 * 1000 } as const;

/** Anthropic error types of an errored request, as the kinds the orchestrator retries or not. */
const ERROR_KIND: Record<string, ProviderErrorKind> = {
  invalid_request_error: 'bad-request',
  authentication_error: 'auth',
  permission_error: 'auth',
  billing_error: 'auth',
  not_found_error: 'not-found',
  request_too_large: 'bad-request',
  rate_limit_error: 'rate-limit',
  api_error: 'server',
  overloaded_error: 'server',
  timeout_error: 'timeout',
};

/**
 * Anthropic Message Batches through the SDK: `client.messages.batches.create` with the requests
 * inline, poll `retrieve` (processing_status), stream `results` (JSONL, any order) once ended.
 */
export class AnthropicBatchApi implements BatchApi {
  readonly limits = ANTHROPIC_BATCH_LIMITS;
  readonly #client: Anthropic;
  readonly #ctx: CallContext;
  readonly #hooks: AnthropicBatchHooks;

  constructor(client: Anthropic, ctx: CallContext, hooks: AnthropicBatchHooks) {
    this.#client = client;
    this.#ctx = ctx;
    this.#hooks = hooks;
  }

  encode(customId: string, request: GenerateRequest): string {
    return JSON.stringify({ custom_id: customId, params: this.#hooks.encode(request) });
  }

  async unavailable(): Promise<string | undefined> {
    try {
      await this.#client.messages.batches.list({ limit: 1 });
      return undefined;
    } catch (err) {
      if (err instanceof Anthropic.APIError && (err.status === 404 || err.status === 405 || err.status === 501)) {
        return 'the server has no /v1/messages/batches endpoint';
      }
      // Any other answer but a refused key (a gateway's 400, a 500, a 418): the batch engine cannot
      // be relied on, the live calls may still work; a refused key would fail them too.
      if (err instanceof Anthropic.APIError && typeof err.status === 'number' && err.status !== 401 && err.status !== 403) {
        return `the server answered the batch probe (/v1/messages/batches) with HTTP ${err.status}`;
      }
      throw this.#hooks.mapError(err);
    }
  }

  async submit(lines: readonly string[]): Promise<BatchInfo> {
    const requests = lines.map((l) => JSON.parse(l) as Anthropic.Messages.BatchCreateParams.Request);
    try {
      return this.#info(await this.#client.messages.batches.create({ requests }));
    } catch (err) {
      throw this.#hooks.mapError(err);
    }
  }

  async retrieve(id: string): Promise<BatchInfo> {
    try {
      return this.#info(await this.#client.messages.batches.retrieve(id));
    } catch (err) {
      throw this.#hooks.mapError(err);
    }
  }

  async cancel(id: string): Promise<BatchInfo> {
    try {
      return this.#info(await this.#client.messages.batches.cancel(id));
    } catch (err) {
      throw this.#hooks.mapError(err);
    }
  }

  async *results(id: string): AsyncIterable<BatchOutcome> {
    let stream: AsyncIterable<unknown>;
    try {
      stream = await this.#client.messages.batches.results(id);
    } catch (err) {
      throw this.#hooks.mapError(err);
    }
    // A line that cannot be read does not cost the others: it is reported once the stream is read
    // (breaking out of the SDK's stream early leaves its body hanging).
    let unreadable: ProviderError | undefined;
    for await (const line of stream) {
      const outcome = this.#outcome(line);
      if (outcome instanceof ProviderError) unreadable ??= outcome;
      else yield outcome;
    }
    if (unreadable) throw unreadable;
  }

  #outcome(line: unknown): BatchOutcome | ProviderError {
    const checked = BatchResultLineSchema.safeParse(line);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      return unreadableLine(line, providerError('bad-response', this.#ctx, `unexpected batch result line at ${issue?.path.join('.') || 'line'}: ${issue?.message ?? 'invalid'}`));
    }
    const { custom_id: customId, result: r } = checked.data;
    switch (r.type) {
      case 'succeeded':
        try {
          return { customId, status: 'ok', result: this.#hooks.parse(r.message) };
        } catch (err) {
          return { customId, status: 'failed', error: err instanceof ProviderError ? err : this.#hooks.mapError(err) };
        }
      case 'errored': {
        const inner = r.error?.error;
        const kind = ERROR_KIND[inner?.type ?? ''] ?? kindForStatus(500);
        return { customId, status: 'failed', error: providerError(kind, this.#ctx, `batch request errored: ${inner?.message ?? inner?.type ?? 'unknown error'}`) };
      }
      case 'expired':
        return { customId, status: 'failed', error: providerError('timeout', this.#ctx, 'batch request expired before it was processed') };
      case 'canceled':
        return { customId, status: 'failed', error: providerError('aborted', this.#ctx, 'batch request cancelled') };
    }
  }

  #info(batch: Anthropic.Messages.MessageBatch): BatchInfo {
    const c = batch.request_counts;
    const status: BatchStatus = batch.processing_status === 'ended' ? 'ended' : batch.processing_status === 'canceling' ? 'cancelling' : 'in-progress';
    return {
      id: batch.id,
      status,
      done: status === 'ended',
      counts: {
        total: c.processing + c.succeeded + c.errored + c.canceled + c.expired,
        succeeded: c.succeeded,
        failed: c.errored + c.canceled + c.expired,
        processing: c.processing,
      },
    };
  }
}
