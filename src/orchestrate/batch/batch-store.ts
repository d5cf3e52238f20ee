import type { BatchInfo, BatchStatus } from '../../providers/provider.js';
import { BatchConflictError } from '../store/errors.js';

/** A provider batch this project submitted, as remembered in the store. */
export interface BatchJob {
  batchId: string;
  provider: string;
  /** The model's recorded name, e.g. `openai:gpt-4o-mini`. */
  model: string;
  status: BatchStatus;
  requests: number;
  succeeded: number;
  failed: number;
  /** USD reserved before submission (batch prices, conservative token estimate). */
  estimatedCost: number;
  /** USD of the answers received, at batch prices; undefined until collected. */
  cost?: number;
  /** The provider's message when it rejected the batch. */
  message?: string;
  /** Results were read into the cache: nothing more to do with this batch. */
  collected: boolean;
  createdAt: string;
  updatedAt: string;
}

/**
 * Submitted batches and the calls (cache keys, which are also the custom_ids) each one carries,
 * kept in the response store (SQLite or PostgreSQL): a killed run that is started again, on this
 * machine or another, finds its batches here and polls them instead of submitting (and paying for)
 * them again.
 */
export interface BatchStore {
  /**
   * Remembers a batch the provider accepted, with its calls, in one transaction. The same batch
   * again with the same calls changes nothing; with other calls or another model, BatchConflictError.
   */
  add(job: Pick<BatchJob, 'batchId' | 'provider' | 'model' | 'status' | 'requests' | 'estimatedCost'>, keys: readonly string[]): Promise<void>;
  /** Records what the provider last said about a batch. */
  update(info: BatchInfo): Promise<void>;
  /** The batch's results are in the cache (call after the cache is flushed). */
  markCollected(batchId: string, result: { succeeded: number; failed: number; cost: number }): Promise<void>;
  /** Batches of `model` not collected yet that carry at least one of `keys`, with all their keys. */
  openJobsFor(model: string, keys: ReadonlySet<string>): Promise<{ job: BatchJob; keys: string[] }[]>;
  get(batchId: string): Promise<BatchJob | undefined>;
  /** Every remembered batch, oldest first. */
  list(): Promise<BatchJob[]>;
  /** Ids of every remembered batch (to tell a batch found at the provider from ours). */
  knownIds(): Promise<Set<string>>;

  // Intents: a batch about to be created is recorded first, with a token the provider keeps, so a
  // create whose answer never came (connection dropped, process killed) is found and polled, not paid twice.

  /** Records that a batch of `keys` is about to be created (before the create request), owned by this run. */
  addIntent(intent: BatchIntent, keys: readonly string[]): Promise<void>;
  /**
   * The provider created the intent's batch: it becomes a remembered batch with the intent's calls,
   * in one transaction. Already remembered with those calls (another run resolved it): the intent
   * is gone, nothing else changes; remembered with other calls: BatchConflictError, the intent stays.
   */
  resolveIntent(token: string, info: BatchInfo): Promise<void>;
  /** The intent's batch was not created: its calls are free again. */
  dropIntent(token: string): Promise<void>;
  /** The calls (custom_ids) of one intent: what tells its batch from another of the same size. */
  keysOfIntent(token: string): Promise<Set<string>>;
  /** The calls of `model`'s intents not resolved yet. */
  intentKeysOf(model: string): Promise<Set<string>>;
  /**
   * Intents of `model` not resolved yet, oldest first; `live` when their run still holds a claim
   * under a live lease (a batch run claims its calls before creating): their create is in progress.
   */
  intentsOf(model: string): Promise<(BatchIntent & { live: boolean })[]>;
  /** Every intent not resolved yet, by model, oldest first (for `fusion batches`). */
  intents(): Promise<(BatchIntent & { live: boolean })[]>;
  /**
   * The user settled an intent whose batch the provider's list cannot tell (`fusion batches
   * abandon`): it is forgotten, its calls free again (the next run asks them), and the abandon is
   * kept on record with `note`, in one transaction. Undefined when no such intent is on record (a
   * run resolved it meanwhile).
   */
  abandonIntent(token: string, note: string): Promise<BatchIntent | undefined>;
  /** Intents the user abandoned, oldest abandon first. */
  abandonedIntents(): Promise<AbandonedIntent[]>;
}

