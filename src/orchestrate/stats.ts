/** Counters for one model (or the total), all plain numbers so reports can serialise them. */
export interface CallStats {
  /** Requests actually sent (first attempts and retries). */
  requests: number;
  /** Answers obtained from the provider in this run. */
  successes: number;
  /** Answers served from the cache (or shared with an identical request in flight). */
  cacheHits: number;
  /** Calls that ended without an answer after all attempts. */
  failures: number;
  retries: number;
  /** Calls not issued because the run was stopped (budget or Ctrl-C). */
  skipped: number;
  inputTokens: number;
  outputTokens: number;
  /** USD spent in this run (cache hits excluded). */
  costUsd: number;
  /**
   * USD the answers read from the store cost when they were paid for, as recorded with them: what
   * earlier runs (or other workers) spent on this run's calls, which `costUsd` and `--max-cost` leave out.
   */
  cachedCostUsd: number;
  /** Answers longer than the kept maximum (FUSION_MAX_ANSWER_CHARS), cut to it. */
  cut: number;
  /** Sum of provider latencies of this run's answers. */
  latencyMs: number;
}

export function emptyStats(): CallStats {
  return { requests: 0, successes: 0, cacheHits: 0, failures: 0, retries: 0, skipped: 0, cut: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, cachedCostUsd: 0, latencyMs: 0 };
}

export type StopReason = 'budget' | 'interrupted';

/** Why one call was not made: the run stopped issuing calls, or the user cancelled the batch that carried it. */
export type SkipCause = StopReason | 'cancelled';

export interface OrchestratorStats {
  total: CallStats;
  perModel: Record<string, CallStats>;
  inFlight: number;
  maxInFlight: number;
  stopReason?: StopReason;
}
