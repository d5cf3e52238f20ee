import { UsageError } from './errors.js';
import { onStopSignals, signalName } from './signals.js';
import type { CliIo } from './io.js';
import { openStore } from '../orchestrate/cache.js';
import { type ModelHandle, unpricedUnderBudget } from '../orchestrate/orchestrator.js';
import { batchPriceOf } from '../task/prices.js';
import { formatUsd } from '../orchestrate/progress.js';
import type { OrchestrationSettings } from './run-session.js';
import type { PollSettings } from '../orchestrate/batch/poll.js';
import { type BatchCall, type BatchModelSpend, type BatchRetry, type BatchRunReport, runBatches } from '../orchestrate/batch/run-batches.js';
import { withSettledFailures } from '../orchestrate/batch/settled-failures.js';

export interface BatchModeOptions {
  retry: BatchRetry;
  poll: Partial<PollSettings>;
}

export interface BatchPhaseResult {
  report: BatchRunReport;
  /** The handles the live pass uses: final batch failures are answered without a call. */
  models: ModelHandle[];
  /** USD left of --max-cost for the live pass. */
  remainingUsd?: number;
  /** USD the batches of this run cost, at batch prices (counted in the run's spend). */
  spentUsd: number;
  /** Per model, the answers of this run's batches and their cost (for the summary). */
  spend: Record<string, BatchModelSpend>;
  /** Cache keys of those answers (the live pass reads them back as paid in this run, not cached). */
  paidCalls: ReadonlySet<string>;
  /** Calls whose batch requests the user cancelled: the live pass skips them (`cancelled`). */
  cancelledCalls: ReadonlySet<string>;
}

/**
 * The batch half of an offline run, for a command: checks the flags against the settings, runs
 * the batches over their own connections to the cache file (closed before the live pass opens its
 * own), shows progress and notes on stderr, and stops polling on Ctrl-C (the batches go on at the
 * provider; the same command started again picks them up).
 */
export async function runBatchPhase(
  settings: OrchestrationSettings,
  models: readonly ModelHandle[],
  calls: Iterable<BatchCall>,
  io: Pick<CliIo, 'stderr'>,
  options: BatchModeOptions,
): Promise<BatchPhaseResult> {
  if (!settings.cache) throw new UsageError('--batch needs the cache (it keeps the answers and the submitted batches): drop --no-cache');
  // The live pass reads the batch answers back from the cache, which --refresh forbids.
  if (!settings.cache.mode.read) throw new UsageError('--batch and --refresh do not go together: use a fresh --cache PATH to ask everything again');
  if (settings.maxCostUsd !== undefined) {
    const unknown = models.filter((h) => h.model.batch && !batchPriceOf(settings.prices, h.model.provider, h.model.modelId));
    if (unknown.length > 0) throw new UsageError(unknown.map((h) => unpricedUnderBudget(h.name)).join('\n'));
  }
  const cache = openStore(settings.cache.path, settings.cache.mode, { leaseMs: settings.cache.leaseMs });
  const store = cache.batches;
  const stop = new AbortController();
  const stopListening = onStopSignals((signal) => {
    io.stderr.write(`\nfusion: ${signalName(signal)}: the batches go on at the provider; run the same command again to pick them up (nothing is submitted twice)\n`);
    stop.abort();
  });
  let lastProgress = '';
  try {
    await cache.ready();
    const report = await runBatches({
      calls,
      cache,
      store,
      prices: settings.prices,
      ...(settings.maxCostUsd === undefined ? {} : { maxCostUsd: settings.maxCostUsd }),
      retry: options.retry,
      poll: options.poll,
      signal: stop.signal,
      onNote: (text) => io.stderr.write(`fusion: ${text}\n`),
      onProgress: (p) => {
        const text = `fusion: batches: ${p.batches} submitted, ${p.inProgress} in progress, ${p.done} done; requests ${p.succeeded} succeeded, ${p.failed} failed`;
        if (text !== lastProgress) io.stderr.write(`${text}\n`);
        lastProgress = text;
      },
    });
    io.stderr.write(batchSummary(report));
    return {
      report,
      models: withSettledFailures(models, report.settled),
      spentUsd: report.costUsd,
      spend: report.perModel,
      paidCalls: report.paidKeys,
      cancelledCalls: report.cancelled,
      ...(settings.maxCostUsd === undefined ? {} : { remainingUsd: Math.max(0, settings.maxCostUsd - report.costUsd - report.openReservedUsd) }),
    };
  } finally {
    stopListening();
    await cache.close();
  }
}

/** What the batches did, for stderr. */
export function batchSummary(r: BatchRunReport): string {
  const failedKeys = new Set(r.failures.map((f) => f.key)).size;
  const recovered = Math.max(0, failedKeys - r.settled.size - r.leftForLive);
  const lines = [
    `batch: ${r.batchesSubmitted} batch(es) submitted with ${r.requestsSubmitted} request(s), ${r.batchesResumed} resumed; ` +
      `${r.succeeded} answered, ${r.fromCache} already cached, ${formatUsd(r.costUsd)} at batch prices` +
      (r.resumedCostUsd > 0 ? ` (+ ${formatUsd(r.resumedCostUsd)} of resumed batches)` : ''),
  ];
  if (failedKeys > 0) lines.push(`  ${failedKeys} request(s) failed in a batch: ${recovered} answered by a later batch, ${r.leftForLive} left to live calls, ${r.settled.size} failed for good`);
  for (const x of r.rejected) lines.push(`  batch refused by the provider${x.batchId ? ` (${x.batchId})` : ''}: ${x.message}`);
  const byMessage = new Map<string, number>();
  for (const f of r.failures) byMessage.set(f.error.message, (byMessage.get(f.error.message) ?? 0) + 1);
  const distinct = [...byMessage];
  for (const [message, n] of distinct.slice(0, 10)) lines.push(`  batch failure${n > 1 ? ` (x${n})` : ''}: ${message}`);
  if (distinct.length > 10) lines.push(`  ... and ${distinct.length - 10} more kinds of batch failure`);
  if (r.leftForLive > 0) lines.push(`  the ${r.leftForLive} left to live calls are asked now at the full price (--batch-retry live)`);
  if (r.settled.size > 0) lines.push(`  the ${r.settled.size} failed for good are reported as failed answers and not asked again`);
  if (r.cancelled.size > 0) lines.push(`  ${r.cancelled.size} request(s) cancelled (fusion batches cancel): not asked live; their items end as "stopped": "cancelled" (a later --batch run submits them again)`);
  if (r.elsewhere > 0) lines.push(`  ${r.elsewhere} call(s) left to another run sharing the cache (its answers are awaited, not paid twice)`);
  if (r.stopReason === 'budget') lines.push('  stopped: --max-cost does not cover the next batch; calls not submitted are not asked live either');
  return `${lines.join('\n')}\n`;
}
