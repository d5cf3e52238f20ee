import type { BatchApi, BatchInfo } from '../../providers/provider.js';
import type { BatchIntent, BatchStore } from './batch-store.js';

/**
 * The provider's lookup of the batch an intent's create made, as every caller makes it (a run, the
 * abandon and the adopt of `fusion batches`): by its token, its time, its size and its calls
 * (`keys`, the intent's), among the batches no record names.
 */
export async function lookUpIntent(store: BatchStore, api: BatchApi, intent: BatchIntent, keys: ReadonlySet<string>): Promise<BatchInfo | undefined> {
  return api.findSubmitted({ token: intent.token, since: new Date(intent.createdAt), requests: intent.requests, keys }, await store.knownIds());
}
