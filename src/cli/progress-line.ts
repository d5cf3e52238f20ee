import type { Writable } from 'node:stream';
import type { OrchestratorStats } from '../orchestrate/stats.js';
import { progressText } from '../orchestrate/progress.js';

export interface ProgressLineOptions {
  stream: Writable & { isTTY?: boolean };
  /** Show even when the stream is not a terminal (one line per update instead of redrawing). */
  force?: boolean;
  /** Minimum time between two renders. Default 200 ms on a terminal, 5 s otherwise. */
  intervalMs?: number;
  /** Redraw from this every interval even when nothing calls update() (an ETA, retries in backoff). */
  text?: () => string;
}

/**
 * The one progress line of the CLI, on stderr: redrawn in place on a terminal, printed as plain
 * lines at a slow pace when forced on a pipe, silent otherwise, so logs and redirected output stay
 * clean. Throttled; stop() clears it so what follows starts on a clean line.
 */
export class ProgressLine {
  private last = Number.NEGATIVE_INFINITY;
  private shown = false;
  private readonly tty: boolean;
  private readonly enabled: boolean;
  private readonly interval: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ProgressLineOptions) {
    this.tty = options.stream.isTTY === true;
    this.enabled = this.tty || options.force === true;
    this.interval = options.intervalMs ?? (this.tty ? 200 : 5000);
    const text = options.text;
    if (this.enabled && text) {
      // Never keeps the process alive.
      this.timer = setInterval(() => this.update(text()), this.interval);
      this.timer.unref();
    }
  }

  /** Shows `text` (or the `text` option's current value) unless the last render was too recent. */
  update(text?: string): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.last < this.interval) return;
    const line = text ?? this.options.text?.();
    if (line === undefined) return;
    this.last = now;
    if (this.tty) {
      this.options.stream.write(`\r\x1b[2K${line}`);
      this.shown = true;
    } else this.options.stream.write(`${line}\n`);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty && this.shown) this.options.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}

export interface ProgressOptions extends Omit<ProgressLineOptions, 'text'> {
  totalItems?: number;
  stats: () => OrchestratorStats;
}

/** The progress of a run that calls models: items, calls, cache hits, retries, failures, cost and ETA. */
export class ProgressReporter {
  private itemsDone = 0;
  private readonly started = performance.now();
  private readonly line: ProgressLine;

  constructor(private readonly options: ProgressOptions) {
    this.line = new ProgressLine({ ...options, text: () => progressText(options.stats(), this.itemsDone, this.options.totalItems, performance.now() - this.started) });
  }

  set totalItems(n: number | undefined) {
    this.options.totalItems = n;
  }

  itemDone(n = 1): void {
    this.itemsDone += n;
    this.line.update();
  }

  stop(): void {
    this.line.stop();
  }
}
