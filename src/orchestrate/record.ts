import { ProviderError } from '../providers/provider.js';
import { InputError } from '../task/errors.js';
import type { RecordedResponse, Task, TaskItem } from '../task/schema.js';
import type { CachedResponse } from './cache.js';
import { promptKey } from './cache-key.js';
import type { ModelHandle, Orchestrator } from './orchestrator.js';
import type { RequestBuilder } from './request-builder.js';
import { ResponsesWriter, type UnwrittenAnswers, type WriteBytes, readRecordedKeys, responseKey } from './responses-file.js';
import type { StopReason } from './stats.js';
import { writtenUsd } from '../util/usd.js';

export interface RecordOptions {
  task: Task;
  items: readonly (TaskItem)[];
  /** Models to ask; each handle's `name` (the spec string, e.g. `openai:gpt-4o-mini`) is the recorded model name. */
  models: readonly ModelHandle[];
  /** responses.jsonl to complete; created when absent, only ever appended to. */
  responsesPath: string;
  /**
   * False: answers recorded in responsesPath are skipped, but new ones only go to the store (a
   * `--shard` worker, which must not write the folder other workers read; the run without a shard
   * writes the file). Default true.
   */
  append?: boolean;
  orchestrator: Orchestrator;
  buildRequest: RequestBuilder;
  /** Items whose calls are in progress at once (bounds memory on huge sets). Default: `defaultWindow`. */
  window?: number;
  /** Messages for the user (e.g. a killed run's incomplete line set aside). */
  notify?: (message: string) => void;
  /** Every item of the folder (all shards): a recorded answer for any other item is refused before any call. */
  knownItems?: ReadonlySet<string>;
  /** Called once per item when all its models are settled (progress). */
  onItemDone?: () => void;
  /** The write system call for responsesPath (tests inject a full disk). */
  writeBytes?: WriteBytes;
}

export interface RecordFailure {
  item: string;
  model: string;
  kind: string;
  message: string;
}

export interface RecordResult {
  /** (item, model) answers that were already in the responses file. */
  alreadyRecorded: number;
  /** Answers appended now (from the provider or the cache). */
  recorded: number;
  /** ... of which served by the cache (no call made). */
  fromCache: number;
  failed: RecordFailure[];
  /** Answers not obtained because the run stopped (budget or interrupt). */
  skipped: number;
  stopReason?: StopReason;
  /**
   * Answers received but not written to responsesPath (disk full, I/O error): the cache holds them
   * unless `unsaved` says otherwise. Once a write failed no further item is asked.
   */
  unwritten?: UnwrittenAnswers;
  /** Answers received that the cache could not store (counted by the orchestrator). */
  unsaved?: { count: number; reason?: string };
}

function toRecorded(item: string, handle: ModelHandle, r: CachedResponse, asked: { request: string; promptKey: string }): RecordedResponse {
  return {
    item,
    model: handle.name,
    ...(handle.sample === undefined ? {} : { sample: handle.sample }),
    output: r.text,
    ...(r.usage ? { tokens: r.usage } : {}),
    ...(r.cost === undefined ? {} : { cost: writtenUsd(r.cost) }),
    latencyMs: r.latencyMs,
    ...(r.logprobs ? { logprobs: r.logprobs } : {}),
    ...(r.finishReason === 'cut' ? { cut: true as const } : {}),
    request: asked.request,
    promptKey: asked.promptKey,
  };
}

/**
 * Items in progress at once unless the caller says otherwise: at least the concurrency, so that
 * every slot can be busy even when each item waits for its last call, and enough items for four
 * calls asked per slot (at least 64), so that calls are looked up and claimed before a slot frees.
 * Counted in calls rather than items because a call asked ahead of its slot is not free: it holds
 * its request, cache key, claim and promise chain until a slot frees, long enough for V8 to copy it
 * out of the young generation twice, so that each garbage collection pause while calls are in flight
 * grows with the number of calls waiting (BENCHMARKS.md, "What survives a scavenge").
 */
