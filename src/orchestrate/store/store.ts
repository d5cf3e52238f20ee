import type { TokenLogprob } from '../../task/schema.js';
import type { BatchStore } from '../batch/batch-store.js';
import type { ClaimOwner } from './claim-owner.js';

/** What a successful call produced; exactly what a re-run needs instead of calling again. */
export interface CachedResponse {
  text: string;
  logprobs?: TokenLogprob[];
  usage?: { input: number; output: number };
  /** USD, when the price was known at call time. */
  cost?: number;
  latencyMs: number;
  finishReason?: string;
}

export interface CallIdentity {
  key: string;
  provider: string;
  model: string;
}

export interface RecordedFailure {
  key: string;
  provider: string;
  model: string;
  kind: string;
  message: string;
  status?: number;
  attempts: number;
  at: string;
}

export interface FailureDetails {
  kind: string;
  message: string;
  status?: number;
  attempts: number;
}

export interface StoreOptions {
  /** How long a claim holds without renewal (default FUSION_CLAIM_LEASE_MS or 30 s). */
  leaseMs?: number;
  /** Who this run's claims name (default: a fresh random run id in this process's PID namespace). */
  owner?: ClaimOwner;
}

/**
 * How long answers waited for their commit, summed over answers (a paid answer keeps its call's
 * slot for all of it): from being queued until its group started to be written (the end of the
 * turn, or a group before it still being written), and its group's own write.
 */
export interface CommitTimings {
  groups: number;
  answers: number;
  queuedMs: number;
  writingMs: number;
  /**
   * Sum over answers of the commits on its path: its own, and those that had to end before its
   * group could start (1 when a writer was free at the end of its turn, 2 when it first waited for
   * a group before it). A count, so the load of the machine moves it far less than the times above.
   */
  commitsWaited: number;
  /** The most groups that were being written at once. */
  peakWriting: number;
}

/**
 * What a store sent on a run's path so far, for benchmarks: statements for lookups and claims (each
 * serving every request of one event-loop turn; on PostgreSQL a round trip each, on SQLite a
 * lookup is a statement per call and never waits) and group commits, with how long answers waited
 * for theirs.
 */
export interface StoreStats {
  lookups: number;
  claims: number;
  commits: CommitTimings;
}

/** read: serve hits; write: store new answers. `--no-cache` is neither, `--refresh` is write only. */
export interface CacheMode {
  read: boolean;
  write: boolean;
}

/**
 * What `claim` found: the answer is stored, this run may call, or another run holds the call under
 * a live lease (`owner` is that run's id).
 */
export type ClaimResult =
  | { status: 'claimed' }
  | { status: 'answered'; response: CachedResponse }
  | { status: 'busy'; owner: string }
  /** Paid for in a provider batch that no live run polls (or whose creation is not settled yet): its answer comes from there. */
  | { status: 'batch'; batchId: string };

/**
 * The one place a run keeps what it paid for and what it is paying for: answers, failures, claims
 * and batch records, in SQLite (one machine) or PostgreSQL (many). Every implementation keeps the
 * same promises:
 *
 * - an answer is never paid twice: before calling, a run claims the call's key; a run finding a
 *   claim under a live lease waits for the answer instead of calling;
 * - a claim names its owner by a random run id (unique across machines and PID namespaces) and
 *   carries a lease the live owner renews; a killed owner's claims lapse when the lease runs out,
 *   and whoever waits on them takes them over;
 * - answers and failures are committed in small groups (one transaction a tick), each with the
 *   release of its claim, so a run killed with SIGKILL re-pays at most the calls in flight;
 * - keys are request hashes: no API key, header or endpoint credential is ever stored.
 */
export interface ResponseStore {
  /** Where the store lives, for messages: a file path, or a URL without its password. */
  readonly location: string;
  readonly mode: CacheMode;
  /** The owner name of this run's claims. */
  readonly runId: string;
  /** Messages for the user about the store (e.g. entries of an older version that are ignored). */
  readonly notices: string[];
  /** The submitted provider batches and their calls. */
  readonly batches: BatchStore;
  /** Resolves once the store is reachable and its schema is in place; rejects with a StoreError otherwise. */
  ready(): Promise<void>;
  get(key: string): Promise<CachedResponse | undefined>;
  /**
   * Takes the right to call for `key`, unless its answer is stored and `acceptCached` (under
   * --refresh: only once another run answered while this one waited), or another run holds it
   * under a live lease.
   */
  claim(key: string, acceptCached: boolean): Promise<ClaimResult>;
  /**
   * Claims calls for a batch run: each key is `answered` (stored), `busy` (another run holds it
   * under a live lease) or `claimed` by this run, which keeps the claim while it submits and polls,
   * so a live run waits for the batch's answer instead of paying for it. Open batches are the batch
   * runner's own business (it resumes them), so `batch` is never the answer here.
   */
  claimForBatch(keys: readonly string[]): Promise<Map<string, ClaimResult>>;
  /**
   * After `claim` said `busy`: resolves when the other run's claim may have ended (PostgreSQL: the
   * notification of the commit that ended it, with a slow poll for a lapsed lease; SQLite: a short
   * poll), or when `signal` aborts. The caller then claims again.
   */
  waitForRelease(key: string, signal?: AbortSignal): Promise<void>;
  /** Gives up a claim (the call failed or was not made); committed with the next group. */
  release(key: string): void;
  /**
   * Queues an answer; it is committed with the next group, together with the release of its claim.
   * Resolves once that group is written; rejects when its commit failed (the answer is not stored;
   * `flush` reports the error too).
   */
  put(id: CallIdentity, value: CachedResponse): Promise<void>;
  /** Queues a failure (kept for the report, never served); committed with the next group. */
  recordFailure(id: CallIdentity, failure: FailureDetails): void;
  /** Commits everything queued; rejects when a commit failed (the answers concerned are not stored). */
  flush(): Promise<void>;
  failures(): Promise<RecordedFailure[]>;
  /** Number of stored answers (all models), for reports and tests. */
  size(): Promise<number>;
  /** Commits what is queued, gives up this run's claims and closes the connection(s). */
  close(): Promise<void>;
}
