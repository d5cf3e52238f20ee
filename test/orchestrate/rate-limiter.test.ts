import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/orchestrate/clock.js';
import { ProviderRateLimiter, TokenBucket } from '../../src/orchestrate/rate-limiter.js';
import { DEFAULT_RETRY_POLICY, backoffDelay } from '../../src/orchestrate/retry.js';

describe('TokenBucket', () => {
  it('lets a burst through, then paces at the rate', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(60, clock, 2); // one per second, burst 2
    const done: number[] = [];
    for (let i = 0; i < 5; i++) void bucket.take(1).then(() => done.push(clock.now()));
    await clock.advance(0);
    expect(done).toEqual([0, 0]);
    await clock.advance(1000);
    expect(done).toEqual([0, 0, 1000]);
    await clock.advance(2000);
    expect(done).toEqual([0, 0, 1000, 2000, 3000]);
  });

  it('serves takers in order, so a large request is not starved', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(600, clock, 100); // 10 tokens/s
    const order: string[] = [];
    void bucket.take(100).then(() => order.push('first'));
    void bucket.take(50).then(() => order.push('big'));
    void bucket.take(1).then(() => order.push('small'));
    await clock.advance(0);
    expect(order).toEqual(['first']);
    await clock.advance(4900);
    expect(order).toEqual(['first']);
    await clock.advance(100);
    expect(order).toEqual(['first', 'big']);
    await clock.advance(100);
    expect(order).toEqual(['first', 'big', 'small']);
  });

  it('books the difference between estimated and actual tokens', async () => {
    const clock = new ManualClock();
    const limiter = new ProviderRateLimiter({ tpm: 6000 }, clock); // burst 1000, 100/s
    await limiter.acquire(500);
    limiter.settle(500, 900); // used 400 more than reserved
    let through = false;
    void limiter.acquire(200).then(() => (through = true));
    await clock.advance(0);
    expect(through).toBe(false); // 1000 - 900 = 100 < 200
    await clock.advance(1000);
    expect(through).toBe(true);
  });

  it('gives up waiting when the signal aborts', async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(1, clock, 1);
    await bucket.take(1);
    const ac = new AbortController();
    let released = false;
    void bucket.take(1, ac.signal).then(() => (released = true));
    await clock.advance(10);
    expect(released).toBe(false);
    ac.abort();
    await clock.advance(0);
    expect(released).toBe(true);
  });
});

describe('backoffDelay', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
  it('is full jitter over an exponentially growing, capped window', () => {
    expect(backoffDelay(1, policy, () => 0.999)).toBeCloseTo(99.9);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200);
    expect(backoffDelay(10, policy, () => 1)).toBe(1000);
    expect(backoffDelay(2, policy, () => 0)).toBe(0);
  });
  it('never comes back before retry-after, and caps absurd retry-after values', () => {
    expect(backoffDelay(1, policy, () => 0, 750)).toBe(750);
    expect(backoffDelay(4, policy, () => 1, 10)).toBe(800);
    expect(backoffDelay(1, policy, () => 0, 10_000_000)).toBe(policy.maxRetryAfterMs);
  });
});
