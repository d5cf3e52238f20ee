import { describe, expect, it } from 'vitest';
import { integerFromEnv } from '../../src/task/env-integer.js';
import { InputError } from '../../src/task/errors.js';
import { currentLimit } from '../../src/task/limits.js';
import { evalThreads } from '../../src/eval/fold-fits.js';
import { DEFAULT_LEASE_MS, leaseMs } from '../../src/orchestrate/store/claim-owner.js';

const range = { min: 100, max: 1000, what: 'from 100 to 1000' };

describe('integerFromEnv: one reader of whole numbers from the environment', () => {
  it('is undefined when unset or empty, and the number when within range', () => {
    expect(integerFromEnv({}, 'X', range)).toBeUndefined();
    expect(integerFromEnv({ X: '' }, 'X', range)).toBeUndefined();
    expect(integerFromEnv({ X: '100' }, 'X', range)).toBe(100);
    expect(integerFromEnv({ X: '1000' }, 'X', range)).toBe(1000);
  });

  it('refuses anything else with an InputError naming the variable and the value', () => {
    for (const bad of ['abc', '1.5', '99', '1001', 'NaN', '1e99']) {
      expect(() => integerFromEnv({ X: bad }, 'X', range)).toThrow(InputError);
      expect(() => integerFromEnv({ X: bad }, 'X', range)).toThrow(`X: must be from 100 to 1000, got "${bad}"`);
    }
  });

  it('serves the limits, FUSION_THREADS and the claim lease alike', () => {
    expect(currentLimit('maxLabels', { FUSION_MAX_LABELS: '7' })).toBe(7);
    expect(() => currentLimit('maxLabels', { FUSION_MAX_LABELS: '0' })).toThrow('FUSION_MAX_LABELS: must be a positive integer, got "0"');
    expect(evalThreads(5, undefined, { FUSION_THREADS: '2' })).toBe(2);
    expect(() => evalThreads(5, undefined, { FUSION_THREADS: 'two' })).toThrow('FUSION_THREADS: must be a positive integer, got "two"');
    expect(leaseMs({})).toBe(DEFAULT_LEASE_MS);
    expect(leaseMs({ FUSION_CLAIM_LEASE_MS: '5000' })).toBe(5000);
    expect(() => leaseMs({ FUSION_CLAIM_LEASE_MS: '10' })).toThrow('FUSION_CLAIM_LEASE_MS: must be a whole number of milliseconds from 100 to 86400000, got "10"');
  });
});
