import type { BatchOutcome } from '../../providers/provider.js';
import { type ProviderError } from '../../providers/provider.js';
import type { CachedResponse } from '../cache.js';
import { type Price, costOf } from '../../task/prices.js';

export interface CollectedBatch {
  /** Keys answered, now in the cache. */
  succeeded: string[];
  /** Keys the provider answered with an error (expired, cancelled, refused, 5xx...). */
  failed: Map<string, ProviderError>;
  /** Keys of the batch that no result line mentioned (treated by the caller as expired). */
  missing: string[];
  /** Result lines whose custom_id the batch did not carry (ignored). */
  unexpected: number;
  /** USD of the answers, at batch prices. */
  cost: number;
}

/**
 * Matches a batch's results to its calls by custom_id (which is the cache key) in whatever order
 * they come, turns each answer into the cache entry a live call would have made (cost at the batch
 * price; no per-call latency exists, so 0; cut at `maxAnswerChars`), and hands it to `put`. A duplicate line counts once.
 */
export async function collectResults(
  outcomes: AsyncIterable<BatchOutcome>,
  keys: readonly string[],
  price: Price | undefined,
  put: (key: string, response: CachedResponse) => void,
  maxAnswerChars = Number.POSITIVE_INFINITY,
): Promise<CollectedBatch> {
  const expected = new Set(keys);
  const seen = new Set<string>();
  const out: CollectedBatch = { succeeded: [], failed: new Map(), missing: [], unexpected: 0, cost: 0 };
  for await (const outcome of outcomes) {
    if (!expected.has(outcome.customId) || seen.has(outcome.customId)) {
      out.unexpected++;
      continue;
    }
    seen.add(outcome.customId);
    if (outcome.status === 'failed') {
      out.failed.set(outcome.customId, outcome.error);
      continue;
    }
    const r = outcome.result;
    // Cut like a live answer past the limit, before it reaches the cache or any file.
    const cut = r.text.length > maxAnswerChars;
    const response: CachedResponse = { text: cut ? r.text.slice(0, maxAnswerChars) : r.text, latencyMs: 0 };
    if (r.logprobs) response.logprobs = r.logprobs;
    if (r.usage) response.usage = r.usage;
    if (r.finishReason !== undefined) response.finishReason = r.finishReason;
    if (cut) response.finishReason = 'cut';
    if (price && r.usage) {
      response.cost = costOf(price, r.usage);
      out.cost += response.cost;
    }
    put(outcome.customId, response);
    out.succeeded.push(outcome.customId);
  }
  for (const key of keys) if (!seen.has(key)) out.missing.push(key);
  return out;
}
