import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EnvSource } from '../env.js';
import { type CallContext, errorFromException, providerError } from '../error-mapping.js';
import { type GenerateRequest, type GenerateResult, type LanguageModel, ProviderError } from '../provider.js';
import { type FromWorker, Outbox, type ThreadModelConfig, type ToWorker, deserializeError } from './protocol.js';

/** Worker threads at most, whatever FUSION_MODEL_THREADS says: each holds its own SDK clients and sockets. */
const MAX_THREADS = 16;

/**
 * Worker threads for provider calls: FUSION_MODEL_THREADS, default 0 (every call on the main
 * thread). A thread adds about a millisecond of hand-over per call and only pays when the main
 * thread's CPU is what limits the run: hundreds of calls per second on a machine with a spare core.
 * On the 2-core benchmark machine, 64 calls in flight at 50 ms run faster without one (BENCHMARKS.md).
 */
export function modelThreadsFromEnv(env: EnvSource): number {
  const raw = env.FUSION_MODEL_THREADS?.trim();
  if (raw === undefined || raw === '') return 0;
  if (!/^\d+$/.test(raw)) {
    throw new ProviderError('config', 'FUSION_MODEL_THREADS must be a whole number of worker threads (0 keeps provider calls on the main thread)');
  }
  return Math.min(MAX_THREADS, Number(raw));
}

interface PendingCall {
  resolve: (result: GenerateResult) => void;
  reject: (error: unknown) => void;
  /** The same call on the main thread, for when the worker could not start at all. */
  fallback: () => Promise<GenerateResult>;
  ctx: CallContext;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

class ModelThread {
  readonly pending = new Map<number, PendingCall>();
  /** Models already sent to this thread. */
  readonly models = new Set<number>();
  ready = false;
  stopped = false;

  private readonly outbox: Outbox<ToWorker>;

  constructor(readonly worker: Worker) {
    // An idle worker must not keep the process alive; it is ref'd while calls are pending.
    worker.unref();
    this.outbox = new Outbox((batch) => worker.postMessage(batch));
  }

  post(message: ToWorker): void {
    this.outbox.push(message);
  }

  add(id: number, call: PendingCall): void {
    this.pending.set(id, call);
    if (this.pending.size === 1) this.worker.ref();
  }