/** What a batch is recorded for: what makes a second record of its id the same batch or a conflict. */
export interface BatchCalls {
  provider: string;
  model: string;
  keys: Iterable<string>;
}

/**
 * Throws BatchConflictError when `batchId`, recorded for `recorded`, is recorded again for other
 * calls or another model (`again`); the same provider, model and set of calls is the same batch.
 */
export function checkSameBatch(batchId: string, recorded: BatchCalls, again: BatchCalls): void {
  const had = new Set(recorded.keys);
  const now = new Set(again.keys);
  const sameCalls = had.size === now.size && [...now].every((k) => had.has(k));
  if (sameCalls && recorded.provider === again.provider && recorded.model === again.model) return;
  const what = (b: BatchCalls, n: number): string => `${n} call(s) of ${b.model} (${b.provider})`;
  throw new BatchConflictError(
    batchId,
    `batch ${batchId} is recorded for ${what(recorded, had.size)}; recording it again for ${sameCalls ? '' : 'other '}${what(again, now.size)} would collect its answers for the wrong calls: refused, the store keeps what it had`,
  );
}

/** An intent the user abandoned, as kept on record. */
export interface AbandonedIntent extends BatchIntent {
  /** ISO time of the abandon. */
  abandonedAt: string;
  /** What the provider's list showed when it was abandoned. */
  note: string;
}

/** A batch about to be created. */
export interface BatchIntent {
  /** Random; kept in the batch's metadata where the provider allows it. */
  token: string;
  provider: string;
  model: string;
  requests: number;
  estimatedCost: number;
  /** ISO time, taken before the create request. */
  createdAt: string;
}

/** A batch_intents row as both stores return it. */
export interface IntentRow {
  token: string;
  provider: string;
  model: string;
  requests: number;
  estimated_cost: number;
  owner: string;
  created_at: string | Date;
  live: number | boolean;
}

/** The intent a row records, whatever its liveness (an abandoned one has none). */
export function intentOfRow(r: Omit<IntentRow, 'live' | 'owner'>): BatchIntent {
  return {
    token: r.token,
    provider: r.provider,
    model: r.model,
    requests: Number(r.requests),
    estimatedCost: Number(r.estimated_cost),
    createdAt: iso(r.created_at),
  };
}

export function toIntent(r: IntentRow): BatchIntent & { live: boolean } {
  return { ...intentOfRow(r), live: r.live === 1 || r.live === true };
}

/** A batch_abandoned_intents row as both stores return it. */
export interface AbandonedRow extends Omit<IntentRow, 'live' | 'owner'> {
  abandoned_at: string | Date;
  note: string;
}

export function toAbandoned(r: AbandonedRow): AbandonedIntent {
  return { ...intentOfRow(r), abandonedAt: iso(r.abandoned_at), note: r.note };
}

/** A batch_jobs row as both stores return it. */
export interface JobRow {
  batch_id: string;
  provider: string;
  model: string;
  status: string;
  requests: number;
  succeeded: number;
  failed: number;
  estimated_cost: number;
  cost: number | null;
  message: string | null;
  collected: number | boolean;
  created_at: string | Date;
  updated_at: string | Date;
}

const iso = (t: string | Date): string => (typeof t === 'string' ? t : t.toISOString());

export function toJob(r: JobRow): BatchJob {
  return {
    batchId: r.batch_id,
    provider: r.provider,
    model: r.model,
    status: r.status as BatchStatus,
    requests: Number(r.requests),
    succeeded: Number(r.succeeded),
    failed: Number(r.failed),
    estimatedCost: Number(r.estimated_cost),
    ...(r.cost === null ? {} : { cost: Number(r.cost) }),
    ...(r.message === null ? {} : { message: r.message }),
    collected: r.collected === 1 || r.collected === true,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}
