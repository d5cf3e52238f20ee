import { setMaxListeners } from 'node:events';
import pLimit, { type LimitFunction } from 'p-limit';
import { type GenerateRequest, type LanguageModel, ProviderError } from '../providers/provider.js';
import { EndpointHealth } from './endpoint-health.js';
import { Budget } from './budget.js';
import { mayHaveBeenBilled } from './billed-failure.js';
import type { CachedResponse, ResponseCache } from './cache.js';
import { cacheKey } from './cache-key.js';
import { type Clock, systemClock } from './clock.js';
import { DEFAULT_PRICES, type Price, type PriceTable, billsTokens, costOf, priceOf } from '../task/prices.js';
import { currentLimit } from '../task/limits.js';
import { ProviderRateLimiter, type RateLimits } from './rate-limiter.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, backoffDelay, shouldRetry } from './retry.js';
import { type CallStats, type OrchestratorStats, type SkipCause, type StopReason, emptyStats } from './stats.js';
import { type UsageBounds, billableUsage, checkUsage, usageBoundsOf } from './token-bound.js';

/** A model as the orchestrator uses it: its adapter and the name answers are recorded under (the spec string). */
export interface ModelHandle {
  /** e.g. `openai:gpt-4o-mini`; the `model` field of responses.jsonl. */
  name: string;
  model: LanguageModel;
  /**
   * Which answer of this model to the same request this handle asks for (self-consistency: the
   * same model listed once per sample, under the same `name`); absent for a single answer (0).
   */
  sample?: number;
}

export interface ProviderLimits extends RateLimits {
  /** At most this many calls in flight to this provider (within the global limit). */
  concurrency?: number;
}

export interface OrchestratorOptions {
  /** Told of every wait before a retry of at least WAIT_NOTICE_MS (a provider's retry-after may ask for minutes): the user sees why nothing moves. */
  onWait?: (model: string, ms: number, why: string) => void;
  /** Calls in flight across all providers. Default 8. */
  concurrency?: number;
  /** Per-provider limits keyed by provider name (`openai`, `anthropic`, `ollama`, ...). */
  providers?: Readonly<Record<string, ProviderLimits>>;
  retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout. Default 120 s. */
  timeoutMs?: number;
  /** Omit for no caching at all (`--no-cache`). */
  cache?: ResponseCache;
  prices?: PriceTable;
  /** Stop issuing calls once this many USD would be exceeded. */
  maxCostUsd?: number;
  /**
   * Longest answer kept, in characters; longer ones are cut (finishReason `cut`) and counted.
   * Default: FUSION_MAX_ANSWER_CHARS or 65536, read when the orchestrator is made (a bad value is an
   * InputError then, before any call is paid for).
   */
  maxAnswerChars?: number;
  /** Output tokens assumed when reserving budget for a request without maxTokens. Default 512. */
  assumedOutputTokens?: number;
  clock?: Clock;
  random?: () => number;
  /**
   * Calls (cache keys) whose batch requests the user cancelled (`fusion batches cancel`): a cancel
   * says stop, so they are skipped (`cancelled`), never asked live instead.
   */
  cancelledCalls?: ReadonlySet<string>;
  /**
   * Calls (cache keys) this run paid for in its batches: the live pass finds their answers in the
   * store, but the first read of each is a new answer of this run (`cached: false`, so an output
   * line counts its cost), not a cache hit, in the outcome and in the counters alike, so that the
   * progress line and the summary agree at every moment. Later reads are cache hits like any other.
   */
  batchPaidCalls?: ReadonlySet<string>;
}

/** Why a model cannot be asked under a budget: its price is unknown, so its calls would be reserved at nothing and spend uncounted. */
export function unpricedUnderBudget(name: string): string {
  return `no price known for ${name}, so the budget (--max-cost, maxCost) cannot be enforced; give its price (a --prices file, or the prices option)`;
}

/** Cache key of a request to a model: what the orchestrator looks up, a batch request's custom_id, the `request` of a recorded answer. */
export function callKey(handle: ModelHandle, request: GenerateRequest): string {
  return cacheKey(handle.model.provider, handle.model.modelId, request, handle.model.endpoint, handle.sample);
}

