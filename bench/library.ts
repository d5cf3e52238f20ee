/**
 * The library code the SDK-path benches measure: by default the tsc build in dist/, which is what
 * users run (`npm run build` first); with `--from src` (or FUSION_BENCH_FROM=src), the sources
 * through tsx, as every bench did before. The two are not the same code at run time: tsx's esbuild
 * transform keeps function names, so every named closure the library creates per call is also
 * given its name with `Object.defineProperty` (a property array allocated per closure), which the
 * tsc build does not do. BENCHMARKS.md ("Main-thread work per call") has the paired figures.
 *
 * A dist/ older than the sources would measure code that is not the sources: refused with a
 * message saying what to run.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as CacheModule from '../src/orchestrate/cache.js';
import type * as CacheKeyModule from '../src/orchestrate/cache-key.js';
import type * as DefaultRequestModule from '../src/orchestrate/default-request.js';
import type * as OrchestratorModule from '../src/orchestrate/orchestrator.js';
import type * as RecordModule from '../src/orchestrate/record.js';
import type * as ModelsModule from '../src/run/models.js';
import type * as RegistryModule from '../src/kinds/registry.js';
import { flag } from './flags.js';

function fromArgument(): 'dist' | 'src' {
  const value = flag('from', process.env.FUSION_BENCH_FROM ?? 'dist');
  if (value === 'dist') return 'dist';
  if (value === 'src') return 'src';
  throw new Error(`--from (or FUSION_BENCH_FROM) must be dist or src, not ${JSON.stringify(value)}`);
}

/** Which code this process measures: `dist` (the tsc build) or `src` (the sources through tsx). */
export const LIBRARY_FROM = fromArgument();

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The sources (relative to src/) that have no build in dist/ at least as new as they are. */
export function staleBuilds(root: string): string[] {
  const stale: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(root, 'src', relative), { withFileTypes: true })) {
      const path = join(relative, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const built = join(root, 'dist', path.replace(/\.ts$/, '.js'));
        if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(root, 'src', path)).mtimeMs) stale.push(path);
      }
    }
  };
  walk('');
  return stale;
}

if (LIBRARY_FROM === 'dist') {
  if (!existsSync(join(ROOT, 'dist'))) {
    console.error('bench: there is no dist/ to measure. Run `npm run build` first, or measure the sources with --from src.');
    process.exit(2);
  }
  const stale = staleBuilds(ROOT);
  if (stale.length > 0) {
    const shown = stale.slice(0, 5).join(', ') + (stale.length > 5 ? `, and ${stale.length - 5} more` : '');
    console.error(`bench: dist/ is missing or older than src/ for ${shown}. Run \`npm run build\` first, or measure the sources with --from src.`);
    process.exit(2);
  }
}

async function load<T>(path: string): Promise<T> {
  return (await import(new URL(`../${LIBRARY_FROM}/${path}.js`, import.meta.url).href)) as T;
}

export const { SqliteStore, PostgresStore } = await load<typeof CacheModule>('orchestrate/cache');
export type SqliteStore = CacheModule.SqliteStore;
export type PostgresStore = CacheModule.PostgresStore;
export const { cacheKey } = await load<typeof CacheKeyModule>('orchestrate/cache-key');
export const { createRequestBuilder } = await load<typeof DefaultRequestModule>('orchestrate/default-request');
export const { Orchestrator } = await load<typeof OrchestratorModule>('orchestrate/orchestrator');
export type Orchestrator = OrchestratorModule.Orchestrator;
export const { recordResponses, defaultWindow } = await load<typeof RecordModule>('orchestrate/record');
export const { resolveModels } = await load<typeof ModelsModule>('run/models');
export const { kindOf } = await load<typeof RegistryModule>('kinds/registry');
