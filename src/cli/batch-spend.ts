import type { BatchModelSpend } from '../orchestrate/batch/run-batches.js';
import { type CallStats, emptyStats } from '../orchestrate/stats.js';

/**
 * The live pass's counters with this run's batch answers moved where a user reads them: the live
 * pass finds those answers in the cache and counts them as cache hits at $0, but this run asked
 * and paid for them (at the batch price). So each becomes a new answer with its tokens and cost,
 * and only the rest stay "cached" (answers of earlier runs). Pure, for the summary and its tests.
 */
export function withBatchSpend(perModel: Readonly<Record<string, CallStats>>, batch: Readonly<Record<string, BatchModelSpend>>): Record<string, CallStats> {
  const out: Record<string, CallStats> = {};
  for (const [model, s] of Object.entries(perModel)) out[model] = { ...s };
  for (const [model, b] of Object.entries(batch)) {
    const s = (out[model] ??= emptyStats());
    // A batch answer the live pass did not read again left no cache hit to move.
    const moved = Math.min(b.answered, s.cacheHits);
    s.cacheHits -= moved;
    s.successes += b.answered;
    s.inputTokens += b.inputTokens;
    s.outputTokens += b.outputTokens;
    s.costUsd += b.costUsd;
  }
  return out;
}
