import OpenAI, { toFile } from 'openai';
import type { BatchApi, BatchInfo, BatchOutcome, BatchStatus } from '../provider.js';
import { type CallContext, errorFromStatus, providerError } from '../error-mapping.js';
import { jsonlLines } from '../jsonl-lines.js';
import { cutDownload, tooLongLine, unreadableLine } from '../unreadable-line.js';
import { currentLimits } from '../../task/limits.js';
import { BatchErrorBodySchema, BatchOutputLineSchema } from './batch-output-schema.js';
import { ProviderError, type GenerateRequest, type GenerateResult, type SubmitIntent } from '../provider.js';
import { providerNow } from '../provider-clock.js';

/** What the batch engine borrows from the live adapter, so a batch answer is built and read exactly as a live one. */
export interface OpenAIBatchHooks {
  encode(request: GenerateRequest): OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
  parse(raw: unknown): GenerateResult;
  mapError(err: unknown): ProviderError;
}

/** The metadata key a batch's intent token goes under. */
const INTENT_KEY = 'fusion_intent';

/** OpenAI's documented limits: 50,000 requests and 200 MB per input file. */
export const OPENAI_BATCH_LIMITS = { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 } as const;

const STATUS: Record<OpenAI.Batches.Batch['status'], BatchStatus> = {
  validating: 'validating',
  in_progress: 'in-progress',
  finalizing: 'finalizing',
  completed: 'ended',
  failed: 'failed',
  expired: 'expired',
  cancelling: 'cancelling',
  cancelled: 'cancelled',
};


/**
 * OpenAI Batch through the SDK: upload the JSONL with `client.files.create` (purpose `batch`),
 * `client.batches.create` on /v1/chat/completions with a 24 h window, poll `client.batches.retrieve`,
 * then read the output and error files with `client.files.content`.
 */
export class OpenAIBatchApi implements BatchApi {
  readonly limits = OPENAI_BATCH_LIMITS;
  readonly #client: OpenAI;
  readonly #ctx: CallContext;
  readonly #hooks: OpenAIBatchHooks;

  constructor(client: OpenAI, ctx: CallContext, hooks: OpenAIBatchHooks) {
    this.#client = client;
    this.#ctx = ctx;
    this.#hooks = hooks;
  }

  encode(customId: string, request: GenerateRequest): string {
    return JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: this.#hooks.encode(request) });
  }

  async unavailable(): Promise<string | undefined> {
    try {
      await this.#client.batches.list({ limit: 1 });
      return undefined;
    } catch (err) {
      if (err instanceof OpenAI.APIError && (err.status === 404 || err.status === 405 || err.status === 501)) {
        return 'the server has no /v1/batches endpoint';
      }
      // Any other answer but a refused key (a gateway's 400, a 500, a 418): the batch engine cannot
      // be relied on, the live calls may still work; a refused key would fail them too.
      if (err instanceof OpenAI.APIError && typeof err.status === 'number' && err.status !== 401 && err.status !== 403) {
        return `the server answered the batch probe (/v1/batches) with HTTP ${err.status}`;
      }
      throw this.#hooks.mapError(err);
    }
  }

