import { describe, expect, it } from 'vitest';
import { createAdaptiveRating } from '../../../src/kinds/rating/adaptive-policy.js';
import { type RatingMatrix, selectRatingItems } from '../../../src/kinds/rating/rating-matrix.js';
import { world } from './worlds.js';

const meanOf = (a: ArrayLike<number>): number => Array.from(a).reduce((x, y) => x + y, 0) / a.length;

/** The matrix with judge `j` unreadable on items [from, to): its answers there are abstentions. */
function unread(m: RatingMatrix, j: number, from: number, to: number): RatingMatrix {
  const J = m.judges.length;
  const scores = Float64Array.from(m.scores);
  for (let i = from; i < to; i++) scores[i * J + j] = Number.NaN;
  const { sampleScores: _s, ...rest } = m;
  return { ...rest, scores };
}

describe('adaptive rating never asks a judge that gave no readable score on any training item', () => {
  it('judges of equal noise (every one worth asking) and one whose answers never read in training: it asks the others only, new items alike', () => {
    const w = world({ items: 800, judges: [{ noise: 1.5 }, { noise: 1.5 }, { noise: 1.5 }, { noise: 1.5 }, { noise: 1.5 }], seed: 6 });
    // Judge 4 reads on no training item (the first 600) but does on the new ones.
    const m = unread(w.matrix, 4, 0, 600);
    const rows = (from: number, n: number) => Array.from({ length: n }, (_, r) => from + r);
    const pick = (r: readonly number[]): RatingMatrix => selectRatingItems(m, r);
    const train = pick(rows(0, 600));
    const fresh = pick(rows(600, 200));
    const fitted = createAdaptiveRating().fit(train, w.gold.subarray(0, 600), 1);
    // Every judge of equal noise is worth asking: it asks the four that read, never the fifth.
    expect(meanOf(fitted.calls?.(fresh) ?? [])).toBe(4);
    expect(fitted.policy?.order).toEqual(expect.not.arrayContaining([m.judges[4]]));
    expect(fitted.policy?.orderOf(m.judges)).not.toContain(4);
    // The saved state keeps it out, and loads.
    const loaded = createAdaptiveRating().load(JSON.parse(JSON.stringify(fitted.state())), m.scale);
    expect(Array.from(loaded.predict(fresh))).toEqual(Array.from(fitted.predict(fresh)));
    expect(meanOf(loaded.calls?.(fresh) ?? [])).toBe(4);
  });
});
