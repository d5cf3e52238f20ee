import { randomUUID } from 'node:crypto';
import type { BatchApi, BatchInfo } from '../../providers/provider.js';
import { type GenerateRequest, ProviderError, UnresolvedCreateError } from '../../providers/provider.js';
import type { ResponseCache } from '../cache.js';
import { type Clock, systemClock } from '../clock.js';
import type { ModelHandle } from '../orchestrator.js';
import { type Price, type PriceTable, batchPriceOf, costOf } from '../../task/prices.js';
import type { BatchIntent, BatchStore } from './batch-store.js';
import { collectResults } from './collect.js';
import { customIdOf } from './custom-id.js';
import { DEFAULT_POLL, type PollSettings, pollUntilDone } from './poll.js';
import { shardLines } from './shard.js';
import { lookUpIntent } from './intent-lookup.js';
import { BatchConflictError } from '../store/errors.js';
import { currentLimits } from '../../task/limits.js';
import { usageBoundsOf } from '../token-bound.js';

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

/** What one model's batches of this run answered and cost. */
export interface BatchModelSpend {
  answered: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** Adds `add` to what `perModel` holds for `model` (a first entry starts at zero). */
export function addSpend(perModel: Record<string, BatchModelSpend>, model: string, add: BatchModelSpend): void {
  const s = (perModel[model] ??= { answered: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });
  s.answered += add.answered;
  s.inputTokens += add.inputTokens;
  s.outputTokens += add.outputTokens;
  s.costUsd += add.costUsd;
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
  /** Per model: the answers of batches submitted by this run, paid in this run at batch prices (the live pass then finds them cached). */
  perModel: Record<string, BatchModelSpend>;
  /** Cache keys of those answers: paid in this run, though the live pass finds them in the cache. */
  paidKeys: Set<string>;
  stopReason?: 'budget' | 'interrupted';
  /** Calls whose batch requests the user cancelled: not asked live (the live pass skips them as `cancelled`). */
  cancelled: Set<string>;
  /** Calls another live process is asking or polling a batch for now: left to it (the live pass waits for its answer). */
  elsewhere: number;
  /** Answers whose provider reported a usage no request can cost, per model (charged at the bound). */
  usageProblems: { model: string; count: number; example: string }[];
  /** USD still reserved at the end for batches of this run not read in full (their answers are paid): not free for live calls. */
  openReservedUsd: number;
}

/**
 * waiting: to submit; submitted: in a batch being polled; answered: in the cache; retry: to ask again;
 * settled: failed for good (or its answer is pending at the provider); cancelled: the user cancelled
 * its batch request; elsewhere: another live process holds it.
 */
type CallState = 'waiting' | 'submitted' | 'answered' | 'retry' | 'settled' | 'cancelled' | 'elsewhere';

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

/** The most a request can cost: every byte sent a token (token-bound.ts) and the whole output allowance. No margin is needed: this is a bound, not a guess. */
function estimateCost(price: Price | undefined, request: GenerateRequest, assumedOutput: number): number {
  if (!price) return 0;
  const bounds = usageBoundsOf(request);
  return costOf(price, { input: bounds.input, output: bounds.output ?? assumedOutput });
}

/** OpenAI's status of a batch the user cancelled, and Anthropic's kind of a cancelled request. */
const isCancelledBatch = (info: BatchInfo): boolean => info.status === 'cancelled' || info.status === 'cancelling';

const transient = (error: unknown): boolean => error instanceof ProviderError && error.retryable;

/**
 * Records `info` as the intent's batch. A batch id the store holds for other calls (a provider whose
 * ids restart) is refused by the store (BatchConflictError): noted, and false, so that the caller
 * leaves the create's calls pending (they may have been answered and billed in that batch) and the
 * run goes on with its other calls instead of failing before them, run after run.
 */
async function recordIntentBatch(store: BatchStore, intent: Pick<BatchIntent, 'token' | 'requests'>, info: BatchInfo, model: string, note: (text: string) => void): Promise<boolean> {
  try {
    await store.resolveIntent(intent.token, info);
    return true;
  } catch (error) {
    if (!(error instanceof BatchConflictError)) throw error;
    note(`${model}: the provider's batch for a create cannot be recorded: ${error.message}; its ${intent.requests} call(s) stay pending (not asked again: they may have been answered and billed there)`);
    return false;
  }
}

/**
 * The command that settles a create the lookup cannot tell, when only the user can: every candidate
 * ended and none names the calls (only the user can say no batch is this create's: the list may not
 * show it yet), or several name them (only the user, at the provider's console, can say which is).
 * Named, never taken.
 */
function wayOut(error: unknown, token: string): string {
  if (!(error instanceof UnresolvedCreateError)) return '';
  if (error.reason === 'none-carries') return `; if no batch at the provider is this create's, \`fusion batches abandon ${token}\` (with this --cache) has the next run ask them again`;
  if (error.reason === 'several-carry') return `; once you know which of ${error.batchIds.join(', ')} is this create's (the provider's console shows each batch's requests), \`fusion batches adopt ${token} BATCH_ID\` (with this --cache) has the next run collect it, asking nothing again`;
  return '';
}

/**
 * Intents an earlier run recorded before creating a batch and never resolved (the create's answer
 * was lost, or the run was killed during it): each is looked up at the provider, and becomes a
 * remembered batch (polled like any resumed one) or, when the provider has none, is forgotten. An
 * intent of a live process is its create in progress, and is left to it.
 */
async function resolveIntents(m: ModelState, store: BatchStore, note: (text: string) => void): Promise<void> {
  for (const intent of await store.intentsOf(m.handle.name)) {
    // An intent of a live run is its create in progress: left to it.
    if (intent.live) continue;
    let info: BatchInfo | undefined;
    const keys = await store.keysOfIntent(intent.token);
    try {
      info = await lookUpIntent(store, m.api, intent, keys);
    } catch (error) {
      note(`${m.handle.name}: could not look up a batch an earlier run was creating (${error instanceof Error ? error.message : String(error)}); its ${intent.requests} call(s) stay pending${wayOut(error, intent.token)}`);
      continue;
    }
    if (info) {
      // Refused (another batch's id): the calls stay pending, marked so below with the intent's others.
      if (!(await recordIntentBatch(store, intent, info, m.handle.name, note))) continue;
      // The intent may have been settled meanwhile, its batch unrecorded (the user abandoned it, or
      // another run whose lookup did not list the batch yet dropped it): the batch is still this
      // create's, so it is remembered with the calls it was found by, and collected, not paid again.
      if (!(await store.get(info.id))) {
        await store.add({ batchId: info.id, provider: intent.provider, model: intent.model, status: info.status, requests: intent.requests, estimatedCost: intent.estimatedCost }, [...keys]);
      }
      note(`${m.handle.name}: found batch ${info.id}, created by an earlier run that never recorded it; polled, not submitted again`);
    } else {
      // The list has had the time since the earlier run's look; no documented bound says it is
      // enough, so the user is told, to check the provider's console if a batch shows there later.
      await store.dropIntent(intent.token);
      note(`${m.handle.name}: the provider still lists no batch for a create an earlier run lost the answer to (recorded ${intent.createdAt}); its ${intent.requests} call(s) are asked again`);
    }
  }
}

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
    perModel: {},
    paidKeys: new Set(),
    cancelled: new Set(),
    elsewhere: 0,
    usageProblems: [],
    openReservedUsd: 0,
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

