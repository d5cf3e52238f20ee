import { createHash } from 'node:crypto';
import type { FittedStrategy, FusionStrategy } from './strategy.js';

/**
 * The strategy with its fits remembered by what they were fitted on (items, models, gold, seed, right
 * columns): a second fit on the same training data returns the first one's result, which is what a
 * deterministic fit would return anyway. Lets two strategies that both need the same fit (`auto`,
 * and `adaptive`'s final stage) share it within one evaluation, fold by fold: only the same
 * training rows ever reach the same fit, so no other fold's labels can.
 */
export function memoizeFits(strategy: FusionStrategy): FusionStrategy {
  const fits = new Map<string, FittedStrategy>();
  return {
    ...strategy,
    fit(train, gold, options) {
      const key = createHash('sha256')
        .update(JSON.stringify([train.itemIds, train.models, train.labels, Array.from(gold), options.seed, options.metric ?? null]))
        .update(new Uint8Array(train.probs.buffer, train.probs.byteOffset, train.probs.byteLength))
        .update(train.present)
        .update(options.right ?? new Uint8Array(0))
        .digest('hex');
      const known = fits.get(key);
      if (known) return known;
      const fitted = strategy.fit(train, gold, options);
      fits.set(key, fitted);
      return fitted;
    },
  };
}

/** A key for values computed from these parts: JSON for plain values, raw bytes for typed arrays. */
export function contentKey(parts: readonly (ArrayBufferView | unknown)[]): string {
  const hash = createHash('sha256');
  for (const p of parts) {
    if (ArrayBuffer.isView(p)) hash.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
    else hash.update(JSON.stringify(p) ?? 'undefined');
    hash.update('\u0000');
  }
  return hash.digest('hex');
}

/**
 * Results remembered by content key, the least recently used dropped once they hold more than
 * `budgetBytes`: a deterministic computation asked twice with the same inputs in one process
 * (e.g. the inner cross-validation of a stacking grid, run by `auto` and again by `stacking` on
 * the same training fold of one evaluation) runs once. Bounded so a long-lived process does not grow.
 */
export class BoundedMemo<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private bytes = 0;
  constructor(
    private readonly budgetBytes: number,
    private readonly sizeOf: (value: V) => number,
  ) {}
  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    // Most recently used last.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }
  set(key: string, value: V): void {
    const bytes = this.sizeOf(value);
    if (bytes > this.budgetBytes) return;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.bytes;
      this.entries.delete(key);
    }
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.budgetBytes) break;
      this.entries.delete(k);
      this.bytes -= e.bytes;
    }
  }
}
