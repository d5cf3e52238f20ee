/**
 * Disk cache of a strategy's fits for the benchmarks: a fit is stored as its saved state and
 * restored with the strategy's `load`, keyed by the code the fit depends on (every .ts file under
 * src/fuse, src/validation and src/qa, hashed) and by exactly what it was fitted on (items, models,
 * labels, answers and their centrality, gold, right columns, seed). A fit made by other code or on other data is never
 * reused, so a cached run reports the figures of the code in the tree.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FusionStrategy } from '../src/fuse/strategy.js';

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

/** `strategy` with its fits cached as files `<dir>/<tag>-<name>-<key>.json`. */
export function diskCachedFits(strategy: FusionStrategy, dir: string, tag: string, code = LOADED_CODE): FusionStrategy {
  mkdirSync(dir, { recursive: true });
  return {
    ...strategy,
    fit(train, gold, options) {
      const key = createHash('sha256')
        .update(JSON.stringify([code, train.itemIds, train.models, train.labels, Array.from(gold), options.seed]))
        .update(new Uint8Array(train.probs.buffer, train.probs.byteOffset, train.probs.byteLength))
        .update(train.present)
        .update(options.right ?? new Uint8Array(0))
        .update(train.centrality ? new Uint8Array(train.centrality.buffer, train.centrality.byteOffset, train.centrality.byteLength) : new Uint8Array(0))
        .digest('hex')
        .slice(0, 24);
      const file = join(dir, `${tag}-${strategy.name}-${key}.json`);
      if (existsSync(file)) return strategy.load(JSON.parse(readFileSync(file, 'utf8')), train.labels);
      const fitted = strategy.fit(train, gold, options);
      writeFileSync(file, JSON.stringify(fitted.state()));
      return fitted;
    },
  };
}
