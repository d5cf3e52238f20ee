import { describe, expect, it } from 'vitest';
import { mayHaveBeenBilled } from '../../src/orchestrate/billed-failure.js';
import { ProviderError } from '../../src/providers/provider.js';

describe('mayHaveBeenBilled', () => {
  it('an error status or a request that never left is not billed; anything after sending may be', () => {
    expect(mayHaveBeenBilled(new ProviderError('rate-limit', '429', { status: 429 }))).toBe(false);
    expect(mayHaveBeenBilled(new ProviderError('server', '503', { status: 503 }))).toBe(false);
    expect(mayHaveBeenBilled(new ProviderError('refusal', 'content filtered', { status: 400 }))).toBe(false);
    expect(mayHaveBeenBilled(new ProviderError('connection', 'refused', { code: 'ECONNREFUSED' }))).toBe(false);
    expect(mayHaveBeenBilled(new ProviderError('connection', 'no host', { code: 'ENOTFOUND' }))).toBe(false);
    expect(mayHaveBeenBilled(new ProviderError('timeout', 'no answer within 300 ms'))).toBe(true);
    expect(mayHaveBeenBilled(new ProviderError('connection', 'reset', { code: 'ECONNRESET' }))).toBe(true);
    expect(mayHaveBeenBilled(new ProviderError('bad-response', 'malformed JSON in response'))).toBe(true);
    expect(mayHaveBeenBilled(new ProviderError('config', 'stopped calling the endpoint'))).toBe(false);
  });
});
