/**
 * Requests made in one event-loop turn, served by one call of `run` at the end of it: for the many
 * calls that start together at dozens in flight (a group of answers arrives, the next calls start),
 * a store sends one statement (PostgreSQL, where every request is a round trip) or writes one
 * transaction (SQLite) instead of one each. A turn with one request costs what it did. `run` answers each item in order; when it fails,
 * every request of its turn fails with that error.
 */
export class TurnBatch<T, R> {
  private queued: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private turn: NodeJS.Immediate | undefined;
  /** Calls of `run` so far: a store's statements (PostgreSQL: round trips) for this kind of request. */
  sent = 0;

  constructor(private readonly run: (items: readonly T[]) => Promise<readonly R[]>) {}

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      this.turn ??= setImmediate(() => void this.send());
    });
  }

  private async send(): Promise<void> {
    this.turn = undefined;
    const batch = this.queued;
    this.queued = [];
    this.sent++;
    let results: readonly R[];
    try {
      results = await this.run(batch.map((q) => q.item));
      if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} requests was answered with ${results.length} results`);
    } catch (e) {
      for (const q of batch) q.reject(e);
      return;
    }
    batch.forEach((q, i) => q.resolve(results[i] as R));
  }
}
