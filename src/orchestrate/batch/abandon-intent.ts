import { type BatchApi, UnresolvedCreateError } from '../../providers/provider.js';
import type { BatchIntent, BatchStore } from './batch-store.js';
import { lookUpIntent } from './intent-lookup.js';

/** What `abandonIntent` did: abandoned (the next run asks its calls again), or refused, and why. */
export type AbandonOutcome =
  | { status: 'abandoned'; intent: BatchIntent; note: string }
  | { status: 'refused'; intent: BatchIntent; why: string }
  /** No such intent on record (never, or a run resolved it meanwhile). */
  | { status: 'unknown' };

/**
 * Settles, on the user's word, a create whose answer was lost and whose batch the provider's list
 * cannot tell: its intent is forgotten (kept on record as abandoned) and its calls are free again, so
 * the next run asks them live or in a new batch. Only when paying for them again cannot pay twice for
 * what a batch already answered, as far as the provider's list shows: the lookup is made again here,
 * and the abandon is refused while its run still lives (its create is in progress), while a candidate
 * batch still runs (its results cannot be read yet), or when a candidate's results name the calls (a
 * batch of ours exists: the next run collects it, or they are answered and billed there). When the
 * provider lists no candidate at all, the next run forgets the intent by itself; abandoning records it.
 * A lookup that fails is thrown, and nothing is abandoned.
 */
export async function abandonIntent(store: BatchStore, api: BatchApi, intent: BatchIntent & { live: boolean }): Promise<AbandonOutcome> {
  if (intent.live) return { status: 'refused', intent, why: 'the run that recorded it is still running (its create is in progress); nothing abandoned' };
  let note: string;
  try {
    const found = await lookUpIntent(store, api, intent, await store.keysOfIntent(intent.token));
    if (found) {
      // Its id on record while the intent is not settled: the store refused it for other calls (BatchConflictError), so no run collects it.
      if ((await store.get(found.id)) !== undefined)
        return { status: 'refused', intent, why: `the provider's batch ${found.id} is this create's (${found.status}), but an id of that name is on record in this cache for other calls (a provider whose batch ids restart?), so no run on this cache can collect it, and asking its calls again would pay twice; nothing abandoned` };
      return { status: 'refused', intent, why: `the provider's batch ${found.id} is this create's (${found.status}): the next --batch run collects it, nothing is asked twice; nothing abandoned` };
    }
    note = "the provider's list of batches showed none that could be this create's";
  } catch (error) {
    if (!(error instanceof UnresolvedCreateError)) throw error;
    const ids = error.batchIds.join(', ');
    if (error.reason === 'running') return { status: 'refused', intent, why: `batch(es) ${ids} of its size still run at the provider and may be this create's; abandon it once they have ended (the next --batch run then also tells whether one is); nothing abandoned` };
    if (error.reason === 'several-carry') return { status: 'refused', intent, why: `the results of batches ${ids} name its calls: they were answered and billed there, and asking them again would pay twice; nothing abandoned (\`fusion batches adopt ${intent.token} BATCH_ID\` records the one that is this create's, for the next run to collect)` };
    note = `every candidate batch had ended and the results of none named its calls (${ids})`;
  }
  const abandoned = await store.abandonIntent(intent.token, note);
  return abandoned ? { status: 'abandoned', intent: abandoned, note } : { status: 'unknown' };
}