export type CallOutcome =
  | { status: 'ok'; response: CachedResponse; cached: boolean; attempts: number }
  | { status: 'failed'; error: ProviderError; attempts: number }
  | { status: 'skipped'; reason: SkipCause };

interface ProviderState {
  limit: LimitFunction;
  rate: ProviderRateLimiter;
}

/** Rough token count for rate limits (not money: the budget reserves the byte bound, token-bound.ts). */
function estimateInputTokens(request: GenerateRequest): number {
  let chars = 0;
  for (const m of request.messages) chars += m.content.length + 8;
  return Math.ceil(chars / 3);
}

function asProviderError(error: unknown, handle: ModelHandle): ProviderError {
  if (error instanceof ProviderError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError('bad-response', `unexpected adapter error: ${message}`, { provider: handle.model.provider, model: handle.model.modelId });
}

/** The listener of raceAbort: an object, not a closure per call in flight. */
class RejectOnAbort {
  constructor(private readonly reject: (reason: unknown) => void) {}
  handleEvent(event: Event): void {
    this.reject((event.target as AbortSignal).reason);
  }
}

/**
 * Settles as `promise` does, or rejects with the signal's reason as soon as it aborts (for adapters
 * that ignore signals). `signal` belongs to one attempt and is dropped with it, so its listener is
 * left in place: a rejection after the promise settled changes nothing.
 */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    signal.addEventListener('abort', new RejectOnAbort(reject), { once: true });
    promise.then(resolve, reject);
  });
}

/** Waits before a retry at least this long are announced (onWait): shorter ones pass unnoticed anyway. */
export const WAIT_NOTICE_MS = 5_000;

/**
 * Runs model calls under every limit at once: a global and per-provider concurrency cap,
 * per-provider request and token rates, retries with backoff on transient failures, a per-call
 * timeout, a cost budget, and a persistent cache so no call is ever paid for twice. Identical
 * requests in flight at the same time share one call.
 *
 * Stopping (`stop`) never loses work: answers already received stay cached; `drain` lets calls in
 * flight finish, `abort` cancels them. Calls not issued come back as `skipped`.
 */
export class Orchestrator {
  private readonly global: LimitFunction;
  private readonly providers = new Map<string, ProviderState>();
  private readonly inflight = new Map<string, Promise<CallOutcome>>();
  private readonly policy: RetryPolicy;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly prices: PriceTable;
  private readonly budget: Budget;
  private readonly timeoutMs: number;
  private readonly assumedOutputTokens: number;
  private readonly maxAnswerChars: number;
  /** Fires on any stop: wakes rate-limit and backoff waits so they give up. */
  private readonly stopController = new AbortController();
  /** Fires on `stop('abort')`: cancels calls in flight. */
  private readonly abortController = new AbortController();
  /**
   * The controllers of the attempts in flight, aborted by `stop('abort')`: a set entry per call
   * rather than a listener and a closure of its own on the run's signal, which every call in flight
   * kept alive (and each young-generation collection copied).
   */
  private readonly attempts = new Set<AbortController>();
  private stopReasonValue: StopReason | undefined;
  private readonly total: CallStats = emptyStats();
  private readonly perModel: Record<string, CallStats> = {};
  private inFlightNow = 0;
  /** Per model: how many times more output tokens than assumed a request without max_tokens got, at most. */
  private readonly outputScale = new Map<string, number>();
  /** Per model: answers whose reported usage no request can cost (negative, not counts, past the bound), and one example. */
  private readonly usageProblems = new Map<string, { count: number; example: string }>();
  /** Priced models whose real output usage has been seen; until then their uncapped calls go out one at a time under a budget. */
  private readonly usageSeen = new Set<string>();
  /** Per model: the call probing its real usage, when one is in flight. */
  private readonly probes = new Map<string, Promise<void>>();
  private maxInFlightSeen = 0;
  /** Per model and failure kind: how many calls failed after all attempts, and the last message. */
  private readonly failureLog = new Map<string, Map<string, { count: number; example: string }>>();
  /** Endpoints given up after their first attempts all failed fatally (see endpoint-health.ts). */
  private readonly endpoints = new EndpointHealth();
  /** Batch answers of this run not read back yet (see OrchestratorOptions.batchPaidCalls). */
  private readonly batchPaid: Set<string> | undefined;

