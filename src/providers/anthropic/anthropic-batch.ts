import Anthropic from '@anthropic-ai/sdk';
import type { BatchApi, BatchInfo, BatchOutcome, BatchStatus } from '../provider.js';
import { type CallContext, kindForStatus, providerError } from '../error-mapping.js';
import { ProviderError, UnresolvedCreateError, type GenerateRequest, type GenerateResult, type ProviderErrorKind, type SubmitIntent, type UnresolvedCreateReason } from '../provider.js';
import { jsonlLines } from '../jsonl-lines.js';
import { cutDownload, tooLongLine, unreadableLine } from '../unreadable-line.js';
import { currentLimits } from '../../task/limits.js';
import { BatchResultLineSchema } from './batch-result-schema.js';
import { providerNow } from '../provider-clock.js';

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

  now(): Promise<Date> {
    return providerNow(() => this.#client.messages.batches.list({ limit: 1 }).withResponse());
  }

  /**
   * Message Batches carry no metadata: the batch an intent created is the one created since the
   * intent (a minute allowed for clock skew) with exactly its number of requests that no record
   * names. Several such batches (another tool on the same key since the intent), or one that has
   * ended, are told apart by their results once all have ended: the requests' custom_ids are our cache keys, which another
   * tool's requests do not carry. While one still runs, or when none or several carry the keys, none
   * is taken, and the lookup fails rather than answer "none", since "none" would have the calls
   * submitted again (or asked live) while one of them may be this intent's, answered and billed.
   */
  async findSubmitted(intent: SubmitIntent, known: ReadonlySet<string>): Promise<BatchInfo | undefined> {
    const oldest = intent.since.getTime() - 60_000;
    const found: Anthropic.Messages.MessageBatch[] = [];
    try {
      for await (const batch of this.#client.messages.batches.list({ limit: 100 })) {
        const created = Date.parse(batch.created_at);
        if (created < oldest) break;
        const c = batch.request_counts;
        const total = c.processing + c.succeeded + c.errored + c.canceled + c.expired;
        if (total === intent.requests && !known.has(batch.id)) found.push(batch);
      }
    } catch (err) {
      throw this.#hooks.mapError(err);
    }
    // A lone candidate still running is taken (most likely ours; a foreign one's results are flagged
    // when collected); one that has ended is read first, so another tool's batch is never taken as ours.
    const lone = found.length === 1 && found[0]!.processing_status !== 'ended';
    if (found.length === 0 || lone) return found[0] ? this.#info(found[0]) : undefined;
    return this.#info(await this.#carrying(found, intent));
  }

  /** Of several candidate batches, the one whose results name the intent's keys; an error when that cannot be told. */
  async #carrying(found: readonly Anthropic.Messages.MessageBatch[], intent: SubmitIntent): Promise<Anthropic.Messages.MessageBatch> {
    const what = `${found.length} ${found.length === 1 ? 'batch' : 'batches'} of ${intent.requests} request(s) created since ${intent.since.toISOString()} and not on record (${found.map((b) => b.id).join(', ')})`;
    // Built whole, not clipped as a provider's text is: the way forward comes last and must be read.
    const refuse = (reason: UnresolvedCreateReason, ids: readonly string[], why: string): ProviderError =>
      new UnresolvedCreateError(reason, ids, `${this.#ctx.provider}:${this.#ctx.model}: ${what}: ${why}`, { provider: this.#ctx.provider, model: this.#ctx.model });
    const running = found.filter((b) => b.processing_status !== 'ended');
    if (running.length > 0) {
      throw refuse('running', running.map((b) => b.id), `which one this run created is read from their results once they have ended (${running.map((b) => b.id).join(', ')} still running), so none is taken yet and its calls stay pending; run the same command again once they have ended (nothing is submitted twice)`);
    }
    const ours: Anthropic.Messages.MessageBatch[] = [];
    for (const batch of found) if (await this.#carries(batch.id, intent.keys)) ours.push(batch);
    if (ours.length === 1) return ours[0]!;
    const why = ours.length === 0
      ? "the results of none of them name this run's requests"
      : `the results of ${ours.map((b) => b.id).join(' and ')} all name this run's requests (another run with the same requests on another cache?)`;
    throw refuse(ours.length === 0 ? 'none-carries' : 'several-carry', (ours.length === 0 ? found : ours).map((b) => b.id), `${why}, so none is taken and its calls stay pending (nothing is submitted twice, no answer is taken from a batch that may not be this run's)`);
  }

  /** Whether an ended batch's results name one of `keys` (read until the first that does). */
  async #carries(id: string, keys: ReadonlySet<string>): Promise<boolean> {
    for await (const outcome of this.results(id)) {
      if (outcome.status === 'cut') throw outcome.error;
      if ('customId' in outcome && keys.has(outcome.customId)) return true;
    }
    return false;
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

  /**
   * The results file read line by line by our own reader, not the SDK's JSONL decoder (which throws
   * a raw SyntaxError on the first bad line and reads a line of any size whole): a bad line fails its
   * own request (or names none), a line past FUSION_MAX_RESULT_LINE_BYTES likewise, and a download
   * cut short keeps the lines that came whole.
   */
  async *results(id: string): AsyncIterable<BatchOutcome> {
    let body: ReadableStream<Uint8Array> | null;
    try {
      const batch = await this.#client.messages.batches.retrieve(id);
      if (!batch.results_url) throw providerError('bad-response', this.#ctx, `batch ${id} has no results_url (${batch.processing_status})`);
      const response = await this.#client.get<Response>(batch.results_url, { headers: { Accept: 'application/binary' }, stream: true, __binaryResponse: true }).asResponse();
      body = response.body;
    } catch (err) {
      throw err instanceof ProviderError ? err : this.#hooks.mapError(err);
    }
    try {
      for await (const line of jsonlLines(body, currentLimits().maxResultLineBytes)) {
        if (!('text' in line)) {
          yield tooLongLine(line, { provider: this.#ctx.provider, model: this.#ctx.model });
          continue;
        }
        let raw: unknown;
        try {
          raw = JSON.parse(line.text);
        } catch {
          yield unreadableLine(undefined, providerError('bad-response', this.#ctx, `batch result line is not JSON: ${line.text.slice(0, 80)}`));
          continue;
        }
        yield this.#outcome(raw);
      }
    } catch (err) {
      yield cutDownload(this.#hooks.mapError(err));
    }
  }

  #outcome(line: unknown): BatchOutcome {
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
