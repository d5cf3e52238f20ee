import type { Writable } from 'node:stream';
import type { OrchestratorStats } from './stats.js';

export interface ProgressOptions {
  stream: Writable & { isTTY?: boolean };
  /** Show even when the stream is not a terminal (one line per update instead of redrawing). */
  force?: boolean;
  totalItems?: number;
  stats: () => OrchestratorStats;
  /** Minimum time between two renders. Default 200 ms on a terminal, 5 s otherwise. */
  intervalMs?: number;
}

function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function formatUsd(usd: number): string {
  return usd === 0 ? '$0' : usd < 0.01 ? `$${usd.toFixed(5)}` : `$${usd.toFixed(4)}`;
}

/** The progress text: items, calls, cache hits, retries, failures, cost and ETA. Pure, for tests. */
export function progressText(stats: OrchestratorStats, itemsDone: number, totalItems: number | undefined, elapsedMs: number): string {
  const t = stats.total;
  const items = totalItems === undefined ? `${itemsDone}` : `${itemsDone}/${totalItems}`;
  const parts = [`items ${items}`, `calls ${t.requests}`, `cached ${t.cacheHits}`, `retries ${t.retries}`];
  if (t.failures > 0) parts.push(`failed ${t.failures}`);
  parts.push(`cost ${formatUsd(t.costUsd)}`);
  if (totalItems !== undefined && itemsDone > 0 && itemsDone < totalItems) {
    parts.push(`ETA ${formatDuration((elapsedMs / itemsDone) * (totalItems - itemsDone))}`);
  }
  if (stats.stopReason) parts.push(`stopping (${stats.stopReason})`);
  return parts.join(' | ');
}

/**
 * A throttled progress line on stderr: redrawn in place on a terminal, printed as plain lines at a
 * slow pace when forced on a pipe, silent otherwise, so logs and redirected output stay clean.
 */
export class ProgressReporter {
  private itemsDone = 0;
  private last = 0;
  private shown = false;
  private readonly started = performance.now();
  private readonly tty: boolean;
  private readonly enabled: boolean;
  private readonly interval: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ProgressOptions) {
    this.tty = options.stream.isTTY === true;
    this.enabled = this.tty || options.force === true;
    this.interval = options.intervalMs ?? (this.tty ? 200 : 5000);
    if (this.enabled) {
      // Redraw even when nothing completes (ETA, retries in backoff); never keeps the process alive.
      this.timer = setInterval(() => this.render(false), this.interval);
      this.timer.unref();
    }
  }

  set totalItems(n: number | undefined) {
    this.options.totalItems = n;
  }

  itemDone(n = 1): void {
    this.itemsDone += n;
    this.render(false);
  }

  private render(force: boolean): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (!force && now - this.last < this.interval) return;
    this.last = now;
    const text = progressText(this.options.stats(), this.itemsDone, this.options.totalItems, now - this.started);
    if (this.tty) {
      this.options.stream.write(`\r\x1b[2K${text}`);
      this.shown = true;
    } else this.options.stream.write(`${text}\n`);
  }

  /** Stops redrawing and clears the line, so the final summary starts on a clean line. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty && this.shown) this.options.stream.write('\r\x1b[2K');
  }
}