  // Batches an earlier run was creating when it lost the answer (or was killed): found at the
  // provider by their intent token and remembered, or forgotten when the provider has none.
  for (const m of models.values()) {
    await resolveIntents(m, store, note);
    const unknown = await store.intentKeysOf(m.handle.name);
    const pending = new ProviderError('connection', `${m.handle.name}: a batch carrying this call may have been created by another run (not recorded yet); not asked again`);
    for (const k of unknown) {
      if (m.state.get(k) !== 'waiting') continue;
      m.state.set(k, 'settled');
      report.settled.set(k, pending);
    }
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

  // Claim every call this run submits or polls, as a live call would: a live run sharing the cache
  // then waits for the batch's answer instead of paying for it, and a second batch run leaves them
  // to this one. The claims last until each answer is in the cache (or the run ends).
  for (const m of models.values()) {
    const claims = await cache.claimForBatch([...m.state.keys()]);
    for (const [key, claim] of claims) {
      if (claim.status === 'answered') {
        m.state.delete(key);
        report.fromCache++;
      } else if (claim.status === 'busy' && m.state.get(key) === 'waiting') {
        m.state.set(key, 'elsewhere');
        report.elsewhere++;
      }
    }
  }
  if (report.elsewhere > 0) note(`${report.elsewhere} call(s) are being asked by another run sharing the cache; not submitted (their answers are awaited)`);

  const settle = (m: ModelState, key: string, error: ProviderError): void => {
    m.state.set(key, 'settled');
    report.settled.set(key, error);
    cache.recordFailure(
      { key, provider: m.handle.model.provider, model: m.handle.model.modelId },
      { kind: error.kind, message: error.message, attempts: 1, ...(error.details.status === undefined ? {} : { status: error.details.status }) },
    );
  };

  /** Calls whose batch may exist at the provider: neither failed nor asked again; the summary counts them pending. */
  const leavePending = (m: ModelState, keys: readonly string[], error: ProviderError): void => {
    for (const k of keys) {
      m.state.set(k, 'settled');
      report.settled.set(k, error);
    }
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
        // The intent goes on record before the create: a create whose answer is lost (a dropped
        // connection, a kill) is then found at the provider, never created a second time.
        const intent = { token: randomUUID(), provider: m.handle.model.provider, model: m.handle.name, requests: keys.length, estimatedCost: estimate, createdAt: (m.api.now ? await m.api.now() : new Date()).toISOString() };
        await store.addIntent(intent, keys);
        let info: BatchInfo | undefined;
        let submitError: unknown;
        try {
          info = await m.api.submit(shard.map((e) => e.line), intent.token);
        } catch (error) {
          submitError = error;
          // A refusal with a status (auth, invalid, rate limit) created nothing; a lost or garbled answer may have.
          const mayExist = !(error instanceof ProviderError) || ['connection', 'timeout', 'server', 'bad-response', 'aborted'].includes(error.kind);
          if (mayExist) {
            try {
              info = await lookUpIntent(store, m.api, intent, new Set(keys));
              if (info) note(`${m.handle.name}: the provider created batch ${info.id} although its answer was lost (${error instanceof Error ? error.message : String(error)}); polling it`);
            } catch (lookupError) {
              // Neither the create nor the lookup answered: the batch may exist. The intent stays on
              // record and its calls stay pending, for the next run to look up.
              note(`${m.handle.name}: a batch of ${keys.length} request(s) may have been created (${lookupError instanceof Error ? lookupError.message : String(lookupError)}); run the same command again to find it (nothing is submitted twice)`);
              leavePending(m, keys, new ProviderError('connection', `${m.handle.name}: whether the provider created its batch is unknown; run the same command again to find it`));
              continue;
            }
            if (!info) {
              // The create may have reached the provider although its list does not show it yet: the
              // providers document no bound on how soon a new batch is listed. Asking the calls again
              // now could pay for them twice, so the intent stays on record and the next run's lookup,
              // made once the list has had the time between the runs, collects the batch or, finding
              // none, forgets the intent and asks the calls again.
              note(`${m.handle.name}: the answer to the create of a batch of ${keys.length} request(s) was lost (${error instanceof Error ? error.message : String(error)}) and the provider's list of batches does not show it yet; its calls stay pending, not asked again (the batch may exist and be billed); run the same command again later: if the provider lists the batch then, it is collected, and if not, the calls are asked again`);
              leavePending(m, keys, new ProviderError('connection', `${m.handle.name}: whether the provider created its batch is unknown (its list does not show it yet); run the same command again later to find it`));
              continue;
            }
          }
        }
        if (info && !(await recordIntentBatch(store, intent, info, m.handle.name, note))) {
          leavePending(m, keys, new ProviderError('connection', `${m.handle.name}: its batch ${info.id} could not be recorded (the id is on record for other calls); not asked again`));
          continue;
        }
        if (!info) {
          // Only a create refused with a status that says so reaches here without a batch: it created nothing.
          await store.dropIntent(intent.token);
          const error = submitError;
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
        reservedUsd += estimate;
        active.set(info.id, { model: m, keys, reserved: estimate, resumed: false });
        for (const k of keys) m.state.set(k, 'submitted');
        report.batchesSubmitted++;
        report.requestsSubmitted += keys.length;
      }
    }
  };

