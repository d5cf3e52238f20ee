import type { BatchOutcome } from '../../providers/provider.js';
import { ProviderError } from '../../providers/provider.js';
import type { CachedResponse } from '../cache.js';
import { type Price, billsTokens, costOf } from '../../task/prices.js';
import { type UsageBounds, billableUsage, checkUsage } from '../token-bound.js';

export interface CollectedBatch {
  /** Keys answered, now in the cache. */
  succeeded: string[];
  /** Keys the provider answered with an error (expired, cancelled, refused, 5xx...), or whose line could not be read. */
  failed: Map<string, ProviderError>;
  /** Keys of the batch that no result line mentioned. */
  missing: string[];
  /** Result lines for a request already answered (a duplicate, ignored). */
  unexpected: number;
  /**
   * Result lines whose custom_id the batch does not carry (ignored): the provider ran something
   * under an id no request of ours has, perhaps one of ours whose id it altered, so a request no
   * line names may have been answered and billed there.
   */
  foreign: number;
  /** Result lines no request could be matched to (not JSON, no custom_id): how many, and the first one's error. */
  unreadable: { count: number; first?: ProviderError };
  /** The download broke off: the results after it were not read (they are still at the provider). */
  cut?: ProviderError;
  /** Answers whose reported usage no request can cost: how many, and one example (charged at the bound). */
  usageProblems: { count: number; example?: string };
  /** USD of the answers, at batch prices. */
  cost: number;
  /** Tokens the answers report (kept usage), for the per-model summary. */
  inputTokens: number;
  outputTokens: number;
}

/**
 * Matches a batch's results to its calls by custom_id (which is the cache key) in whatever order
 * they come, turns each answer into the cache entry a live call would have made (cost at the batch
 * price; no per-call latency exists, so 0; cut at `maxAnswerChars`), and hands it to `put`. A
 * duplicate line counts once (an answer wins over an error line for the same request). Every line stands alone: an unreadable one fails only its own request,
 * and a download that breaks off keeps what came before. A reported usage is checked like a live
 * one (token-bound.ts): one that is not a count, or exceeds what the request can cost, is flagged
 * and charged at the request's bound, as is an answer without usage.
 */
export async function collectResults(
  outcomes: AsyncIterable<BatchOutcome>,
  keys: readonly string[],
  price: Price | undefined,
  put: (key: string, response: CachedResponse) => void,
  maxAnswerChars = Number.POSITIVE_INFINITY,
  boundsOf: (key: string) => UsageBounds | undefined = () => undefined,
): Promise<CollectedBatch> {
  const expected = new Set(keys);
  const seen = new Set<string>();
  const out: CollectedBatch = { succeeded: [], failed: new Map(), missing: [], unexpected: 0, foreign: 0, unreadable: { count: 0 }, usageProblems: { count: 0 }, cost: 0, inputTokens: 0, outputTokens: 0 };
  try {
    for await (const outcome of outcomes) {
      if (outcome.status === 'cut') {
        out.cut = outcome.error;
        break;
      }
      if (outcome.status === 'unreadable') {
        out.unreadable.count++;
        out.unreadable.first ??= outcome.error;
        continue;
      }
      // A request is answered once: its first answer stands. An answer after an error line for the
      // same request replaces the error, since the answer was paid and asking again would pay twice.
      const answerAfterError = outcome.status !== 'failed' && out.failed.has(outcome.customId);
      if (!expected.has(outcome.customId)) {
        out.foreign++;
        continue;
      }
      if (seen.has(outcome.customId) && !answerAfterError) {
        out.unexpected++;
        continue;
      }
      if (answerAfterError) {
        out.failed.delete(outcome.customId);
        out.unexpected++;
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
      const bounds = boundsOf(outcome.customId);
      const verdict = bounds ? checkUsage(r.usage, bounds, { priced: billsTokens(price), text: r.text }) : r.usage ? { usage: r.usage } : {};
      if (verdict.usage) {
        response.usage = verdict.usage;
        out.inputTokens += verdict.usage.input;
        out.outputTokens += verdict.usage.output;
      }
      if ('problem' in verdict && verdict.problem) {
        out.usageProblems.count++;
        out.usageProblems.example ??= verdict.problem;
      }
      if (r.finishReason !== undefined) response.finishReason = r.finishReason;
      if (cut) response.finishReason = 'cut';
      if (price) {
        // Without usable usage, the most the request can cost; a report past the bound, the bound.
        const usage = verdict.usage ? (bounds ? billableUsage(verdict.usage, bounds) : verdict.usage) : bounds ? { input: bounds.input, output: bounds.output ?? 0 } : undefined;
        if (usage) {
          response.cost = costOf(price, usage);
          out.cost += response.cost;
        }
      }
      put(outcome.customId, response);
      out.succeeded.push(outcome.customId);
    }
  } catch (error) {
    // Opening the results failed, or an adapter threw mid-way: what came before stands.
    out.cut = error instanceof ProviderError ? error : new ProviderError('connection', `reading the batch results failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const key of keys) if (!seen.has(key)) out.missing.push(key);
  return out;
}
