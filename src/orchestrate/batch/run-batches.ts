import type { BatchApi, BatchInfo } from '../../providers/provider.js';
import { type GenerateRequest, ProviderError } from '../../providers/provider.js';
import type { ResponseCache } from '../cache.js';
import { type Clock, systemClock } from '../clock.js';
import type { ModelHandle } from '../orchestrator.js';
import { type Price, type PriceTable, batchPriceOf, costOf } from '../../task/prices.js';
import type { BatchStore } from './batch-store.js';
import { collectResults } from './collect.js';
import { customIdOf } from './custom-id.js';
import { DEFAULT_POLL, type PollSettings, pollUntilDone } from './poll.js';
import { shardLines } from './shard.js';
import { currentLimits } from '../../task/limits.js';

export interface BatchCall {
  handle: ModelHandle;
  request: GenerateRequest;
}

/** What happens to requests a batch returned as expired, cancelled or errored transiently. */
export type BatchRetry = 'live' | 'batch';

export interface BatchRunOptions {
  /** Every call the run needs; those already cached are not submitted. */
  calls: Iterable<BatchCall>;
  cache: ResponseCache;
  store: BatchStore;
  prices: PriceTable;
  /** USD this run may commit; every batch's estimate is reserved before it is submitted. */
  maxCostUsd?: number;
  /** `live` (default): leave them to the live calls after the batches; `batch`: submit them again in a new batch. */
  retry?: BatchRetry;
  /** Batch rounds at most when `retry` is `batch`. Default 3. */
  maxRounds?: number;
  /** Longest answer kept, in characters, as in live calls. Default: FUSION_MAX_ANSWER_CHARS or 65536. */
  maxAnswerChars?: number;
  /** Output tokens assumed for a request without maxTokens, when estimating a batch's cost. Default 512. */
  assumedOutputTokens?: number;
  poll?: Partial<PollSettings>;
  clock?: Clock;
  /** Stops polling (Ctrl-C): submitted batches go on at the provider and a re-run picks them up. */
  signal?: AbortSignal;
  onNote?: (text: string) => void;
  onProgress?: (progress: BatchProgress) => void;
}

export interface BatchProgress {
  batches: number;
  inProgress: number;
  done: number;
  succeeded: number;
  failed: number;
}

export interface BatchFailure {
  key: string;
  model: string;
  error: ProviderError;
}

export interface BatchRunReport {
  /** Models asked live instead, and why. */
  liveModels: { model: string; reason: string }[];
  batchesSubmitted: number;
  /** Batches of an earlier run found in the store and polled instead of submitting again. */
  batchesResumed: number;
  requestsSubmitted: number;
  /** Calls answered through batches (now in the cache). */
  succeeded: number;
  /** Calls skipped because the cache already had them. */
  fromCache: number;
  /** Failures no live call should repeat (non-retryable, or retries exhausted with `retry: batch`), by cache key. */
  settled: Map<string, ProviderError>;
  /** Every failed request, including those left to live retries. */
  failures: BatchFailure[];
  /** Retryable failures left to live calls (`retry: live`). */
  leftForLive: number;
  /** Whole batches the provider refused, with its message. */
  rejected: { model: string; batchId?: string; message: string }[];
  /** USD of the answers of batches submitted by this run, at batch prices. */
  costUsd: number;
  /** USD of the answers of resumed batches (committed by an earlier run). */
  resumedCostUsd: number;
  stopReason?: 'budget' | 'interrupted';
}

type CallState = 'waiting' | 'submitted' | 'answered' | 'retry' | 'settled';

interface ModelState {
  handle: ModelHandle;
  api: BatchApi;
  price: Price | undefined;
  calls: Map<string, GenerateRequest>;
  state: Map<string, CallState>;
}

interface ActiveBatch {
  model: ModelState;
  keys: string[];
  /** USD reserved for it in this run (0 for a resumed batch). */
  reserved: number;
  resumed: boolean;
}

/** Rough token count for reservations: about 3 characters per token errs on the high side for English. */
function estimateCost(price: Price | undefined, request: GenerateRequest, assumedOutput: number): number {
  if (!price) return 0;
  let chars = 0;
  for (const m of request.messages) chars += m.content.length + 8;
  return costOf(price, { input: Math.ceil(chars / 3), output: request.maxTokens ?? assumedOutput });
}

const transient = (error: unknown): boolean => error instanceof ProviderError && error.retryable;

/**
 * Offline mode's first half: asks every call that is not cached through its provider's batch API
 * (models without one are left to live calls, with a note), and stores the answers in the response
 * cache under the same keys a live call uses, so the live pass that follows finds them there and a
 * batch run and a live run never pay twice. Submitted batches are remembered in `store` before
 * polling: a killed run started again polls them instead of submitting again. Batches are sharded
 * within each provider's request and byte limits, one model per batch; failed requests are retried
 * in a new batch or left to live calls (`retry`), and reported. Works on any subset of calls, so a
 * caller can run it in rounds.
 */
