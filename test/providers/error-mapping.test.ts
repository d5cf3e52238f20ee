import { describe, expect, it } from 'vitest';
import { errorFromException, errorFromStatus, kindForStatus, providerError } from '../../src/providers/error-mapping.js';
import { redactSecrets } from '../../src/providers/redact.js';
import { parseRetryAfterMs } from '../../src/providers/retry-after.js';

const ctx = { provider: 'openai', model: 'm', secrets: ['my-custom-key-value'] };

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('prefers retry-after-ms, then seconds, then an HTTP date', () => {
    expect(parseRetryAfterMs(new Headers({ 'retry-after-ms': '120.5', 'retry-after': '9' }), now)).toBe(120.5);
    expect(parseRetryAfterMs(new Headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(parseRetryAfterMs(new Headers({ 'retry-after': '0.5' }), now)).toBe(500);
    expect(parseRetryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }), now)).toBe(30_000);
    expect(parseRetryAfterMs(new Headers({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }), now)).toBe(0);
  });
  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfterMs(undefined)).toBeUndefined();
    expect(parseRetryAfterMs(new Headers())).toBeUndefined();
    expect(parseRetryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfterMs(new Headers({ 'retry-after-ms': '-5', 'retry-after': '1' }))).toBe(1000);
  });
});

describe('redactSecrets', () => {
  it('removes given secrets and key-shaped tokens', () => {
    expect(redactSecrets('key my-custom-key-value rejected', ['my-custom-key-value'])).toBe('key *** rejected');
    expect(redactSecrets('Incorrect API key provided: sk-proj-abcDEF123456.')).toBe('Incorrect API key provided: ***.');
    expect(redactSecrets('header Bearer abc.def-123456 bad')).toBe('header Bearer *** bad');
    expect(redactSecrets('model gpt-4o-mini not found')).toBe('model gpt-4o-mini not found');
    // A placeholder key for a local server is too short to redact meaningfully; ordinary words survive.
    expect(redactSecrets('the local model', ['x'])).toBe('the local model');
  });
});

describe('status and exception mapping', () => {
  it('classifies statuses', () => {
    const table: Array<[number, string]> = [
      [400, 'bad-request'],
      [401, 'auth'],
      [403, 'auth'],
      [404, 'not-found'],
      [408, 'timeout'],
      [409, 'server'],
      [413, 'bad-request'],
      [422, 'bad-request'],
      [429, 'rate-limit'],
      [500, 'server'],
      [503, 'server'],
      [529, 'server'],
    ];
    for (const [status, kind] of table) expect([status, kindForStatus(status)]).toEqual([status, kind]);
  });

  it('keeps retry-after on any status and redacts the server message', () => {
    const err = errorFromStatus(ctx, 503, 'down, key my-custom-key-value', new Headers({ 'retry-after': '4' }));
    expect(err).toMatchObject({ kind: 'server', retryable: true, details: { status: 503, retryAfterMs: 4000 } });
    expect(err.message).not.toContain('my-custom-key-value');
    expect(err.message).toMatch(/^openai:m: HTTP 503/);
  });

  it('tells timeouts, aborts, connection resets and bad JSON apart', () => {
    const timedOut = AbortSignal.timeout(0);
    const controller = new AbortController();
    controller.abort();
    expect(errorFromException(ctx, new Error('x'), controller.signal).kind).toBe('aborted');
    const reset = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('socket'), { code: 'ECONNRESET' }) });
    expect(errorFromException(ctx, reset, undefined).kind).toBe('connection');
    expect(errorFromException(ctx, new TypeError('fetch failed'), undefined).kind).toBe('connection');
    expect(errorFromException(ctx, Object.assign(new Error('t'), { code: 'ETIMEDOUT' }), undefined).kind).toBe('timeout');
    expect(errorFromException(ctx, new SyntaxError('Unexpected end of JSON input'), undefined).kind).toBe('bad-response');
    expect(errorFromException(ctx, new DOMException('t', 'TimeoutError'), undefined).kind).toBe('timeout');
    const existing = providerError('auth', ctx, 'no');
    expect(errorFromException(ctx, existing, undefined)).toBe(existing);
    return new Promise<void>((done) =>
      setTimeout(() => {
        expect(errorFromException(ctx, new Error('x'), timedOut).kind).toBe('timeout');
        done();
      }, 5),
    );
  });
});
