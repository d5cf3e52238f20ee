import type { ProviderError } from '../providers/provider.js';
import { openStore } from '../orchestrate/cache.js';
import type { ModelHandle } from '../orchestrate/orchestrator.js';
import { customIdOf } from '../orchestrate/batch/custom-id.js';
import { type BatchModelSpend, type BatchRunReport, addSpend } from '../orchestrate/batch/run-batches.js';
import { withSettledFailures } from '../orchestrate/batch/settled-failures.js';
import { type BatchRoundsOptions, askInBatchRounds } from '../run/batch-rounds.js';
import { type BatchModeOptions, type BatchPhaseResult, runBatchPhase } from './batch-phase.js';
import { UsageError } from './errors.js';
import type { CliIo } from './io.js';
import type { OrchestrationSettings } from './run-session.js';

export type AdaptiveBatchPlan = Pick<BatchRoundsOptions, 'task' | 'items' | 'buildRequest' | 'policy' | 'readerOf'>;

/** Two rounds' reports as one: counts added up, failures and refusals listed together, the last stop kept. */
function merged(a: BatchRunReport | undefined, b: BatchRunReport): BatchRunReport {
  if (!a) return b;
  const liveModels = [...a.liveModels, ...b.liveModels.filter((m) => !a.liveModels.some((x) => x.model === m.model))];
  return {
    liveModels,
    batchesSubmitted: a.batchesSubmitted + b.batchesSubmitted,
    batchesResumed: a.batchesResumed + b.batchesResumed,
    requestsSubmitted: a.requestsSubmitted + b.requestsSubmitted,
    succeeded: a.succeeded + b.succeeded,
    fromCache: a.fromCache + b.fromCache,
    settled: new Map([...a.settled, ...b.settled]),
    failures: [...a.failures, ...b.failures],
    leftForLive: a.leftForLive + b.leftForLive,
    rejected: [...a.rejected, ...b.rejected],
    costUsd: a.costUsd + b.costUsd,
    resumedCostUsd: a.resumedCostUsd + b.resumedCostUsd,
    perModel: addedSpend(a.perModel, b.perModel),
    paidKeys: new Set([...a.paidKeys, ...b.paidKeys]),
    cancelled: new Set([...a.cancelled, ...b.cancelled]),
    elsewhere: a.elsewhere + b.elsewhere,
    usageProblems: [...a.usageProblems, ...b.usageProblems],
    openReservedUsd: a.openReservedUsd + b.openReservedUsd,
    ...(b.stopReason ? { stopReason: b.stopReason } : {}),
  };
}

function addedSpend(a: Record<string, BatchModelSpend>, b: Record<string, BatchModelSpend>): Record<string, BatchModelSpend> {
  const out: Record<string, BatchModelSpend> = {};
  for (const [model, s] of [...Object.entries(a), ...Object.entries(b)]) addSpend(out, model, s);
  return out;
}

/**
 * The batch half of an offline run under a saved adaptive policy: the batch phase runs once per
 * round (see askInBatchRounds), each round under what is left of --max-cost, and the answers are
 * read back from the cache between rounds. A re-run finds earlier rounds cached (or its batches
 * pending) and submits nothing new.
 */
export async function runBatchRounds(
  settings: OrchestrationSettings,
  models: readonly ModelHandle[],
  plan: AdaptiveBatchPlan,
  io: Pick<CliIo, 'stderr'>,
  options: BatchModeOptions,
): Promise<BatchPhaseResult> {
  if (!settings.cache) throw new UsageError('--batch needs the cache (it keeps the answers and the submitted batches): drop --no-cache');
  let report: BatchRunReport | undefined;
  const reader = openStore(settings.cache.path, { read: true, write: false });
  try {
    const result = await askInBatchRounds({
      ...plan,
      models,
      submit: async (calls, round) => {
        io.stderr.write(`fusion: batch round ${round} (adaptive policy): ${calls.length} call(s) of the items not settled yet\n`);
        const spent = (report?.costUsd ?? 0) + (report?.openReservedUsd ?? 0);
        const budget = settings.maxCostUsd === undefined ? {} : { maxCostUsd: Math.max(0, settings.maxCostUsd - spent) };
        const phase = await runBatchPhase({ ...settings, ...budget }, models, calls, io, options);
        report = merged(report, phase.report);
        return phase.report.stopReason === undefined;
      },
      answerOf: async (handle, request) => {
        const key = customIdOf(handle.model, request, handle.sample);
        const hit = await reader.get(key);
        // An answer of this run's batches was paid now: its line counts its cost, as for a live call.
        const paid = report?.paidKeys.has(key) === true;
        if (hit) return { model: handle.name, status: 'ok', output: hit.text, ...(hit.logprobs ? { logprobs: hit.logprobs } : {}), ...(paid && hit.cost !== undefined ? { cost: hit.cost } : {}), cached: !paid };
        if (report?.cancelled.has(key)) return { model: handle.name, status: 'skipped', error: 'not asked: its batch request was cancelled', reason: 'cancelled' };
        const failure: ProviderError | undefined = report?.settled.get(key);
        return failure ? { model: handle.name, status: 'failed', error: failure.message } : undefined;
      },
    });
    if (result.leftToLive > 0) io.stderr.write(`fusion: ${result.leftToLive} item(s) are finished with live calls (an answer their policy needs did not come from a batch)\n`);
    if (result.rounds > 0) io.stderr.write(`fusion: batch rounds: ${result.rounds}, ${result.calls} call(s) in all\n`);
  } finally {
    await reader.close();
  }
  const final = report ?? emptyReport();
  return {
    report: final,
    models: withSettledFailures(models, final.settled),
    spentUsd: final.costUsd,
    spend: final.perModel,
    paidCalls: final.paidKeys,
    cancelledCalls: final.cancelled,
    ...(settings.maxCostUsd === undefined ? {} : { remainingUsd: Math.max(0, settings.maxCostUsd - final.costUsd - final.openReservedUsd) }),
  };
}

function emptyReport(): BatchRunReport {
  return { liveModels: [], batchesSubmitted: 0, batchesResumed: 0, requestsSubmitted: 0, succeeded: 0, fromCache: 0, settled: new Map(), failures: [], leftForLive: 0, rejected: [], costUsd: 0, resumedCostUsd: 0, perModel: {}, paidKeys: new Set(), cancelled: new Set(), elsewhere: 0, usageProblems: [], openReservedUsd: 0 };
}
