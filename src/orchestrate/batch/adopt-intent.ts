import { type BatchApi, type BatchInfo, UnresolvedCreateError } from '../../providers/provider.js';
import type { BatchIntent, BatchStore } from './batch-store.js';
import { lookUpIntent } from './intent-lookup.js';
import { BatchConflictError } from '../store/errors.js';

/** What `adoptBatch` did: the batch recorded as the intent's (the next run collects it), or refused, and why. */
export type AdoptOutcome =
  | { status: 'adopted'; intent: BatchIntent; batch: BatchInfo }
  | { status: 'refused'; intent: BatchIntent; why: string }
  /** No such intent on record any more (a run resolved it meanwhile). */
  | { status: 'unknown' };

/**
 * Settles, on the user's word, a create whose answer was lost and whose batch the provider's list
 * cannot tell because the results of several ended batches name its calls (`several-carry`: another
 * run with the same requests on another cache). Abandoning would ask the calls again, paying twice;
 * waiting changes nothing. The user, having checked the provider's console, names which batch is the
 * create's: it is recorded as the intent's batch (as a run records one it finds), so the next run
 * collects its answers and asks nothing again. Refused unless the lookup, made again here, lists it
 * among the batches that carry the calls and its results name every call of the intent (a candidate
 * has exactly the intent's number of requests, so these are its calls); when the lookup tells the
 * create's batch by itself, only that one is taken. A lookup that fails is thrown, nothing adopted.
 */
export async function adoptBatch(store: BatchStore, api: BatchApi, intent: BatchIntent & { live: boolean }, batchId: string): Promise<AdoptOutcome> {
  const refused = (why: string): AdoptOutcome => ({ status: 'refused', intent, why: `${why}; nothing adopted` });
  if (intent.live) return refused('the run that recorded it is still running (its create is in progress)');
  const keys = await store.keysOfIntent(intent.token);
  let carrying: readonly string[];
  try {
    const found = await lookUpIntent(store, api, intent, keys);
    if (found === undefined) return refused(`the provider's list of batches shows none that could be this create's`);
    if (found.id !== batchId) return refused(`the provider's list tells this create's batch by itself: ${found.id} (${found.status}), which the next --batch run collects`);
    return await recorded(store, intent, found);
  } catch (error) {
    if (!(error instanceof UnresolvedCreateError)) throw error;
    const ids = error.batchIds.join(', ');
    if (error.reason === 'running') return refused(`batch(es) ${ids} of its size still run at the provider: adopt one once they have ended, when their results can be read (the next --batch run may then tell it by itself)`);
    if (error.reason === 'none-carries') return refused(`the results of none of the candidate batches (${ids}) name its calls, so none is this create's (fusion batches abandon settles it)`);
    carrying = error.batchIds;
  }
  if (!carrying.includes(batchId)) return refused(`${batchId} is not one of the batches whose results name its calls (${carrying.join(', ')})`);
  const named = new Set<string>();
  for await (const outcome of api.results(batchId)) {
    if (outcome.status === 'cut') throw outcome.error;
    if ('customId' in outcome && keys.has(outcome.customId)) named.add(outcome.customId);
  }
  if (named.size < keys.size) return refused(`the results of ${batchId} name ${named.size} of its ${keys.size} call(s), so it is not this create's batch`);
  return recorded(store, intent, await api.retrieve(batchId));
}

/**
 * The batch recorded as the intent's, as a run records the one its lookup finds; `unknown` when a
 * run settled the intent first; refused when the store holds its id for other calls.
 */
async function recorded(store: BatchStore, intent: BatchIntent, batch: BatchInfo): Promise<AdoptOutcome> {
  try {
    await store.resolveIntent(intent.token, batch);
  } catch (error) {
    if (!(error instanceof BatchConflictError)) throw error;
    return { status: 'refused', intent, why: `${error.message}; nothing adopted` };
  }
  return (await store.get(batch.id)) ? { status: 'adopted', intent, batch } : { status: 'unknown' };
}