export function defaultWindow(concurrency: number, callsPerItem: number): number {
  return Math.max(concurrency, Math.ceil(Math.max(64, 4 * concurrency) / Math.max(1, callsPerItem)));
}

/**
 * Record mode: asks every model for every item that has no recorded answer from it yet, and appends
 * the answers to responses.jsonl in the interchange format, so a live run becomes a recorded set
 * that `fusion eval` replays offline. Safe to re-run after a kill, a failure or a budget stop: what
 * is recorded is skipped, what is cached is written without a call, only the rest is asked.
 */
export async function recordResponses(options: RecordOptions): Promise<RecordResult> {
  const { task, items, models, orchestrator, buildRequest } = options;
  const names = new Set<string>();
  for (const m of models) {
    const key = `${m.name}\u0000${m.sample ?? 0}`;
    if (names.has(key)) throw new ProviderError('config', `model ${m.name}${m.sample === undefined ? '' : ` sample ${m.sample}`} is listed twice`);
    names.add(key);
  }
  const ids = new Set<string>();
  for (const item of items) {
    if (ids.has(item.id)) throw new InputError([{ file: 'items', field: 'id', message: `duplicate item id "${item.id}"` }]);
    ids.add(item.id);
  }
  const recorded = readRecordedKeys(options.responsesPath, options.notify, options.knownItems);
  const writer = options.append === false ? undefined : new ResponsesWriter(options.responsesPath, options.writeBytes);
  const result: RecordResult = { alreadyRecorded: 0, recorded: 0, fromCache: 0, failed: [], skipped: 0 };
  const window = Math.max(1, options.window ?? defaultWindow(orchestrator.concurrency, models.length));
  const running = new Set<Promise<void>>();

  const askItem = async (item: TaskItem, missing: readonly ModelHandle[]): Promise<void> => {
    await Promise.all(
      missing.map(async (handle) => {
        let outcome;
        let asked: { request: string; promptKey: string };
        try {
          const request = buildRequest(task, item, handle.model);
          asked = { request: orchestrator.keyOf(handle, request), promptKey: promptKey(request) };
          outcome = await orchestrator.call(handle, request, asked.request);
        } catch (e) {
          // A prompt that cannot be built for this item is its failure, not the run's.
          const message = e instanceof Error ? e.message : String(e);
          result.failed.push({ item: item.id, model: handle.name, kind: 'prompt', message });
          return;
        }
        if (outcome.status === 'ok') {
          writer?.append(toRecorded(item.id, handle, outcome.response, asked));
          result.recorded++;
          if (outcome.cached) result.fromCache++;
        } else if (outcome.status === 'failed') {
          result.failed.push({ item: item.id, model: handle.name, kind: outcome.error.kind, message: outcome.error.message });
        } else result.skipped++;
      }),
    );
    options.onItemDone?.();
  };

  try {
    for (const item of items) {
      const missing = models.filter((m) => !recorded.has(responseKey(item.id, m.name, m.sample)));
      result.alreadyRecorded += models.length - missing.length;
      if (missing.length === 0) {
        options.onItemDone?.();
        continue;
      }
      // The answers file cannot be written (disk full): asking more would pay for answers that have
      // nowhere to go but a cache that may be on the same disk.
      if (writer?.unwritten) {
        result.skipped += missing.length;
        continue;
      }
      const p = askItem(item, missing).finally(() => running.delete(p));
      running.add(p);
      if (running.size >= window) await Promise.race(running);
    }
    await Promise.all(running);
  } finally {
    writer?.close();
  }
  const unwritten = writer?.unwritten;
  const unsaved = orchestrator.unsavedAnswers;
  const stopReason = orchestrator.stopReason;
  return { ...result, ...(stopReason ? { stopReason } : {}), ...(unwritten ? { unwritten } : {}), ...(unsaved.count > 0 ? { unsaved } : {}) };
}
