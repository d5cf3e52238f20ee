import { DEFAULT_CACHE_PATH, openStore } from '../orchestrate/cache.js';
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
    const cache = openStore(DEFAULT_CACHE_PATH);
    shared = new Orchestrator({ concurrency: 8, cache });
    // When the process has nothing left to do: the answers still queued are committed, then the store closes.
    process.once('beforeExit', () => void cache.close().catch(() => undefined));
  }
  return shared;
}
