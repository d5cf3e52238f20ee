import type { CommitQueue } from './commit-queue.js';
import type { CachedResponse, CallIdentity, FailureDetails } from './store.js';

/**
 * This run's claims (key -> the claim's sequence number, so a release deletes only that claim) and
 * how each ends, the same for every store: an answer or a failure is queued with the release of its
 * claim, in one commit; a claim given up without either is queued as a release.
 */
export class HeldClaims {
  private readonly held = new Map<string, number>();

  constructor(
    private readonly queue: CommitQueue,
    private readonly writes: boolean,
  ) {}

  get size(): number {
    return this.held.size;
  }

  /** This run now holds `key` under claim `seq`; a release of it still queued is void. */
  take(key: string, seq: number): void {
    this.held.set(key, seq);
    this.queue.cancelRelease(key);
  }

  release(key: string): void {
    const seq = this.held.get(key);
    if (seq === undefined || !this.writes) return;
    this.held.delete(key);
    this.queue.release(key, seq);
  }

  answer(id: CallIdentity, value: CachedResponse): Promise<void> {
    if (!this.writes) return Promise.resolve();
    return this.queue.answer({ id, value, claim: this.end(id.key), at: new Date().toISOString() });
  }

  failure(id: CallIdentity, failure: FailureDetails): void {
    if (!this.writes) return;
    this.queue.failure({ id, failure, claim: this.end(id.key), at: new Date().toISOString() });
  }

  /** Forgets every claim (the store deletes this run's claims itself when it closes). */
  clear(): void {
    this.held.clear();
  }

  private end(key: string): number | undefined {
    const claim = this.held.get(key);
    this.held.delete(key);
    return claim;
  }
}
