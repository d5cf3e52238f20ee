import type { BatchInfo } from '../../providers/provider.js';
import { type Clock, systemClock } from '../clock.js';

/** How often batches are polled: from `initialMs`, growing by `factor` per round, up to `maxMs`. */
export interface PollSettings {
  initialMs: number;
  maxMs: number;
  factor: number;
}

/** Batches take minutes to hours: start at 5 s, settle at one poll a minute. */
export const DEFAULT_POLL: PollSettings = { initialMs: 5_000, maxMs: 60_000, factor: 1.5 };

export interface PollOptions {
  settings?: Partial<PollSettings>;
  clock?: Clock;
  signal?: AbortSignal;
  /** After each round, with the latest state of every batch still watched. */
  onRound?: (infos: readonly BatchInfo[]) => void;
  /** When a poll fails transiently: the error; polling goes on. */
  onError?: (id: string, error: unknown) => void;
}

/**
 * Polls batches until each is done, handing each one to `onDone` as soon as it is (so its results
 * are saved before the others finish). Transient retrieve errors are reported and polled again;
 * `isTransient` false rethrows. Resolves false when `signal` stopped it first.
 */
export async function pollUntilDone(
  ids: readonly string[],
  retrieve: (id: string) => Promise<BatchInfo>,
  onDone: (info: BatchInfo) => Promise<void>,
  isTransient: (error: unknown) => boolean,
  options: PollOptions = {},
): Promise<boolean> {
  const settings = { ...DEFAULT_POLL, ...options.settings };
  const clock = options.clock ?? systemClock;
  let watching = [...ids];
  let delay = settings.initialMs;
  const latest = new Map<string, BatchInfo>();
  for (;;) {
    if (options.signal?.aborted) return false;
    const still: string[] = [];
    for (const id of watching) {
      let info: BatchInfo;
      try {
        info = await retrieve(id);
      } catch (error) {
        if (!isTransient(error)) throw error;
        options.onError?.(id, error);
        still.push(id);
        continue;
      }
      latest.set(id, info);
      if (info.done) await onDone(info);
      else still.push(id);
      if (options.signal?.aborted) return false;
    }
    watching = still;
    options.onRound?.([...latest.values()]);
    if (watching.length === 0) return true;
    await clock.sleep(delay, options.signal);
    delay = Math.min(settings.maxMs, delay * settings.factor);
  }
}