  /** A request the batch did not answer: cancelled by the user (stopped, never asked live), or a failure to retry or settle. */
  const failOne = (m: ModelState, k: string, error: ProviderError): void => {
    if (!m.state.has(k)) return;
    report.failures.push({ key: k, model: m.handle.name, error });
    if (error.kind === 'aborted') {
      m.state.set(k, 'cancelled');
      report.cancelled.add(k);
    } else if (error.retryable) m.state.set(k, 'retry');
    else settle(m, k, error);
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
      // A batch that failed validation ran nothing and is billed nothing: its reservation is free
      // again (for its own retry, or for the live calls after the batches).
      if (!batch.resumed) reservedUsd -= batch.reserved;
    } else {
      const { provider, modelId } = m.handle.model;
      const got = await collectResults(
        m.api.results(info.id),
        keys,
        m.price,
        // A failed commit is reported by the flush below, once for the whole group.
        (key, response) => void cache.put({ key, provider, model: modelId }, response).catch(() => undefined),
        options.maxAnswerChars ?? currentLimits().maxAnswerChars,
        (key) => {
          const request = m.calls.get(key);
          return request ? usageBoundsOf(request) : undefined;
        },
      );
      await cache.flush();
      if (got.usageProblems.count > 0) {
        const seen = report.usageProblems.find((u) => u.model === m.handle.name);
        if (seen) seen.count += got.usageProblems.count;
        else report.usageProblems.push({ model: m.handle.name, count: got.usageProblems.count, example: got.usageProblems.example ?? '' });
        note(`provider error: ${m.handle.name}: ${got.usageProblems.count} answer(s) of batch ${info.id} with a usage no request can cost (e.g. ${got.usageProblems.example}); charged at the most the request can cost: check the provider's bill`);
      }
      let answered = 0;
      for (const k of got.succeeded) {
        if (m.state.has(k)) {
          m.state.set(k, 'answered');
          report.succeeded++;
          answered++;
          if (!batch.resumed) report.paidKeys.add(k);
        }
      }
      if (batch.resumed) report.resumedCostUsd += got.cost;
      else {
        report.costUsd += got.cost;
        addSpend(report.perModel, m.handle.name, { answered, inputTokens: got.inputTokens, outputTokens: got.outputTokens, costUsd: got.cost });
      }
      if (got.unreadable.count > 0) note(`${m.handle.name}: ${got.unreadable.count} line(s) of the results of batch ${info.id} could not be read (${got.unreadable.first?.message}); the others are kept`);
      if (got.foreign > 0) note(`${m.handle.name}: ${got.foreign} result line(s) of batch ${info.id} name a request it does not carry; ignored, and the requests no line names are not asked again (they may be those, answered and billed)`);
      if (got.cut) {
        // The answers not read are still at the provider, paid: the batch stays open (its reservation
        // too) and a re-run reads them; this run does not ask them live.
        note(`${m.handle.name}: reading the results of batch ${info.id} broke off (${got.cut.message}); ${got.succeeded.length} answer(s) kept; run the same command again to read the rest (not asked live)`);
        const unread = new ProviderError('connection', `${m.handle.name}: the result in batch ${info.id} was not read (the download broke off); run the same command again to read it`, { provider, model: modelId });
        for (const [k, error] of got.failed) failOne(m, k, error);
        for (const k of got.missing) {
          if (!m.state.has(k)) continue;
          m.state.set(k, 'settled');
          report.settled.set(k, unread);
        }
        active.delete(info.id);
        return;
      }
      await store.markCollected(info.id, { succeeded: got.succeeded.length, failed: got.failed.size + got.missing.length, cost: got.cost });
      if (!batch.resumed) reservedUsd -= batch.reserved;
      for (const [k, error] of got.failed) failOne(m, k, error);
      // A request no line answered: of a cancelled batch, cancelled; when some line could not be
      // read or named no request of the batch, possibly answered (and paid) there, so never asked
      // again; otherwise expired.
      const unmatched = got.unreadable.count + got.foreign;
      const missing = unmatched > 0
        ? new ProviderError('bad-response', `${m.handle.name}: no result in batch ${info.id} matches it (${got.unreadable.count} unreadable line(s), ${got.foreign} naming no request of the batch); not asked again, it may have been answered and billed`, { provider, model: modelId })
        : new ProviderError('timeout', `${m.handle.name}: no result in batch ${info.id} (${info.status}); treated as expired`, { provider, model: modelId });
      for (const k of got.missing) failOne(m, k, isCancelledBatch(info) ? new ProviderError('aborted', `${m.handle.name}: batch ${info.id} was cancelled`, { provider, model: modelId }) : missing);
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
  report.openReservedUsd = Math.max(0, reservedUsd);
  return report;
}