  async submit(lines: readonly string[], token?: string): Promise<BatchInfo> {
    try {
      const file = await this.#client.files.create({
        file: await toFile(Buffer.from(`${lines.join('\n')}\n`, 'utf8'), 'fusion-batch.jsonl', { type: 'application/jsonl' }),
        purpose: 'batch',
      });
      return this.#info(
        await this.#client.batches.create({
          input_file_id: file.id,
          endpoint: '/v1/chat/completions',
          completion_window: '24h',
          ...(token === undefined ? {} : { metadata: { [INTENT_KEY]: token } }),
        }),
      );
    } catch (err) {
      throw this.#hooks.mapError(err);
    }
  }

  now(): Promise<Date> {
    return providerNow(() => this.#client.batches.list({ limit: 1 }).withResponse());
  }

  async findSubmitted(intent: SubmitIntent): Promise<BatchInfo | undefined> {
    // Newest first: stop paging at batches older than the intent (with a minute for clock skew).
    const oldest = intent.since.getTime() / 1000 - 60;
    try {
      for await (const batch of this.#client.batches.list({ limit: 100 })) {
        if (batch.metadata?.[INTENT_KEY] === intent.token) return this.#info(batch);
        if (batch.created_at < oldest) return undefined;
      }
      return undefined;
    } catch (err) {
      throw this.#hooks.mapError(err);
    }
  }

  async retrieve(id: string): Promise<BatchInfo> {
    try {
      return this.#info(await this.#client.batches.retrieve(id));
    } catch (err) {
      throw this.#hooks.mapError(err);
    }
  }

  async cancel(id: string): Promise<BatchInfo> {
    try {
      return this.#info(await this.#client.batches.cancel(id));
    } catch (err) {
      throw this.#hooks.mapError(err);
    }
  }

  async *results(id: string): AsyncIterable<BatchOutcome> {
    let batch: OpenAI.Batches.Batch;
    try {
      batch = await this.#client.batches.retrieve(id);
    } catch (err) {
      throw this.#hooks.mapError(err);
    }
    for (const fileId of [batch.output_file_id, batch.error_file_id]) {
      if (!fileId) continue;
      let response: Response;
      try {
        response = await this.#client.files.content(fileId);
      } catch (err) {
        throw this.#hooks.mapError(err);
      }
      // Each line stands alone: a bad one fails its own request (or names none), the others are kept;
      // a download cut short keeps the lines that came whole and says so.
      try {
        for await (const line of jsonlLines(response.body, currentLimits().maxResultLineBytes)) {
          yield 'text' in line ? this.#outcome(line.text) : tooLongLine(line, { provider: this.#ctx.provider, model: this.#ctx.model });
        }
      } catch (err) {
        yield cutDownload(this.#hooks.mapError(err));
        return;
      }
    }
  }

  #outcome(line: string): BatchOutcome {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return unreadableLine(undefined, providerError('bad-response', this.#ctx, `batch output line is not JSON: ${line.slice(0, 80)}`));
    }
    const checked = BatchOutputLineSchema.safeParse(raw);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      return unreadableLine(raw, providerError('bad-response', this.#ctx, `unexpected batch output line at ${issue?.path.join('.') || 'line'}: ${issue?.message ?? 'invalid'}`));
    }
    const { custom_id: customId, response, error } = checked.data;
    if (response?.status_code === 200) {
      try {
        return { customId, status: 'ok', result: this.#hooks.parse(response.body) };
      } catch (err) {
        return { customId, status: 'failed', error: err instanceof ProviderError ? err : this.#hooks.mapError(err) };
      }
    }
    if (response) {
      const body = BatchErrorBodySchema.safeParse(response.body);
      const e = body.success ? body.data.error : undefined;
      return { customId, status: 'failed', error: errorFromStatus(this.#ctx, response.status_code, e?.message ?? undefined, undefined, e?.code ?? undefined) };
    }
    const code = error?.code ?? 'error';
    const message = error?.message ?? code;
    // Expired requests were never run: asking again is the remedy. Cancelled ones were the user's choice.
    const kind = code === 'batch_expired' ? 'timeout' : code === 'batch_cancelled' ? 'aborted' : 'bad-request';
    return { customId, status: 'failed', error: providerError(kind, this.#ctx, `batch request ${code}: ${message}`) };
  }

  #info(batch: OpenAI.Batches.Batch): BatchInfo {
    const status = STATUS[batch.status] ?? 'in-progress';
    const counts = batch.request_counts ?? { total: 0, completed: 0, failed: 0 };
    const message = batch.errors?.data?.map((e) => `${e.line ? `line ${e.line}: ` : ''}${e.message ?? e.code ?? 'invalid'}`).join('; ');
    // The organisation's enqueued-token limit refuses a batch for now, not for good.
    const retryable = status === 'failed' && (batch.errors?.data ?? []).some((e) => e.code === 'token_limit_exceeded');
    return {
      id: batch.id,
      status,
      done: status === 'ended' || status === 'failed' || status === 'expired' || status === 'cancelled',
      counts: {
        total: counts.total,
        succeeded: counts.completed,
        failed: counts.failed,
        processing: Math.max(0, counts.total - counts.completed - counts.failed),
      },
      ...(message ? { message } : {}),
      ...(retryable ? { retryable } : {}),
    };
  }
}
