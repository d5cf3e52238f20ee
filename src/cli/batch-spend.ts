import type { BatchModelSpend } from '../orchestrate/batch/run-batches.js';
import { type CallStats, emptyStats } from '../orchestrate/stats.js';

/**
 * The live pass's counters with this run's batch answers added where a user reads them: this run
 * asked and paid for them (at the batch price), so each is a new answer with its tokens and cost.
 * The live pass read them back from the cache, but its orchestrator does not count those reads
 * as cache hits (OrchestratorOptions.batchPaidCalls), so what stays "cached" is the answers of
 * earlier runs. Pure, for the summary and its tests.
 */
export function withBatchSpend(perModel: Readonly<Record<string, CallStats>>, batch: Readonly<Record<string, BatchModelSpend>>): Record<string, CallStats> {
  const out: Record<string, CallStats> = {};
  for (const [model, s] of Object.entries(perModel)) out[model] = { ...s };
  for (const [model, b] of Object.entries(batch)) {
    const s = (out[model] ??= emptyStats());
    s.successes += b.answered;
    s.inputTokens += b.inputTokens;
    s.outputTokens += b.outputTokens;
    s.costUsd += b.costUsd;
  }
  return out;
}
