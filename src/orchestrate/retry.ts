import { ProviderError } from '../providers/provider.js';

export interface RetryPolicy {
  /** Total attempts including the first; 1 disables retries. */
  maxAttempts: number;
  /** Backoff scale: attempt a waits up to baseDelayMs * 2^(a-1), capped. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server asking to wait longer than this is waited for only this long. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
};

/**
 * Delay before retry number `attempt` (1 = the first retry): exponential backoff with full
 * jitter (uniform in [0, cap]), which spreads a thundering herd of 429s better than a fixed
 * factor. A server's retry-after is a floor: we never come back earlier than asked.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = random() * cap;
  if (retryAfterMs === undefined || !(retryAfterMs >= 0)) return jittered;
  return Math.max(Math.min(retryAfterMs, policy.maxRetryAfterMs), jittered);
}

/** Whether a failure is worth another attempt under the policy. */
export function shouldRetry(error: unknown, attempt: number, policy: RetryPolicy): boolean {
  return error instanceof ProviderError && error.retryable && attempt < policy.maxAttempts;
}
