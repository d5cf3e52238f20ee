import type { BatchModelSpend } from '../orchestrate/batch/run-batches.js';
import { type CallOutcome, type ModelHandle, Orchestrator, type OrchestratorOptions } from '../orchestrate/orchestrator.js';
import { type CallStats, emptyStats } from '../orchestrate/stats.js';
import type { GenerateRequest } from '../providers/provider.js';

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

/**
 * The orchestrator of the live pass after batches: an answer of this run's batches comes back
 * from the cache, but this run paid for it, so the first read of each is reported as not cached
 * (its output line then counts its cost, as for a live call). Later reads of the same answer are
 * cache hits like any other. Used only when batches answered something, so a live run's calls
 * take the plain path.
 */
export class BatchPaidOrchestrator extends Orchestrator {
  readonly #paid: Set<string>;

  constructor(options: OrchestratorOptions, paid: ReadonlySet<string>) {
    super(options);
    this.#paid = new Set(paid);
  }

  override async call(handle: ModelHandle, request: GenerateRequest, key = this.keyOf(handle, request)): Promise<CallOutcome> {
    const outcome = await super.call(handle, request, key);
    return outcome.status === 'ok' && outcome.cached && this.#paid.delete(key) ? { ...outcome, cached: false } : outcome;
  }
}
