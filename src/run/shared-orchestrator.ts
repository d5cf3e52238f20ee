import { DEFAULT_CACHE_PATH, ResponseCache } from '../orchestrate/cache.js';
import { Orchestrator } from '../orchestrate/orchestrator.js';

let shared: Orchestrator | undefined;

/**
 * The orchestrator a bare fuse() or fuseQuestion() uses (no `orchestrator`, `orchestration` or
 * `cachePath` given): one per process, made on first use, so calls made at once share one
 * concurrency limit (8) and, as in the CLI, the response cache at `.fusion/cache.sqlite`.
 * Without it, `Promise.all(rows.map(fuse))` put every row's calls in flight at once, uncached.
 */
export function sharedOrchestrator(): Orchestrator {
  if (!shared) {
    const cache = new ResponseCache(DEFAULT_CACHE_PATH);
    shared = new Orchestrator({ concurrency: 8, cache });
    process.once('exit', () => cache.close());
  }
  return shared;
}