  take(id: number): PendingCall | undefined {
    const call = this.pending.get(id);
    if (!call) return undefined;
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    if (call.onAbort) call.signal?.removeEventListener('abort', call.onAbort);
    return call;
  }
}

/** Starts the worker entry; from TypeScript sources (tests, tsx) the worker registers tsx's loader first. */
function startWorker(): Worker {
  const here = import.meta.url;
  const name = 'fusion-model-thread';
  if (!here.endsWith('.ts')) return new Worker(new URL('./model-worker.js', here), { name });
  // tsx's ESM API sits beside the CommonJS file that require.resolve finds.
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./model-worker.ts', here).href;
  const code = `const { register } = await import(${JSON.stringify(tsx)}); register(); await import(${JSON.stringify(entry)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { name });
}

/**
 * Up to `size` worker threads, started on demand; each call goes to the thread with the fewest
 * calls pending. A thread that stops with calls pending fails them as retryable connection errors
 * (the orchestrator retries them on a fresh thread); if a thread cannot start at all, calls run on
 * the main thread instead, so a missing loader costs speed, never answers.
 */
export class ModelThreadPool {
  private readonly threads: ModelThread[] = [];
  private nextCall = 1;
  private startFailure: unknown;

  /** `start` makes one worker running model-worker.ts (replaceable in tests). */
  constructor(
    readonly size: number,
    private readonly start: () => Worker = startWorker,
  ) {}

  /** True once a worker failed to start: calls then run on the main thread. */
  get unavailable(): boolean {
    return this.startFailure !== undefined;
  }

  call(model: number, config: ThreadModelConfig, request: Omit<GenerateRequest, 'signal'>, signal: AbortSignal | undefined, ctx: CallContext, fallback: () => Promise<GenerateResult>): Promise<GenerateResult> {
    const thread = this.pick();
    if (!thread.models.has(model)) {
      thread.post({ type: 'model', model, config });
      thread.models.add(model);
    }
    const id = this.nextCall++;
    return new Promise<GenerateResult>((resolve, reject) => {
      const call: PendingCall = { resolve, reject, fallback, ctx, signal, onAbort: undefined };
      if (signal) {
        call.onAbort = () => {
          if (!thread.take(id)) return;
          thread.post({ type: 'cancel', id });
          reject(errorFromException(ctx, undefined, signal));
        };
        signal.addEventListener('abort', call.onAbort, { once: true });
      }
      thread.add(id, call);
      thread.post({ type: 'call', id, model, request });
    });
  }

  /** Stops every thread (calls still pending fail); the next call starts new ones. */
  async close(): Promise<void> {
    const threads = this.threads.splice(0);
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private pick(): ModelThread {
    let best: ModelThread | undefined;
    for (const t of this.threads) if (!best || t.pending.size < best.pending.size) best = t;
    if (best && (best.pending.size === 0 || this.threads.length >= this.size)) return best;
    return this.spawn();
  }

  private spawn(): ModelThread {
    const thread = new ModelThread(this.start());
    this.threads.push(thread);
    thread.worker.on('message', (batch: FromWorker[]) => {
      for (const message of batch) {
        if (message.type === 'ready') {
          thread.ready = true;
          continue;
        }
        const call = thread.take(message.id);
        if (!call) continue; // cancelled meanwhile
        if (message.type === 'result') call.resolve(message.result);
        else call.reject(deserializeError(message.error));
      }
    });
    thread.worker.on('error', (error) => this.stopped(thread, error));
    thread.worker.on('exit', (code) => this.stopped(thread, new Error(`exit code ${code}`)));
    return thread;
  }

  private stopped(thread: ModelThread, reason: unknown): void {
    if (thread.stopped) return;
    thread.stopped = true;
    const i = this.threads.indexOf(thread);
    if (i >= 0) this.threads.splice(i, 1);
    const neverStarted = !thread.ready;
    if (neverStarted && this.startFailure === undefined) {
      this.startFailure = reason;
      const why = reason instanceof Error ? reason.message : String(reason);
      process.emitWarning(`provider worker thread could not start (${why}); provider calls run on the main thread`);
    }
    for (const id of [...thread.pending.keys()]) {
      const call = thread.take(id);
      if (!call) continue;
      if (neverStarted) call.fallback().then(call.resolve, call.reject);
      else {
        const why = reason instanceof Error ? reason.message : String(reason);
        call.reject(providerError('connection', call.ctx, `the worker thread running this call stopped (${why})`));
      }
    }
  }
}

const pools = new Map<number, ModelThreadPool>();

/** The process-wide pool of `size` threads (one set of SDK clients and keep-alive sockets per thread). */
export function sharedModelThreadPool(size: number): ModelThreadPool {
  let pool = pools.get(size);
  if (!pool) {
    pool = new ModelThreadPool(size);
    pools.set(size, pool);
  }
  return pool;
}

/** Stops the worker threads of every shared pool (for tests; idle threads never keep a process alive). */
export async function closeModelThreads(): Promise<void> {
  await Promise.all([...pools.values()].map((p) => p.close()));
}

/**
 * Model numbers by configuration: models built from the same spec, variables and overrides share
 * one adapter in each thread, so a process that builds models over and over (a `fuse()` call per
 * item, say) does not pile up adapters in its threads.
 */
const modelNumbers = new Map<string, number>();

function modelNumber(config: ThreadModelConfig): number {
  const key = JSON.stringify([config.spec, config.env, config.override, config.transport]);
  let n = modelNumbers.get(key);
  if (n === undefined) {
    n = modelNumbers.size + 1;
    modelNumbers.set(key, n);
  }
  return n;
}

/**
 * A model whose calls run on a worker thread: the same adapter, built there from the same spec,
 * environment and overrides, on the library's keep-alive transport. The SDKs' per-call CPU (request
 * building, HTTP, response parsing and checking) then leaves the main thread, which keeps only the
 * orchestration; at dozens of calls in flight that is what keeps answers from queueing behind each
 * other. Results and ProviderErrors are those of the adapter; an abort fails the call at once (and
 * cancels it in the thread), as adapters do.
 */
export class ThreadedModel implements LanguageModel {
  readonly provider: string;
  readonly modelId: string;
  readonly supportsLogprobs: boolean;
  readonly endpoint?: string;
  // Private: the config carries API keys, which must stay out of JSON.stringify and util.inspect.
  readonly #local: LanguageModel;
  readonly #config: ThreadModelConfig;
  readonly #pool: ModelThreadPool;
  readonly #index: number;
  readonly #ctx: CallContext;

  /** `local` is the adapter built on this thread from `config`: its capabilities, and the fallback. */
  constructor(local: LanguageModel, config: ThreadModelConfig, pool: ModelThreadPool) {
    this.provider = local.provider;
    this.modelId = local.modelId;
    this.supportsLogprobs = local.supportsLogprobs;
    if (local.endpoint !== undefined) this.endpoint = local.endpoint;
    this.#local = local;
    this.#config = config;
    this.#index = modelNumber(config);
    this.#pool = pool;
    this.#ctx = { provider: local.provider, model: local.modelId, secrets: [] };
  }

  generate(request: GenerateRequest): Promise<GenerateResult> {
    const { signal, ...rest } = request;
    if (signal?.aborted) return Promise.reject(errorFromException(this.#ctx, undefined, signal));
    if (this.#pool.unavailable) return this.#local.generate(request);
    return this.#pool.call(this.#index, this.#config, rest, signal, this.#ctx, () => this.#local.generate(request));
  }
}