  constructor(private readonly options: OrchestratorOptions = {}) {
    this.batchPaid = options.batchPaidCalls && options.batchPaidCalls.size > 0 ? new Set(options.batchPaidCalls) : undefined;
    this.global = pLimit(Math.max(1, options.concurrency ?? 8));
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.prices = options.prices ?? DEFAULT_PRICES;
    this.budget = new Budget(options.maxCostUsd);
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.assumedOutputTokens = options.assumedOutputTokens ?? 512;
    // Once per run, not per answer: each read of the environment is a call into the runtime, and
    // a bad value read after an answer arrived made that paid answer fail.
    this.maxAnswerChars = options.maxAnswerChars ?? currentLimit('maxAnswerChars');
    // Every call in flight or waiting listens to these two: hundreds of listeners are expected.
    setMaxListeners(0, this.stopController.signal, this.abortController.signal);
  }

  /** The global concurrency limit. */
  get concurrency(): number {
    return this.global.concurrency;
  }

  get stopReason(): StopReason | undefined {
    return this.stopReasonValue;
  }

  /** Signal that fires when the run is asked to stop (for loops feeding the orchestrator). */
  get stopSignal(): AbortSignal {
    return this.stopController.signal;
  }

  /**
   * Problems that must stop a run before its first call: with a budget, every paid model needs a
   * known price, or the budget could not be enforced.
   */
  checkModels(handles: readonly ModelHandle[]): string[] {
    if (this.options.maxCostUsd === undefined) return [];
    return handles
      .filter((h) => this.priceOfModel(h.model.provider, h.model.modelId) === undefined)
      .map((h) => unpricedUnderBudget(h.name));
  }

  /** Stops issuing calls. `drain` lets calls in flight finish; `abort` cancels them too. */
  stop(mode: 'drain' | 'abort', reason: StopReason = 'interrupted'): void {
    this.stopReasonValue ??= reason;
    if (!this.stopController.signal.aborted) this.stopController.abort();
    if (mode === 'abort' && !this.abortController.signal.aborted) {
      this.abortController.abort(new ProviderError('aborted', 'call cancelled by the user'));
      for (const attempt of this.attempts) attempt.abort(this.abortController.signal.reason);
    }
  }

  stats(): OrchestratorStats {
    const perModel: Record<string, CallStats> = {};
    for (const [k, v] of Object.entries(this.perModel)) perModel[k] = { ...v };
    return {
      total: { ...this.total },
      perModel,
      inFlight: this.inFlightNow,
      maxInFlight: this.maxInFlightSeen,
      ...(this.stopReasonValue ? { stopReason: this.stopReasonValue } : {}),
    };
  }

  /** Calls that failed after all attempts, per model and kind, with one message each: what the user must fix. */
  failureReasons(): { model: string; kind: string; count: number; example: string }[] {
    const out: { model: string; kind: string; count: number; example: string }[] = [];
    for (const [model, kinds] of this.failureLog) for (const [kind, v] of kinds) out.push({ model, kind, ...v });
    return out;
  }

  /**
   * Answers whose provider reported a usage no request can cost: a provider error, flagged here and
   * charged at the most the request can cost (never a credit, never more than was reserved).
   */
  usageReports(): { model: string; count: number; example: string }[] {
    return [...this.usageProblems].map(([model, v]) => ({ model, ...v }));
  }

  /** Spend of this run so far, in USD. */
  get spentUsd(): number {
    return this.budget.spent;
  }

  /** Cache key of a request to a model (what `call` looks up). */
  keyOf(handle: ModelHandle, request: GenerateRequest): string {
    return callKey(handle, request);
  }

