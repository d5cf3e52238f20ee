import { systemClock } from '../clock.js';

/** How often a run waiting on another's claim asks again when nothing tells it the claim ended. */
export const CLAIM_POLL_MS = 50;

/** What a LISTEN connection needs: the `pg` client's surface, so this file stays free of the driver. */
export interface NotificationSource {
  connect(): Promise<unknown>;
  query(text: string): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error' | 'end', listener: () => void): unknown;
  end(): Promise<void>;
}

/** The payload that wakes every waiter (a run gave up all its claims at once). */
export const EVERY_KEY = '*';

/** The keys of one notification payload: one per line. */
export function payloadsOf(keys: readonly string[], maxBytes = 7_000): string[] {
  const out: string[] = [];
  let current = '';
  for (const key of keys) {
    if (current !== '' && current.length + 1 + key.length > maxBytes) {
      out.push(current);
      current = '';
    }
    current = current === '' ? key : `${current}\n${key}`;
  }
  if (current !== '') out.push(current);
  return out;
}

/**
 * Waiting for another run's claim to end, woken by the database instead of by polling: the store
 * notifies a channel with the keys whose claim ended (in the commit that stores their answer or
 * failure, or releases them), and this listens on it. A key is watched from before each claim is
 * asked, so a notification that arrives while the claim's answer is on its way is not missed. A
 * slow poll stays as the fallback: a killed run's claim ends by its lease running out, which no
 * one notifies; and without a listening connection (it failed or dropped) the wait is the short poll.
 */
export class EndedClaims {
  private source: NotificationSource | undefined;
  private listening = false;
  private readonly watched = new Map<string, { ended: boolean; wake: Set<() => void> }>();

  constructor(
    private readonly channel: string,
    /** The poll while listening (lapsed leases); without a listener the wait is CLAIM_POLL_MS. */
    readonly fallbackMs: number,
  ) {}

  /** Listens on a connection of its own; a failure leaves the waits polling. */
  async start(source: NotificationSource): Promise<void> {
    this.source = source;
    source.on('notification', (m) => {
      if (m.channel === this.channel) this.ended(m.payload ?? '');
    });
    const lost = (): void => {
      this.listening = false;
      this.wakeAll(); // waits under the long fallback go back to the short poll
    };
    source.on('error', lost);
    source.on('end', lost);
    try {
      await source.connect();
      await source.query(`LISTEN ${this.channel}`);
      this.listening = true;
    } catch {
      this.listening = false;
    }
  }

  get isListening(): boolean {
    return this.listening;
  }

  /** From now on, a notification for `key` ends the next wait on it. */
  watch(key: string): void {
    const w = this.watched.get(key);
    if (w) w.ended = false;
    else this.watched.set(key, { ended: false, wake: new Set() });
  }

  unwatch(key: string): void {
    this.watched.delete(key);
  }

  /** Resolves when the claim on `key` ended since it was last watched, after the poll interval, or when `signal` aborts. */
  wait(key: string, signal?: AbortSignal): Promise<void> {
    let w = this.watched.get(key);
    if (!w) this.watched.set(key, (w = { ended: false, wake: new Set() }));
    if (w.ended || signal?.aborted) return Promise.resolve();
    const entry = w;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        entry.wake.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.listening ? this.fallbackMs : CLAIM_POLL_MS);
      entry.wake.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private ended(payload: string): void {
    if (payload === EVERY_KEY) return this.wakeAll();
    for (const key of payload.split('\n')) {
      const w = this.watched.get(key);
      if (!w) continue;
      w.ended = true;
      for (const wake of [...w.wake]) wake();
    }
  }

  private wakeAll(): void {
    for (const w of this.watched.values()) {
      w.ended = true;
      for (const wake of [...w.wake]) wake();
    }
  }

  async close(): Promise<void> {
    this.listening = false;
    this.wakeAll();
    this.watched.clear();
    await this.source?.end().catch(() => undefined);
    this.source = undefined;
  }
}

/** The wait of a store that cannot be told (SQLite on one machine): the short poll. */
export function pollForRelease(signal?: AbortSignal): Promise<void> {
  return systemClock.sleep(CLAIM_POLL_MS, signal);
}
