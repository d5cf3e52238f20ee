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
        .update(JSON.stringify([train.itemIds, train.models, train.labels, Array.from(gold), options.seed]))
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