  /** One answer of `handle` to `request`: from the cache, or from the provider under all limits. `key`: `keyOf(handle, request)`, when the caller has it already. */
  call(handle: ModelHandle, request: GenerateRequest, key = this.keyOf(handle, request)): Promise<CallOutcome> {
    if (this.options.cancelledCalls?.has(key)) return Promise.resolve(this.skip(handle.name, 'cancelled'));
    const shared = this.inflight.get(key);
    if (shared) {
      this.bump(handle.name, (s) => s.cacheHits++);
      return shared.then((o) => (o.status === 'ok' ? { ...o, cached: true } : o));
    }
    // Registered before the first await, so identical requests made meanwhile share this lookup and call.
    const p = this.lookupThenExecute(handle, request, key).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async lookupThenExecute(handle: ModelHandle, request: GenerateRequest, key: string): Promise<CallOutcome> {
    let hit;
    try {
      hit = await this.options.cache?.get(key);
    } catch (e) {
      return this.storeFailed(handle, e);
    }
    if (hit) return this.stored(handle, key, hit);
    return this.execute(handle, request, key);
  }

  /** An answer found in the store: a cache hit, unless it is the first read of an answer this run paid for in its batches. */
  private stored(handle: ModelHandle, key: string, response: CachedResponse): CallOutcome {
    if (this.batchPaid?.delete(key)) return { status: 'ok', response, cached: false, attempts: 0 };
    this.bump(handle.name, (s) => {
      s.cacheHits++;
      s.cachedCostUsd += response.cost ?? 0;
    });
    return { status: 'ok', response, cached: true, attempts: 0 };
  }

  private providerState(provider: string): ProviderState {
    let s = this.providers.get(provider);
    if (!s) {
      const limits = this.options.providers?.[provider] ?? {};
      s = {
        limit: pLimit(Math.max(1, limits.concurrency ?? this.global.concurrency)),
        rate: new ProviderRateLimiter(limits, this.clock),
      };
      this.providers.set(provider, s);
    }
    return s;
  }

  private bump(model: string, f: (s: CallStats) => void): void {
    let s = this.perModel[model];
    if (!s) {
      s = emptyStats();
      this.perModel[model] = s;
    }
    f(s);
    f(this.total);
  }

  private skip(model: string, reason: SkipCause): CallOutcome {
    this.bump(model, (s) => s.skipped++);
    return { status: 'skipped', reason };
  }

  /**
   * Claims the call in the store first, so a run sharing the store never pays for it too: when
   * another run holds the claim under a live lease, waits for its answer (a cache hit), for it to
   * give up, or for its lease to lapse (a killed run), and then takes the call over.
   */
  private async execute(handle: ModelHandle, request: GenerateRequest, key: string): Promise<CallOutcome> {
    const cache = this.options.cache;
    if (!cache?.mode.write) return this.callProvider(handle, request, key);
    let waited = false;
    for (;;) {
      if (this.stopReasonValue) return this.skip(handle.name, this.stopReasonValue);
      let claim;
      try {
        claim = await cache.claim(key, cache.mode.read || waited);
      } catch (e) {
        return this.storeFailed(handle, e);
      }
      if (claim.status === 'answered') return this.stored(handle, key, claim.response);
      if (claim.status === 'claimed') break;
      if (claim.status === 'batch') return this.pendingInBatch(handle, claim.batchId);
      waited = true;
      // Real time, whatever the clock: another process's answer arrives in real time.
      try {
        await cache.waitForRelease(key, this.stopController.signal);
      } catch (e) {
        return this.storeFailed(handle, e);
      }
    }
    try {
      return await this.callProvider(handle, request, key);
    } finally {
      cache.release(key);
    }
  }

  /**
   * A call paid for in a provider batch that no live process polls: its answer comes from there, so
   * it is not bought again live. It fails (not recorded: a re-run after the batch is collected finds
   * the answer) with what the user can do.
   */
  private pendingInBatch(handle: ModelHandle, batchId: string): CallOutcome {
    const { provider, modelId } = handle.model;
    const where = batchId === 'being created' ? 'a batch whose creation was interrupted' : `batch ${batchId}`;
    const error = new ProviderError(
      'config',
      `${handle.name}: already paid for in ${where}, pending at the provider: run the --batch command that submitted it again to collect it (fusion batches lists it); not asked again live`,
      { provider, model: modelId },
    );
    this.countFailure(handle.name, 'pending-batch', error.message);
    return { status: 'failed', error, attempts: 0 };
  }

  private async callProvider(handle: ModelHandle, request: GenerateRequest, key: string): Promise<CallOutcome> {
    const { provider, modelId } = handle.model;
    const state = this.providerState(provider);
    const price = this.priceOfModel(provider, modelId);
    // Under a budget an unpriced call would reserve nothing and spend uncounted: it is not sent,
    // whichever caller forgot to check the models first (checkModels).
    if (this.options.maxCostUsd !== undefined && price === undefined) {
      const error = new ProviderError('config', `${handle.name}: ${unpricedUnderBudget(handle.name)}`, { provider, model: modelId });
      this.countFailure(handle.name, 'unpriced', error.message);
      return { status: 'failed', error, attempts: 0 };
    }
    const rateIn = estimateInputTokens(request);
    const bounds = usageBoundsOf(request);
    const estOut = request.maxTokens ?? this.assumedOutputTokens;
    return state.limit(async () => {
      for (let attempt = 1; ; attempt++) {
        if (this.stopReasonValue) return this.skip(handle.name, this.stopReasonValue);
        const dead = this.endpoints.deadError(handle);
        if (dead) return this.fail(handle, key, dead, attempt - 1);
        // Under a budget, a request without max_tokens has no bound on its output: until a priced
        // model's first such answer shows its real output, its calls go out one at a time.
        let endProbe: (() => void) | undefined;
        const paid = this.options.maxCostUsd !== undefined && billsTokens(price);
        while (paid && bounds.output === undefined && !this.usageSeen.has(handle.name)) {
          const probe = this.probes.get(handle.name);
          if (!probe) {
            this.probes.set(handle.name, new Promise<void>((resolve) => (endProbe = resolve)));
            break;
          }
          await probe;
        }
        // Worst case: every byte sent a token (the most any tokenizer bills, token-bound.ts) plus
        // the whole output allowance (max_tokens; without one, the assumption scaled by what was seen).
        const estOutNow = bounds.output ?? Math.ceil(estOut * (this.outputScale.get(handle.name) ?? 1));
        const estCost = price ? costOf(price, { input: bounds.input, output: estOutNow }) : 0;
        if (state.rate.active) {
          await state.rate.acquire(rateIn + estOut, this.stopController.signal);
          if (this.stopReasonValue) {
            this.endProbe(handle.name, endProbe);
            return this.skip(handle.name, this.stopReasonValue);
          }
        }
        const result = await this.global(async () => {
          const r = await this.attemptOnce(handle, request, price, estCost, { ...bounds, output: estOutNow }, bounds.output !== undefined);
          // A paid answer holds its slot until it is committed: a kill -9 then loses at most the calls
          // holding a slot, however slow the store is (answers received while a commit is under way
          // would otherwise pile up unstored).
          if (typeof r === 'object' && 'response' in r) await this.saveAnswer(handle, key, r.response);
          return r;
        });
        const answered = typeof result === 'object' && 'response' in result ? result.response : undefined;
        if (answered?.usage && bounds.output === undefined && estOut > 0 && answered.usage.output > estOut) {
          this.outputScale.set(handle.name, Math.max(this.outputScale.get(handle.name) ?? 1, answered.usage.output / estOut));
        }
        if (answered) this.usageSeen.add(handle.name);
        this.endProbe(handle.name, endProbe);
        if (result === 'budget') {
          this.stop('drain', 'budget');
          return this.skip(handle.name, 'budget');
        }
        if (result === 'stopped') return this.skip(handle.name, this.stopReasonValue ?? 'interrupted');
        if (state.rate.active) {
          const used = 'response' in result && result.response.usage ? result.response.usage.input + result.response.usage.output : rateIn + estOut;
          state.rate.settle(rateIn + estOut, used);
        }
        if ('response' in result) {
          this.endpoints.succeeded(handle);
          const response = result.response;
          this.bump(handle.name, (s) => {
            s.successes++;
            s.inputTokens += response.usage?.input ?? 0;
            s.outputTokens += response.usage?.output ?? 0;
            s.costUsd += response.cost ?? 0;
            s.latencyMs += response.latencyMs;
          });
          return { status: 'ok', response, cached: false, attempts: attempt };
        }
        const error = result.error;
        if (error.kind === 'aborted' && this.abortController.signal.aborted) {
          return this.skip(handle.name, this.stopReasonValue ?? 'interrupted');
        }
        this.endpoints.failed(handle, error);
        if (shouldRetry(error, attempt, this.policy)) {
          // Stopped runs make no retries; the call is left for the resumed run, not marked failed.
          if (this.stopReasonValue) return this.skip(handle.name, this.stopReasonValue);
          this.bump(handle.name, (s) => s.retries++);
          const delay = backoffDelay(attempt, this.policy, this.random, error.details.retryAfterMs);
          if (delay >= WAIT_NOTICE_MS) this.options.onWait?.(handle.name, delay, error.details.retryAfterMs === undefined ? error.kind : `${error.kind}, retry-after`);
          await this.clock.sleep(delay, this.stopController.signal);
          continue;
        }
        return this.fail(handle, key, error, attempt);
      }
    });
  }

  /** Each model's price, looked up once: a model without an exact entry is matched against every prefix of the table. */
  private readonly priceByModel = new Map<string, Price | undefined>();

  private priceOfModel(provider: string, modelId: string): Price | undefined {
    const name = `${provider}:${modelId}`;
    if (this.priceByModel.has(name)) return this.priceByModel.get(name);
    const price = priceOf(this.prices, provider, modelId);
    this.priceByModel.set(name, price);
    return price;
  }

  private flagUsage(model: string, problem: string): void {
    const seen = this.usageProblems.get(model) ?? { count: 0, example: problem };
    this.usageProblems.set(model, { count: seen.count + 1, example: seen.example });
  }

  /** Answers received (paid) that the cache could not store, and why (the first reason): the run still returns them. */
  private unsaved = 0;
  private unsavedReason: string | undefined;

  get unsavedAnswers(): { count: number; reason?: string } {
    return { count: this.unsaved, ...(this.unsavedReason ? { reason: this.unsavedReason } : {}) };
  }

  /**
   * Stores a paid answer in the cache. A cache that cannot take it (disk full, read-only, corrupt)
   * must not lose the answer: the call still succeeds with it, and the failure is counted so the
   * run can say so (a re-run would pay for it again).
   */
  private async saveAnswer(handle: ModelHandle, key: string, response: CachedResponse): Promise<void> {
    try {
      await this.options.cache?.put({ key, provider: handle.model.provider, model: handle.model.modelId }, response);
    } catch (e) {
      this.unsaved++;
      this.unsavedReason ??= e instanceof Error ? `${e.message}${'code' in e ? ` (${String(e.code)})` : ''}` : String(e);
    }
  }

  /**
   * A call the store could not look up or claim (a PostgreSQL restarted, a connection cut): nothing
   * was sent, so nothing was paid. It fails like a call that used up its retries (counted, named with
   * the store's message, exit 4, retried by the same command), and the run goes on: the store's next
   * connection may work again. Not recorded in that store.
   */
  private storeFailed(handle: ModelHandle, e: unknown): CallOutcome {
    const { provider, modelId } = handle.model;
    const error = new ProviderError('config', e instanceof Error ? e.message : `the store failed: ${String(e)}`, { provider, model: modelId });
    this.countFailure(handle.name, 'store', error.message);
    return { status: 'failed', error, attempts: 0 };
  }

  /** One failed call of `model`: counted, and logged by kind with its first message. */
  private countFailure(model: string, kind: string, message: string): void {
    this.bump(model, (s) => s.failures++);
    let kinds = this.failureLog.get(model);
    if (!kinds) this.failureLog.set(model, (kinds = new Map()));
    const seen = kinds.get(kind) ?? { count: 0, example: '' };
    kinds.set(kind, { count: seen.count + 1, example: message });
  }

  /** A call that failed after all its attempts: counted, logged by kind, recorded in the cache. */
  private fail(handle: ModelHandle, key: string, error: ProviderError, attempts: number): CallOutcome {
    const { provider, modelId } = handle.model;
    this.countFailure(handle.name, error.kind, error.message);
    this.options.cache?.recordFailure(
      { key, provider, model: modelId },
      { kind: error.kind, message: error.message, attempts, ...(error.details.status === undefined ? {} : { status: error.details.status }) },
    );
    return { status: 'failed', error, attempts };
  }

  /** Lets the next call of a model go out once its probing call is settled (whatever the outcome). */
  private endProbe(model: string, end: (() => void) | undefined): void {
    if (!end) return;
    this.probes.delete(model);
    end();
  }

  /** One request inside a global slot: budget reservation, timeout, accounting. */
  private async attemptOnce(
    handle: ModelHandle,
    request: GenerateRequest,
    price: Price | undefined,
    estCost: number,
    bounds: UsageBounds,
    outputCapped: boolean,
  ): Promise<'budget' | 'stopped' | { response: CachedResponse } | { error: ProviderError }> {
    // The run may have stopped while this call waited for a slot: then it is not issued at all.
    if (this.stopReasonValue) return 'stopped';
    if (!(await this.budget.reserve(estCost))) return 'budget';
    this.bump(handle.name, (s) => s.requests++);
    this.inFlightNow++;
    if (this.inFlightNow > this.maxInFlightSeen) this.maxInFlightSeen = this.inFlightNow;
    const ac = new AbortController();
    const timeout = (): void => ac.abort(new ProviderError('timeout', `${handle.name}: no answer within ${this.timeoutMs} ms`, { provider: handle.model.provider, model: handle.model.modelId }));
    // The deadline aborts after the loop's next read of the sockets, not before: when the event loop
    // was stalled past it (a synchronous wait on a locked store), timers run before I/O, and an answer
    // that arrived during the stall would be thrown away, charged as timed out and bought again.
    let deadline: NodeJS.Immediate | undefined;
    const timer = setTimeout(() => (deadline = setImmediate(timeout)), this.timeoutMs);
    this.attempts.add(ac);
    if (this.abortController.signal.aborted) ac.abort(this.abortController.signal.reason);
    const started = performance.now();
    let actualCost = 0;
    try {
      const result = await raceAbort(handle.model.generate({ ...request, signal: ac.signal }), ac.signal);
      const maxChars = this.maxAnswerChars;
      const cut = result.text.length > maxChars;
      // A server may ignore max_tokens: an answer past the limit is cut before it reaches the cache or any file.
      const response: CachedResponse = { text: cut ? result.text.slice(0, maxChars) : result.text, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
      if (result.logprobs) response.logprobs = result.logprobs;
      // The output bound is only the tool's when the request capped it; otherwise it is the assumption.
      const hard: UsageBounds = outputCapped ? bounds : { input: bounds.input };
      const verdict = checkUsage(result.usage, hard, { priced: billsTokens(price), text: result.text });
      if (verdict.usage) response.usage = verdict.usage;
      if (verdict.problem) this.flagUsage(handle.name, verdict.problem);
      if (result.finishReason !== undefined) response.finishReason = result.finishReason;
      if (cut) {
        response.finishReason = 'cut';
        this.bump(handle.name, (s) => s.cut++);
      }
      if (price) {
        // Without usable usage, charge the worst case: under-counting would let a budget overrun.
        // A report past the bound is charged at the bound: no honest bill for this request is larger.
        actualCost = verdict.usage ? costOf(price, billableUsage(verdict.usage, hard)) : estCost;
        response.cost = actualCost;
      }
      return { response };
    } catch (e) {
      // A timeout or cancellation wins over whatever the adapter made of the abort.
      const error = ac.signal.aborted && ac.signal.reason instanceof ProviderError ? ac.signal.reason : asProviderError(e, handle);
      // Sent and perhaps carried out (a timeout, a dropped connection, an unreadable answer): the
      // provider may bill it, so the budget counts its bound, as for an answer without usage.
      if (price && mayHaveBeenBilled(error)) {
        actualCost = estCost;
        this.bump(handle.name, (s) => (s.costUsd += estCost));
      }
      return { error };
    } finally {
      clearTimeout(timer);
      if (deadline) clearImmediate(deadline);
      this.attempts.delete(ac);
      this.inFlightNow--;
      this.budget.settle(estCost, actualCost);
    }
  }
}
