import { DEFAULT_CACHE_PATH, openStore } from '../orchestrate/cache.js';
import { type ModelHandle, Orchestrator, type OrchestratorOptions } from '../orchestrate/orchestrator.js';
import type { OrchestratorStats } from '../orchestrate/stats.js';
import type { RequestOptions } from '../orchestrate/default-request.js';
import type { EnvSource } from '../providers/env.js';
import type { ProviderOverrides } from '../providers/registry.js';
import { InputError, type InputIssue } from '../task/errors.js';
import type { Choice, Task } from '../task/schema.js';
import { type FuseOptions, type FuseQuestionOptions, fuse, fuseQuestion } from './fuse.js';
import type { FusedLine } from '../kinds/classification/rows.js';
import type { QaFusedLine } from '../kinds/qa/rows.js';

export interface FusionClientOptions {
  /** Spec strings (`openai:gpt-4o-mini`, ...) or ready model handles: the models every call asks unless it names others. */
  models: readonly (string | ModelHandle)[];
  /** Calls in flight at once across every fuse() of this client (default 8). */
  concurrency?: number;
  /** Response store shared by the client's calls: a SQLite path or a postgres:// URL, or false for none (default `.fusion/cache.sqlite`, as the CLI). */
  cache?: string | false;
  /** USD this client may spend over all its calls; past it calls are not issued (a hard cap, as the CLI's --max-cost). */
  maxCost?: number;
  /** Other orchestrator options (per-provider limits, prices, timeout, retries). */
  orchestration?: Omit<OrchestratorOptions, 'cache' | 'concurrency' | 'maxCostUsd'>;
  env?: EnvSource;
  overrides?: ProviderOverrides;
  request?: RequestOptions;
  samples?: number;
  /** Which live model each name a saved strategy was fitted with stands for (see AskOptions.modelMap). */
  modelMap?: Readonly<Record<string, string>>;
}

type PerCall<O> = Partial<Omit<O, 'orchestrator' | 'orchestration' | 'cachePath'>>;

/**
 * A client whose calls share one orchestrator: one concurrency limit, one budget, one cache, one
 * set of rate limits. `Promise.all(rows.map((r) => client.fuse(task, r.text)))` over thousands of
 * rows keeps `concurrency` requests in flight, never more, and pays nothing twice.
 */
export interface FusionClient {
  fuse(task: Task, text: string, options?: PerCall<FuseOptions>): Promise<FusedLine>;
  fuseQuestion(task: Task, question: string | { question: string; choices?: readonly Choice[] }, options?: PerCall<FuseQuestionOptions>): Promise<QaFusedLine>;
  /** Calls, cache hits, failures, tokens and spend so far, per model and in total. */
  stats(): OrchestratorStats;
  /** Stops issuing calls (those in flight finish), commits the answers still queued and closes the cache. */
  close(): Promise<void>;
  readonly orchestrator: Orchestrator;
}

/**
 * The numeric options a caller may get wrong, checked before anything is opened: a concurrency of 0
 * or a negative budget would otherwise pass unnoticed (a limit of 1, a client that asks nothing),
 * and 1.5 or NaN would surface as a p-limit TypeError.
 */
function checkClientOptions(options: FusionClientOptions): void {
  const issues: InputIssue[] = [];
  const check = (field: string, value: number | undefined, ok: (v: number) => boolean, what: string): void => {
    if (value !== undefined && !ok(value)) issues.push({ file: 'createFusion', field, message: `must be ${what}, got ${typeof value === 'number' ? String(value) : `${JSON.stringify(value)} (a ${typeof value})`}` });
  };
  check('concurrency', options.concurrency, (v) => Number.isSafeInteger(v) && v >= 1, 'a whole number of at least 1');
  check('maxCost', options.maxCost, (v) => Number.isFinite(v) && v >= 0, 'a number of USD of at least 0');
  check('samples', options.samples, (v) => Number.isSafeInteger(v) && v >= 1, 'a whole number of at least 1');
  if (issues.length > 0) throw new InputError(issues);
}

/** Makes a client (see FusionClient); close it when done to close its cache. Bad numeric options are an InputError naming them. */
export function createFusion(options: FusionClientOptions): FusionClient {
  checkClientOptions(options);
  const cache = options.cache === false ? undefined : openStore(options.cache ?? DEFAULT_CACHE_PATH);
  const orchestrator = new Orchestrator({
    ...options.orchestration,
    concurrency: options.concurrency ?? 8,
    ...(options.maxCost === undefined ? {} : { maxCostUsd: options.maxCost }),
    ...(cache ? { cache } : {}),
  });
  const shared = {
    models: options.models,
    orchestrator,
    ...(options.env ? { env: options.env } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.request ? { request: options.request } : {}),
    ...(options.samples === undefined ? {} : { samples: options.samples }),
    ...(options.modelMap ? { modelMap: options.modelMap } : {}),
  };
  let closed = false;
  return {
    orchestrator,
    fuse: (task, text, o = {}) => fuse(task, text, { ...shared, ...o, orchestrator }) as Promise<FusedLine>,
    fuseQuestion: (task, question, o = {}) => fuseQuestion(task, question, { ...shared, ...o, orchestrator }),
    stats: () => orchestrator.stats(),
    close: async () => {
      if (closed) return;
      closed = true;
      orchestrator.stop('drain', 'interrupted');
      await cache?.close();
    },
  };
}
