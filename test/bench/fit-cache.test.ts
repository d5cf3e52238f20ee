import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diskCachedFits } from '../../bench/fit-cache.js';
import { createAdaptive } from '../../src/fuse/adaptive/adaptive-strategy.js';
import { autoStrategy } from '../../src/fuse/auto.js';
import { innerOutOfFoldOf } from '../../src/fuse/inner-out-of-fold.js';
import { memoizeFits } from '../../src/fuse/memo-fits.js';
import { makeWorld } from '../support/crowd-worlds.js';

/**
 * The benchmarks' disk cache of fits must give what `fusion eval` gives. `adaptive` takes `auto`'s
 * inner out-of-fold decisions as its reference when the `auto` fit kept them (as the one in-memory
 * fit of an evaluation does) and cross-validates `auto` itself when not; a fit restored from the
 * cache without them gave `adaptive` another reference, so `npm run bench:quality` reported other
 * `adaptive` figures than `fusion eval` (BENCHMARKS.md has the figures).
 */
const world = makeWorld(
  {
    name: 'five voters, three labels',
    items: 150,
    classes: [0.5, 0.3, 0.2],
    voters: [
      { kind: 'skilled', count: 2, min: 0.75, max: 0.85 },
      { kind: 'skilled', count: 3, min: 0.5, max: 0.65 },
    ],
  },
  3,
);

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('diskCachedFits', () => {
  it("keeps auto's inner out-of-fold decisions through the cache", () => {
    dir = mkdtempSync(join(tmpdir(), 'fit-cache-'));
    const cached = diskCachedFits(autoStrategy, dir, 'world');
    const fresh = cached.fit(world.matrix, world.gold, { seed: 1 });
    const restored = cached.fit(world.matrix, world.gold, { seed: 1 });
    const a = innerOutOfFoldOf(fresh);
    const b = innerOutOfFoldOf(restored);
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    expect(b?.rows).toEqual(a?.rows);
    expect(b?.folds).toEqual(a?.folds);
    expect(Array.from(b?.prediction.probs ?? [])).toEqual(Array.from(a?.prediction.probs ?? []));
    expect(Array.from(b?.prediction.decided ?? [])).toEqual(Array.from(a?.prediction.decided ?? []));
    expect(Array.from(restored.predict(world.matrix).probs)).toEqual(Array.from(fresh.predict(world.matrix).probs));
  });

  it('gives adaptive, on a restored auto, the fit it gets on the in-memory auto of one evaluation', () => {
    dir = mkdtempSync(join(tmpdir(), 'fit-cache-'));
    const cached = diskCachedFits(autoStrategy, dir, 'world');
    cached.fit(world.matrix, world.gold, { seed: 1 });
    const onRestored = createAdaptive({ final: cached }).fit(world.matrix, world.gold, { seed: 1 });
    const onMemory = createAdaptive({ final: memoizeFits(autoStrategy) }).fit(world.matrix, world.gold, { seed: 1 });
    expect(onRestored.state()).toEqual(onMemory.state());
  });
});