export async function runBatches(options: BatchRunOptions): Promise<BatchRunReport> {
  const { cache, store } = options;
  const retry = options.retry ?? 'live';
  const maxRounds = retry === 'batch' ? Math.max(1, options.maxRounds ?? 3) : 1;
  const assumedOutput = options.assumedOutputTokens ?? 512;
  const note = options.onNote ?? (() => {});
  const report: BatchRunReport = {
    liveModels: [],
    batchesSubmitted: 0,
    batchesResumed: 0,
    requestsSubmitted: 0,
    succeeded: 0,
    fromCache: 0,
    settled: new Map(),
    failures: [],
    leftForLive: 0,
    rejected: [],
    costUsd: 0,
    resumedCostUsd: 0,
  };

  const models = new Map<string, ModelState>();
  const live = new Set<string>();
  for (const { handle, request } of options.calls) {
    if (live.has(handle.name)) continue;
    let m = models.get(handle.name);
    if (!m) {
      const api = handle.model.batch;
      const reason = api ? await api.unavailable() : `${handle.model.provider} has no batch API`;
      if (!api || reason !== undefined) {
        live.add(handle.name);
        report.liveModels.push({ model: handle.name, reason: reason ?? 'no batch API' });
        note(`${handle.name}: ${reason ?? 'no batch API'}; asked with live calls at the full price`);
        continue;
      }
      m = { handle, api, price: batchPriceOf(options.prices, handle.model.provider, handle.model.modelId), calls: new Map(), state: new Map() };
      models.set(handle.name, m);
    }
    const key = customIdOf(handle.model, request, handle.sample);
    if (m.calls.has(key)) continue;
    if (await cache.get(key)) {
      report.fromCache++;
      continue;
    }
    m.calls.set(key, request);
    m.state.set(key, 'waiting');
  }

  const active = new Map<string, ActiveBatch>();
  let reservedUsd = 0;
  for (const m of models.values()) {
    for (const { job, keys } of await store.openJobsFor(m.handle.name, new Set(m.calls.keys()))) {
      active.set(job.batchId, { model: m, keys, reserved: 0, resumed: true });
      for (const k of keys) if (m.state.get(k) === 'waiting') m.state.set(k, 'submitted');
      report.batchesResumed++;
    }
  }
  if (report.batchesResumed > 0) note(`resuming ${report.batchesResumed} batch(es) submitted by an earlier run (not submitted again)`);

  const settle = (m: ModelState, key: string, error: ProviderError): void => {
    m.state.set(key, 'settled');
    report.settled.set(key, error);
    cache.recordFailure(
      { key, provider: m.handle.model.provider, model: m.handle.model.modelId },
      { kind: error.kind, message: error.message, attempts: 1, ...(error.details.status === undefined ? {} : { status: error.details.status }) },
    );
  };

  const submitWaiting = async (): Promise<void> => {
    for (const m of models.values()) {
      const entries = [...m.state].filter(([, s]) => s === 'waiting').map(([key]) => ({ key, line: m.api.encode(key, m.calls.get(key)!) }));
      for (const shard of shardLines(entries, m.api.limits)) {
        const keys = shard.map((e) => e.key);
        const estimate = keys.reduce((sum, k) => sum + estimateCost(m.price, m.calls.get(k)!, assumedOutput), 0);
        if (options.maxCostUsd !== undefined && report.costUsd + reservedUsd + estimate > options.maxCostUsd) {
          report.stopReason = 'budget';
          note(`--max-cost: a batch of ${keys.length} request(s) for ${m.handle.name} (about $${estimate.toFixed(4)}) does not fit the budget; not submitted`);
          return;
        }
        let info: BatchInfo;
        try {
          info = await m.api.submit(shard.map((e) => e.line));
        } catch (error) {
          const pe = error instanceof ProviderError ? error : new ProviderError('bad-response', String(error));
          report.rejected.push({ model: m.handle.name, message: pe.message });
          note(`${m.handle.name}: batch of ${keys.length} request(s) refused: ${pe.message}`);
          // A transient refusal is left to the next run (or live calls); a refusal on the merits fails its calls.
          for (const k of keys) {
            if (pe.retryable) m.state.set(k, 'retry');
            else settle(m, k, pe);
            report.failures.push({ key: k, model: m.handle.name, error: pe });
          }
          continue;
        }
        await store.add({ batchId: info.id, provider: m.handle.model.provider, model: m.handle.name, status: info.status, requests: keys.length, estimatedCost: estimate }, keys);
        reservedUsd += estimate;
        active.set(info.id, { model: m, keys, reserved: estimate, resumed: false });
        for (const k of keys) m.state.set(k, 'submitted');
        report.batchesSubmitted++;
        report.requestsSubmitted += keys.length;
      }
    }
  };

  const onDone = async (info: BatchInfo): Promise<void> => {
    const batch = active.get(info.id);
    if (!batch) return;
    const { model: m, keys } = batch;
    await store.update(info);
    if (info.status === 'failed') {
      const message = info.message ?? 'the provider rejected the batch';
      report.rejected.push({ model: m.handle.name, batchId: info.id, message });
      note(`${m.handle.name}: batch ${info.id} failed validation: ${message}`);
      // A batch refused for a limit of the moment (enqueued tokens) is worth another try; one refused on its merits is not.
      const error = new ProviderError(info.retryable ? 'rate-limit' : 'bad-request', `${m.handle.name}: batch ${info.id} failed validation: ${message}`, {
        provider: m.handle.model.provider,
        model: m.handle.model.modelId,
      });
      for (const k of keys) {
        if (!m.state.has(k)) continue;
        if (error.retryable) m.state.set(k, 'retry');
        else settle(m, k, error);
        report.failures.push({ key: k, model: m.handle.name, error });
      }
      await store.markCollected(info.id, { succeeded: 0, failed: keys.length, cost: 0 });
    } else {
      const { provider, modelId } = m.handle.model;
      const got = await collectResults(
        m.api.results(info.id),
        keys,
        m.price,
        (key, response) => cache.put({ key, provider, model: modelId }, response),
        options.maxAnswerChars ?? currentLimits().maxAnswerChars,
      );
      await cache.flush();
      await store.markCollected(info.id, { succeeded: got.succeeded.length, failed: got.failed.size + got.missing.length, cost: got.cost });
      for (const k of got.succeeded) {
        if (m.state.has(k)) {
          m.state.set(k, 'answered');
          report.succeeded++;
        }
      }
      const missing = new ProviderError('timeout', `${m.handle.name}: no result in batch ${info.id} (${info.status}); treated as expired`, { provider, model: modelId });
      for (const [k, error] of [...got.failed, ...got.missing.map((k) => [k, missing] as const)]) {
        if (!m.state.has(k)) continue;
        report.failures.push({ key: k, model: m.handle.name, error });
        if (error.retryable) m.state.set(k, 'retry');
        else settle(m, k, error);
      }
      if (batch.resumed) report.resumedCostUsd += got.cost;
      else {
        report.costUsd += got.cost;
        reservedUsd -= batch.reserved;
      }
    }
    active.delete(info.id);
  };

  const clock = options.clock ?? systemClock;
  for (let round = 1; ; round++) {
    if (report.stopReason === undefined) await submitWaiting();
    if (active.size > 0) {
      const byId = new Map([...active].map(([id, b]) => [id, b.model.api]));
      const finished = await pollUntilDone([...active.keys()], (id) => byId.get(id)!.retrieve(id), onDone, transient, {
        ...(options.poll ? { settings: options.poll } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        onRound: (infos) =>
          options.onProgress?.({
            batches: infos.length,
            inProgress: infos.filter((i) => !i.done).length,
            done: infos.filter((i) => i.done).length,
            succeeded: infos.reduce((s, i) => s + i.counts.succeeded, 0),
            failed: infos.reduce((s, i) => s + i.counts.failed, 0),
          }),
        onError: (id, error) => note(`polling batch ${id} failed (${error instanceof Error ? error.message : String(error)}); polling again`),
      });
      if (!finished) {
        report.stopReason = 'interrupted';
        break;
      }
    }
    const again = [...models.values()].flatMap((m) => [...m.state].filter(([, s]) => s === 'retry').map(([k]) => [m, k] as const));
    if (again.length === 0 || round >= maxRounds || report.stopReason !== undefined) break;
    note(`submitting ${again.length} failed or expired request(s) again in a new batch (round ${round + 1} of ${maxRounds})`);
    for (const [m, k] of again) m.state.set(k, 'waiting');
    // A refused submission (rate limit, enqueued-token limit) needs time before the next try.
    await clock.sleep({ ...DEFAULT_POLL, ...options.poll }.initialMs, options.signal);
    if (options.signal?.aborted) {
      report.stopReason = 'interrupted';
      break;
    }
  }

  for (const m of models.values()) {
    for (const [k, s] of m.state) {
      if (s !== 'retry') continue;
      if (retry === 'live' && report.stopReason === undefined) report.leftForLive++;
      else if (report.stopReason === undefined) {
        const last = [...report.failures].reverse().find((f) => f.key === k)?.error;
        settle(m, k, last ?? new ProviderError('timeout', `${m.handle.name}: no answer after ${maxRounds} batch round(s)`));
      }
    }
  }
  await cache.flush();
  return report;
}
