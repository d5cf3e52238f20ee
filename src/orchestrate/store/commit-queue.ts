import type { CachedResponse, CallIdentity, CommitTimings, FailureDetails } from './store.js';

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

export interface CommitQueueOptions {
  /**
   * Groups that may be written at once (default 1). More than one lets answers that arrive while a
   * group is being written start their own commit at the end of their turn instead of waiting for
   * it; a group never starts while one being written holds any of its keys, so each key's writes
   * stay in the order they were queued.
   */
  writers?: number;
  /** Wait this long before writing a group instead of to the end of the turn. */
  delayMs?: number;
}

interface Waiter {
  settle: (error: unknown) => void;
  queuedAt: number;
  /** Commits that had ended when it was queued. */
  endedBefore: number;
}

interface Writing {
  answers: Map<string, PendingAnswer>;
  keys: Set<string>;
  done: Promise<void>;
}

/**
 * Group commit: answers, failures and releases queue here and are written together, one commit per
 * event-loop turn (or per `delayMs`), at most `writers` commits at a time. A queued or committing
 * answer is served to this run as if stored, so it never asks again for what it already has. Each
 * answer's promise settles when its own group is written; a failed commit rejects the `answer`
 * promises of its group (each answer concerned was paid but not stored, which the run counts and
 * the user must hear about) and is kept to be rethrown by the next `flush`.
 */
export class CommitQueue {
  private readonly answers = new Map<string, PendingAnswer>();
  private readonly failures = new Map<string, PendingFailure>();
  private readonly releases = new Map<string, number>();
  private readonly writing = new Set<Writing>();
  private timer: NodeJS.Immediate | NodeJS.Timeout | undefined;
  private error: unknown;
  /** Settled when the queued entries are written: rejected with the error when their commit failed. */
  private waiters: Waiter[] = [];
  private readonly writers: number;
  private readonly delayMs: number;
  readonly timings: CommitTimings = { groups: 0, answers: 0, queuedMs: 0, writingMs: 0, commitsWaited: 0, peakWriting: 0 };

  constructor(
    private readonly write: (group: CommitGroup) => void | Promise<void>,
    options: CommitQueueOptions = {},
  ) {
    this.writers = Math.max(1, Math.floor(options.writers ?? 1));
    this.delayMs = options.delayMs ?? 0;
  }

  /** Queues an answer; resolves once its group is written, rejects when that commit failed. */
  answer(a: PendingAnswer): Promise<void> {
    this.answers.set(a.id.key, a);
    this.failures.delete(a.id.key);
    this.releases.delete(a.id.key);
    this.schedule();
    return new Promise((resolve, reject) =>
      this.waiters.push({ settle: (error) => (error === undefined ? resolve() : reject(error)), queuedAt: performance.now(), endedBefore: this.timings.groups }),
    );
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
    const queued = this.answers.get(key);
    if (queued) return queued.value;
    for (const w of this.writing) {
      const a = w.answers.get(key);
      if (a) return a.value;
    }
    return undefined;
  }

  get idle(): boolean {
    return !this.queued && this.writing.size === 0;
  }

  private get queued(): boolean {
    return this.answers.size > 0 || this.failures.size > 0 || this.releases.size > 0;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.writing.size >= this.writers) return;
    const run = (): void => {
      this.timer = undefined;
      this.pump();
    };
    this.timer = this.delayMs > 0 ? setTimeout(run, this.delayMs) : setImmediate(run);
  }

  /** Starts writing queued entries while a writer is free and no group being written holds one of their keys. */
  private pump(): void {
    while (this.writing.size < this.writers && this.queued && !this.overlapsWriting()) this.start();
  }

  private overlapsWriting(): boolean {
    for (const w of this.writing) {
      for (const key of this.answers.keys()) if (w.keys.has(key)) return true;
      for (const key of this.failures.keys()) if (w.keys.has(key)) return true;
      for (const key of this.releases.keys()) if (w.keys.has(key)) return true;
    }
    return false;
  }

  private start(): void {
    const waiters = this.waiters;
    this.waiters = [];
    const group: CommitGroup = {
      answers: [...this.answers.values()],
      failures: [...this.failures.values()],
      releases: [...this.releases].map(([key, claim]) => ({ key, claim })),
    };
    const keys = new Set([...this.answers.keys(), ...this.failures.keys(), ...this.releases.keys()]);
    const answers = new Map(this.answers);
    this.answers.clear();
    this.failures.clear();
    this.releases.clear();
    const startedAt = performance.now();
    const endedAtStart = this.timings.groups;
    let written: Promise<void>;
    try {
      written = Promise.resolve(this.write(group));
    } catch (e) {
      written = Promise.reject(e);
    }
    const entry: Writing = { answers, keys, done: Promise.resolve() };
    entry.done = written.then(
      () => this.finish(entry, waiters, startedAt, endedAtStart, undefined),
      (e: unknown) => this.finish(entry, waiters, startedAt, endedAtStart, e ?? new Error('commit failed')),
    );
    this.writing.add(entry);
    this.timings.peakWriting = Math.max(this.timings.peakWriting, this.writing.size);
  }

  private finish(entry: Writing, waiters: Waiter[], startedAt: number, endedAtStart: number, failed: unknown): void {
    const endedAt = performance.now();
    if (failed !== undefined) this.error ??= failed;
    this.writing.delete(entry);
    const t = this.timings;
    t.groups++;
    t.answers += waiters.length;
    for (const w of waiters) {
      t.queuedMs += startedAt - w.queuedAt;
      t.writingMs += endedAt - startedAt;
      t.commitsWaited += 1 + endedAtStart - w.endedBefore;
      w.settle(failed);
    }
    // Entries queued while this group was written go now, without waiting for another turn.
    this.pump();
  }

  /** Commits everything queued now; rejects with the first commit error since the last flush. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      if (this.delayMs > 0) clearTimeout(this.timer as NodeJS.Timeout);
      else clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
    while (!this.idle) {
      this.pump();
      await Promise.all([...this.writing].map((w) => w.done));
    }
    if (this.error !== undefined) {
      const e = this.error;
      this.error = undefined;
      throw e;
    }
  }
}
