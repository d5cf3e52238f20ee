import type { Clock } from './clock.js';

/**
 * A token bucket: `ratePerMinute` tokens refill continuously up to `burst`. Takers are served
 * strictly in arrival order (a promise chain), so a large request cannot be starved by small
 * ones and waiting costs one timer per taker, not a polling loop.
 */
export class TokenBucket {
  private level: number;
  private last: number;
  private tail: Promise<void> = Promise.resolve();
  readonly burst: number;
  private readonly perMs: number;

  constructor(
    readonly ratePerMinute: number,
    private readonly clock: Clock,
    burst?: number,
  ) {
    if (!(ratePerMinute > 0)) throw new RangeError(`rate must be positive, got ${ratePerMinute}`);
    // Default burst: ten seconds' worth, so a fresh run does not fire a whole minute's quota at once.
    this.burst = Math.max(1, burst ?? ratePerMinute / 6);
    this.perMs = ratePerMinute / 60_000;
    this.level = this.burst;
    this.last = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    this.level = Math.min(this.burst, this.level + (now - this.last) * this.perMs);
    this.last = now;
  }

  /**
   * Waits until `n` tokens may be spent, then spends them. A request larger than the burst waits
   * for a full bucket and drives the level negative, which delays later takers by the excess.
   * Resolves early (without spending) when `signal` aborts.
   */
  take(n: number, signal?: AbortSignal): Promise<void> {
    const run = async (): Promise<void> => {
      const need = Math.min(n, this.burst);
      for (;;) {
        if (signal?.aborted) return;
        this.refill();
        if (this.level >= need) {
          this.level -= n;
          return;
        }
        await this.clock.sleep(Math.ceil((need - this.level) / this.perMs), signal);
      }
    };
    const p = this.tail.then(run);
    this.tail = p;
    return p;
  }

  /** Corrects a previous `take` once the true amount is known (e.g. actual tokens used). */
  adjust(delta: number): void {
    this.refill();
    this.level = Math.min(this.burst, this.level - delta);
  }

  /** Current level, for tests and diagnostics. */
  available(): number {
    this.refill();
    return this.level;
  }
}

export interface RateLimits {
  /** Requests per minute. */
  rpm?: number;
  /** Tokens (input + output) per minute. */
  tpm?: number;
}

/** The requests- and tokens-per-minute buckets of one provider. */
export class ProviderRateLimiter {
  private readonly requests?: TokenBucket;
  private readonly tokens?: TokenBucket;

  constructor(limits: RateLimits, clock: Clock) {
    if (limits.rpm !== undefined) this.requests = new TokenBucket(limits.rpm, clock);
    if (limits.tpm !== undefined) this.tokens = new TokenBucket(limits.tpm, clock);
  }

  get active(): boolean {
    return this.requests !== undefined || this.tokens !== undefined;
  }

  /** Waits for one request slot and `estimatedTokens` tokens. */
  async acquire(estimatedTokens: number, signal?: AbortSignal): Promise<void> {
    if (this.requests) await this.requests.take(1, signal);
    if (this.tokens) await this.tokens.take(estimatedTokens, signal);
  }

  /** Books the difference between the estimate and the tokens really used. */
  settle(estimatedTokens: number, actualTokens: number): void {
    this.tokens?.adjust(actualTokens - estimatedTokens);
  }
}
