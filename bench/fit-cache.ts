/**
 * Disk cache of a strategy's fits for the benchmarks: a fit is stored as its saved state and
 * restored with the strategy's `load`, keyed by the code the fit depends on (every .ts file under
 * src/fuse, src/validation and src/qa, hashed) and by exactly what it was fitted on (items, models,
 * labels, answers and their centrality, gold, right columns, seed). A fit made by other code or on other data is never
 * reused, so a cached run reports the figures of the code in the tree. A fit that kept its inner
 * out-of-fold decisions (`auto`) keeps them through the cache too: `adaptive` takes them as its
 * reference when they are there and cross-validates `auto` itself when they are not, so a restored
 * fit without them would give `adaptive` other figures than `fusion eval`, which shares the one
 * in-memory `auto` fit.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type InnerOutOfFold, innerOutOfFoldOf } from '../src/fuse/inner-out-of-fold.js';
import type { FittedStrategy, FusionStrategy } from '../src/fuse/strategy.js';

/** Hash of the code a fit depends on. */
export function codeFingerprint(dirs: readonly string[] = ['fuse', 'validation', 'qa']): string {
  const hash = createHash('sha256');
  for (const dir of dirs) {
    const root = fileURLToPath(new URL(`../src/${dir}/`, import.meta.url));
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).sort();
    for (const f of files) hash.update(f).update(readFileSync(join(root, f)));
  }
  return hash.digest('hex').slice(0, 12);
}

/**
 * The code as this process loaded it: hashed once at start, since a file edited while a long run
 * goes on would otherwise key the fits of the code in memory by the code on disk.
 */
const LOADED_CODE = codeFingerprint();

/** What a cache file holds: the fit's saved state and, where the fit kept them, its inner out-of-fold decisions. */
interface CachedFit {
  state: unknown;
  inner?: { rows: number[]; folds: number[][]; probs: number[]; decided: number[] };
}
/** Cache files of another layout are never read as this one (the file name carries it). */
const LAYOUT = 'v2';

function toCached(fitted: FittedStrategy): CachedFit {
  const inner = innerOutOfFoldOf(fitted);
  return {
    state: fitted.state(),
    ...(inner
      ? { inner: { rows: [...inner.rows], folds: inner.folds.map((f) => [...f]), probs: Array.from(inner.prediction.probs), decided: Array.from(inner.prediction.decided) } }
      : {}),
  };
}

function fromCached(strategy: FusionStrategy, cached: CachedFit, labels: readonly string[]): FittedStrategy {
  const fitted = strategy.load(cached.state, labels);
  if (!cached.inner) return fitted;
  const kept: InnerOutOfFold = {
    rows: cached.inner.rows,
    folds: cached.inner.folds,
    prediction: { probs: Float64Array.from(cached.inner.probs), decided: Uint8Array.from(cached.inner.decided) },
  };
  return { ...fitted, innerOutOfFold: () => kept } as FittedStrategy;
}

/** `strategy` with its fits cached as files `<dir>/<tag>-<name>-<layout>-<key>.json`. */
export function diskCachedFits(strategy: FusionStrategy, dir: string, tag: string, code = LOADED_CODE): FusionStrategy {
  mkdirSync(dir, { recursive: true });
  return {
    ...strategy,
    fit(train, gold, options) {
      const key = createHash('sha256')
        .update(JSON.stringify([code, train.itemIds, train.models, train.labels, Array.from(gold), options.seed, options.metric ?? null]))
        .update(new Uint8Array(train.probs.buffer, train.probs.byteOffset, train.probs.byteLength))
        .update(train.present)
        .update(options.right ?? new Uint8Array(0))
        .update(train.centrality ? new Uint8Array(train.centrality.buffer, train.centrality.byteOffset, train.centrality.byteLength) : new Uint8Array(0))
        .digest('hex')
        .slice(0, 24);
      const file = join(dir, `${tag}-${strategy.name}-${LAYOUT}-${key}.json`);
      if (existsSync(file)) return fromCached(strategy, JSON.parse(readFileSync(file, 'utf8')) as CachedFit, train.labels);
      const fitted = strategy.fit(train, gold, options);
      writeFileSync(file, JSON.stringify(toCached(fitted)));
      return fitted;
    },
  };
}
