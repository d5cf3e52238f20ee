import { type CacheMode, CACHE_URL_ENV, DEFAULT_CACHE_PATH, type ResponseCache, StoreLocationError, leaseMs, openStore, storeLocation } from '../orchestrate/cache.js';
import { type ModelHandle, Orchestrator, type OrchestratorOptions, type ProviderLimits } from '../orchestrate/orchestrator.js';
import { DEFAULT_PRICES, loadPrices, type PriceTable } from '../task/prices.js';
import { formatUsd } from '../orchestrate/progress.js';
import type { BatchModelSpend } from '../orchestrate/batch/run-batches.js';
import type { CallStats, OrchestratorStats } from '../orchestrate/stats.js';
import { withBatchSpend } from './batch-spend.js';
import { loadProviderLimits } from '../orchestrate/provider-limits.js';
import { EXIT_CALLS_FAILED, EXIT_STORAGE, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { numericOption } from './numeric-option.js';
import { ProgressReporter } from './progress-line.js';
import { onStopSignals, signalName } from './signals.js';
import { currentLimits } from '../task/limits.js';
import { type Shard, parseShard } from '../util/item-shard.js';

/** `parseArgs` option definitions shared by every command that calls models (`run`, `eval --models`). */
export const ORCHESTRATION_ARGS = {
  concurrency: { type: 'string' },
  'max-cost': { type: 'string' },
  cache: { type: 'string' },
  'no-cache': { type: 'boolean', default: false },
  refresh: { type: 'boolean', default: false },
  prices: { type: 'string' },
  limits: { type: 'string' },
  timeout: { type: 'string' },
  'max-attempts': { type: 'string' },
  progress: { type: 'boolean', default: false },
  shard: { type: 'string' },
} as const;

export const orchestrationHelp = `Calling models:
  --concurrency N    calls in flight across all providers (default 8)
  --limits FILE      per-provider limits, JSON: {"openai": {"concurrency": 16, "rpm": 500, "tpm": 200000}}
  --max-cost USD     stop issuing new calls once this much would be spent in this run
  --prices FILE      JSON price overrides, USD per 1M tokens: {"openai:gpt-4o-mini": {"input": 0.15, "output": 0.6}}
  --cache PATH|URL   response store: a SQLite file (default ${DEFAULT_CACHE_PATH}, or ${CACHE_URL_ENV}), or
                     postgres://user@host/db shared by workers on many machines; a re-run makes no call twice
  --no-cache         neither read nor write the cache
  --refresh          ignore cached answers but store the new ones
  --timeout SECONDS  per-call timeout (default 120)
  --max-attempts N   attempts per call on 429, 5xx, timeouts and dropped connections (default 5)
  --progress         progress on stderr even when it is not a terminal
  --shard K/N        take only the items whose id hashes to K of N (0 <= K < N): N workers with
                     --shard 0/N .. N-1/N on one shared --cache split a run; any overlap is paid once
Ctrl-C, SIGTERM and SIGHUP stop issuing calls and let calls in flight finish (twice: cancel them); everything done is kept.
--max-cost is a hard cap, batches included: each call reserves the most it can cost first (a token per byte
sent, the whole max_tokens); usage a provider reports beyond that is flagged and charged at it.
Runs sharing a cache never pay for the same call, live or in a batch; a killed run's claims lapse after
FUSION_CLAIM_LEASE_MS (default 30000) and another run takes them over.
Limits (environment): FUSION_MAX_LINE_BYTES (JSONL and stdin lines, default 1048576),
FUSION_MAX_FILE_BYTES (task, template, prices files, default 16777216), FUSION_MAX_LABELS (default 1000),
FUSION_MAX_ANSWER_CHARS (answers longer are cut and counted, default 65536),
FUSION_MAX_RESULT_LINE_BYTES (a longer batch result line fails its request, default 33554432),
FUSION_MAX_RESPONSE_BYTES (a provider body larger fails its call, default 33554432).
Keys and endpoints come from OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, OLLAMA_HOST.
`;

export interface OrchestrationValues {
  concurrency?: string;
  'max-cost'?: string;
  cache?: string;
  'no-cache'?: boolean;
  refresh?: boolean;
  prices?: string;
  limits?: string;
  timeout?: string;
  'max-attempts'?: string;
  progress?: boolean;
  shard?: string;
}

export interface OrchestrationSettings {
  concurrency: number;
  maxCostUsd?: number;
  /** null: `--no-cache`. `path` is a SQLite file or a postgres:// URL; `leaseMs` from FUSION_CLAIM_LEASE_MS. */
  cache: { path: string; mode: CacheMode; leaseMs: number } | null;
  prices: PriceTable;
  providers: Record<string, ProviderLimits>;
  timeoutMs: number;
  maxAttempts: number;
  progress: boolean;
  /** `--shard K/N`: this worker's share of the items. */
  shard?: Shard;
}

/** `--cache`, else FUSION_CACHE_URL, else the default file; an unknown scheme is a usage error. */
export function cacheLocation(flag: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): string {
  try {
    return storeLocation(flag, env);
  } catch (e) {
    if (e instanceof StoreLocationError) throw new UsageError(e.message);
    throw e;
  }
}

/** Turns the parsed flags into settings, reading the prices and limits files (InputError on bad ones). */
export function readOrchestrationArgs(values: OrchestrationValues, env: Readonly<Record<string, string | undefined>> = process.env): OrchestrationSettings {
  if (values['no-cache'] && values.refresh) throw new UsageError('--no-cache and --refresh contradict each other');
  if (values['no-cache'] && values.cache !== undefined) throw new UsageError('--no-cache and --cache contradict each other');
  const maxCostUsd = numericOption('max-cost', values['max-cost'], 'positive number');
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (shard && 'error' in shard) throw new UsageError(shard.error);
  if (shard && values['no-cache']) throw new UsageError('--shard needs the shared --cache (the workers meet there): drop --no-cache');
  return {
    ...(shard ? { shard } : {}),
    concurrency: numericOption('concurrency', values.concurrency, 'positive integer') ?? 8,
    ...(maxCostUsd === undefined ? {} : { maxCostUsd }),
    cache: values['no-cache']
      ? null
      : { path: cacheLocation(values.cache, env), mode: { read: !values.refresh, write: true }, leaseMs: leaseMs(env) },
    prices: values.prices ? loadPrices(values.prices) : DEFAULT_PRICES,
    providers: values.limits ? loadProviderLimits(values.limits) : {},
    timeoutMs: (numericOption('timeout', values.timeout, 'positive number') ?? 120) * 1000,
    maxAttempts: numericOption('max-attempts', values['max-attempts'], 'positive integer') ?? 5,
    progress: values.progress === true,
  };
}

/**
 * Everything a command needs to call models for one run: the orchestrator over an open cache,
 * a progress line, Ctrl-C handling and a closing summary. `close()` always runs (finally), so the
 * cache is closed cleanly whatever happened.
 */
export class RunSession {
  readonly orchestrator: Orchestrator;
  readonly progress: ProgressReporter;
  private readonly cache: ResponseCache | undefined;
  private stopListening: (() => void) | undefined;
  private interrupts = 0;
  /** USD the batches of this run cost (at batch prices), counted in the summary's spend. */
  private readonly batchSpentUsd: number;
  /** Per model, what those batches answered: shown as new answers, not as cache hits. */
  private readonly batchSpend: Readonly<Record<string, BatchModelSpend>>;

  constructor(
    readonly settings: OrchestrationSettings,
    private readonly io: Pick<CliIo, 'stderr'>,
    extra: Partial<OrchestratorOptions> & { totalItems?: number; batchSpentUsd?: number; batchSpend?: Readonly<Record<string, BatchModelSpend>>; batchPaidCalls?: ReadonlySet<string> } = {},
  ) {
    const { totalItems, batchSpentUsd, batchSpend, batchPaidCalls, ...orchestratorExtra } = extra;
    this.batchSpentUsd = batchSpentUsd ?? 0;
    this.batchSpend = batchSpend ?? {};
    this.cache = settings.cache ? openStore(settings.cache.path, settings.cache.mode, { leaseMs: settings.cache.leaseMs }) : undefined;
    for (const notice of this.cache?.notices.splice(0) ?? []) io.stderr.write(`fusion: note: ${notice}\n`);
    const options: OrchestratorOptions = {
      concurrency: settings.concurrency,
      providers: settings.providers,
      prices: settings.prices,
      timeoutMs: settings.timeoutMs,
      retry: { maxAttempts: settings.maxAttempts },
      ...(settings.maxCostUsd === undefined ? {} : { maxCostUsd: settings.maxCostUsd }),
      ...(this.cache ? { cache: this.cache } : {}),
      onWait: (model, ms, why) => io.stderr.write(`fusion: ${model}: ${why}: waiting ${Math.round(ms / 1000)} s before retrying\n`),
      ...orchestratorExtra,
    };
    this.orchestrator = new Orchestrator({ ...options, ...(batchPaidCalls ? { batchPaidCalls } : {}) });
    this.progress = new ProgressReporter({
      stream: io.stderr,
      force: settings.progress,
      ...(totalItems === undefined ? {} : { totalItems }),
      stats: () => this.stats(),
    });
  }

  /** Refuses models the budget cannot account for, before any call. */
  checkModels(handles: readonly ModelHandle[]): void {
    const issues = this.orchestrator.checkModels(handles);
    if (issues.length > 0) throw new UsageError(issues.join('\n'));
  }

  /**
   * First Ctrl-C (or SIGTERM, SIGHUP: see signals.ts): stop issuing calls, let calls in flight
   * finish. Second: cancel them. Either way the command returns normally, so outputs and the cache
   * are flushed and closed and the folder lock is released.
   */
  handleInterrupts(): void {
    this.stopListening?.();
    this.stopListening = onStopSignals((signal) => {
      this.interrupts++;
      const inFlight = this.orchestrator.stats().inFlight;
      if (this.interrupts === 1) {
        this.progress.stop();
        this.io.stderr.write(`\nfusion: ${signalName(signal)}; waiting for ${inFlight} call(s) in flight (Ctrl-C again to cancel them)\n`);
        this.orchestrator.stop('drain', 'interrupted');
      } else {
        this.io.stderr.write('fusion: cancelling calls in flight\n');
        this.orchestrator.stop('abort', 'interrupted');
      }
    });
  }

  /** The orchestrator's counters with this run's batch spend in the total cost, as the summary counts it: what the progress line shows. */
  private stats(): OrchestratorStats {
    const stats = this.orchestrator.stats();
    return this.batchSpentUsd > 0 ? { ...stats, total: { ...stats.total, costUsd: stats.total.costUsd + this.batchSpentUsd } } : stats;
  }

  /** Totals per model and overall, for stderr at the end of a run. */
  summary(): string {
    const stats = this.orchestrator.stats();
    const perModel = withBatchSpend(stats.perModel, this.batchSpend);
    const lines = Object.entries(perModel).map(
      ([model, s]) =>
        `  ${model}: ${s.successes} new answer(s), ${s.cacheHits} cached, ${s.failures} failed, ${s.retries} retries, ` +
        `${s.inputTokens}+${s.outputTokens} tokens, ${formatUsd(s.costUsd)}`,
    );
    for (const f of this.orchestrator.failureReasons()) {
      lines.push(`  failed: ${f.model}: ${f.count} call(s) ${f.kind}, e.g. ${f.example}`);
    }
    for (const u of this.orchestrator.usageReports()) {
      lines.push(`  provider error: ${u.model}: ${u.count} answer(s) with a usage no request can cost (e.g. ${u.example}); charged at the most the request can cost: check the provider's bill`);
    }
    const t = stats.total;
    if (t.cut > 0) lines.push(`  ${t.cut} answer(s) cut: longer than ${currentLimits().maxAnswerChars} characters (FUSION_MAX_ANSWER_CHARS)`);
    if (t.failures > 0) lines.push(`  ${t.failures} call(s) failed after all attempts (exit status ${EXIT_CALLS_FAILED}); re-run the same command to retry only those.`);
    const unsaved = this.orchestrator.unsavedAnswers;
    if (unsaved.count > 0) lines.push(`  ${unsaved.count} answer(s) received but NOT saved in the cache (${unsaved.reason ?? 'unknown reason'}): they are in this run's output (stdout, or responses.jsonl for eval --models), but a re-run that does not find them there pays for them again (exit status ${EXIT_STORAGE}).`);
    const batchAnswers = Object.values(this.batchSpend).reduce((n, s) => n + s.answered, 0);
    const inBatches = batchAnswers > 0 || this.batchSpentUsd > 0 ? ` (${batchAnswers} answer(s), ${formatUsd(this.batchSpentUsd)} in batches)` : '';
    lines.push(`  total: ${t.requests} request(s), ${t.cacheHits} cache hit(s), ${t.failures} failed, ${formatUsd(t.costUsd + this.batchSpentUsd)} spent in this run${inBatches}`);
    // --max-cost is per run: a resumed or repeated run must show what its cached answers were paid before, or two runs under one cap read as one.
    // A text met twice in one run reads its answer back too; telling it apart would need every paid key kept for the whole run, memory a run of millions of calls should not spend on one summary line.
    if (t.cachedCostUsd > 0) lines.push(`  paid before: ${formatUsd(t.cachedCostUsd)}, what the answers read from the cache cost when they were paid (by earlier runs, another run sharing the store, or this one for a text it met twice; not in this run's spend, nor under its --max-cost)`);
    if (stats.stopReason === 'budget') {
      lines.push(`  stopped: the --max-cost budget of ${formatUsd(this.settings.maxCostUsd ?? 0)} was reached; ${t.skipped} call(s) not issued. The same command continues, under a --max-cost of its own: the answers paid so far are cached, not paid or counted again.`);
    } else if (stats.stopReason === 'interrupted') {
      lines.push(`  stopped: interrupted; ${t.skipped} call(s) not issued. Re-run the same command to resume: answers already received come from the cache.`);
    }
    return `${lines.join('\n')}\n`;
  }

  /** The store reachable and its schema in place, before any call (a StoreError otherwise). */
  async ready(): Promise<void> {
    await this.cache?.ready();
    for (const notice of this.cache?.notices.splice(0) ?? []) this.io.stderr.write(`fusion: note: ${notice}\n`);
  }

  /** Commits the answers still queued and closes the store (rejects when answers could not be stored). */
  async close(): Promise<void> {
    this.progress.stop();
    this.stopListening?.();
    this.stopListening = undefined;
    try {
      await this.cache?.close();
    } catch (e) {
      // Answers the cache could not store are counted, named in the summary and set the exit status;
      // the same commit error again would only tell the user, wrongly, that they are kept.
      if (this.orchestrator.unsavedAnswers.count === 0) throw e;
    }
  }
}
