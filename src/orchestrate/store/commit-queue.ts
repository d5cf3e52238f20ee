import type { CachedResponse, CallIdentity, FailureDetails } from './store.js';

export interface PendingAnswer {
  id: CallIdentity;
  value: CachedResponse;
  /** This run's claim on the key, released in the same commit. */
  claim: number | undefined;
  at: string;
}

export interface PendingFailure {
  id: CallIdentity;
  failure: FailureDetails;
  claim: number | undefined;
  at: string;
}

/** What one commit writes: answers, failures, and claims given up without an answer. */
export interface CommitGroup {
  answers: PendingAnswer[];
  failures: PendingFailure[];
  releases: { key: string; claim: number }[];
}

/**
 * Group commit: answers, failures and releases queue here and are written together, one commit per
 * event-loop turn (or per `delayMs`), one commit at a time. A queued or committing answer is served
 * to this run as if stored, so it never asks again for what it already has. A failed commit rejects
 * the `answer` promises of its group (each answer concerned was paid but not stored, which the run
 * counts and the user must hear about) and is kept to be rethrown by the next `flush`.
 */
export class CommitQueue {
  private readonly answers = new Map<string, PendingAnswer>();
  private readonly failures = new Map<string, PendingFailure>();
  private readonly releases = new Map<string, number>();
  /** Answers of the commit being written (asynchronous stores). */
  private committing = new Map<string, PendingAnswer>();
  private timer: NodeJS.Immediate | NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private error: unknown;
  /** Settled when the queued entries are written: rejected with the error when their commit failed. */
  private waiters: ((error: unknown) => void)[] = [];

  constructor(
    private readonly write: (group: CommitGroup) => void | Promise<void>,
    private readonly delayMs = 0,
  ) {}

  /** Queues an answer; resolves once its group is written, rejects when that commit failed. */
  answer(a: PendingAnswer): Promise<void> {
    this.answers.set(a.id.key, a);
    this.failures.delete(a.id.key);
    this.releases.delete(a.id.key);
    this.schedule();
    return new Promise((resolve, reject) => this.waiters.push((error) => (error === undefined ? resolve() : reject(error))));
  }

  failure(f: PendingFailure): void {
    this.failures.set(f.id.key, f);
    this.releases.delete(f.id.key);
    this.schedule();
  }

  release(key: string, claim: number): void {
    this.releases.set(key, claim);
    this.schedule();
  }

  /** A claim taken again by this run before its release was written: the release is void. */
  cancelRelease(key: string): void {
    this.releases.delete(key);
  }

  /** An answer this run has but may not have stored yet. */
  pendingAnswer(key: string): CachedResponse | undefined {
    return (this.answers.get(key) ?? this.committing.get(key))?.value;
  }

  get idle(): boolean {
    return this.answers.size === 0 && this.failures.size === 0 && this.releases.size === 0 && this.running === undefined;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.running !== undefined) return;
    const run = (): void => {
      this.timer = undefined;
      void this.drain().catch(() => undefined);
    };
    this.timer = this.delayMs > 0 ? setTimeout(run, this.delayMs) : setImmediate(run);
  }

  private take(): { group: CommitGroup; waiters: ((error: unknown) => void)[] } | undefined {
    if (this.answers.size === 0 && this.failures.size === 0 && this.releases.size === 0) return undefined;
    const waiters = this.waiters;
    this.waiters = [];
    const group: CommitGroup = {
      answers: [...this.answers.values()],
      failures: [...this.failures.values()],
      releases: [...this.releases].map(([key, claim]) => ({ key, claim })),
    };
    this.committing = new Map(this.answers);
    this.answers.clear();
    this.failures.clear();
    this.releases.clear();
    return { group, waiters };
  }

  /** Writes groups until nothing is queued; one writer at a time. */
  private drain(): Promise<void> {
    if (this.running) return this.running;
    const loop = async (): Promise<void> => {
      for (let next = this.take(); next; next = this.take()) {
        let failed: unknown;
        try {
          await this.write(next.group);
        } catch (e) {
          failed = e ?? new Error('commit failed');
          this.error ??= failed;
        } finally {
          this.committing = new Map();
          for (const settle of next.waiters) settle(failed);
        }
      }
    };
    // Cleared once the loop is over, never before it is set: a synchronous store (SQLite) whose commit
    // throws ends the loop without awaiting, and clearing inside it would then come before the
    // assignment below, leaving `running` set for good and `flush` spinning on it.
    const running: Promise<void> = loop().finally(() => {
      if (this.running !== running) return;
      this.running = undefined;
      // Queued between the loop's end and now, when `schedule` saw a commit still running.
      if (this.answers.size > 0 || this.failures.size > 0 || this.releases.size > 0) this.schedule();
    });
    this.running = running;
    return running;
  }

  /** Commits everything queued now; rejects with the first commit error since the last flush. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      if (this.delayMs > 0) clearTimeout(this.timer as NodeJS.Timeout);
      else clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
    while (!this.idle) await this.drain();
    if (this.error !== undefined) {
      const e = this.error;
      this.error = undefined;
      throw e;
    }
  }
}
