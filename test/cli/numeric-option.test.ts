import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.js';
import { numericOption } from '../../src/cli/numeric-option.js';

describe('numericOption', () => {
  it('reads a number of the kind asked, and nothing when the flag is absent', () => {
    expect(numericOption('concurrency', '16', 'positive integer')).toBe(16);
    expect(numericOption('timeout', '0.5', 'positive number')).toBe(0.5);
    expect(numericOption('folds', '0', 'non-negative integer')).toBe(0);
    expect(numericOption('folds', undefined, 'non-negative integer')).toBeUndefined();
  });

  it.each([
    ['concurrency', '0', 'positive integer'],
    ['concurrency', '2.5', 'positive integer'],
    ['max-cost', '-1', 'positive number'],
    ['max-cost', 'Infinity', 'positive number'],
    ['seed', '-1', 'non-negative integer'],
    ['seed', '', 'non-negative integer'],
    ['folds', 'many', 'non-negative integer'],
  ] as const)('refuses --%s %j (%s) with a usage error naming the flag and the value', (name, value, kind) => {
    expect(() => numericOption(name, value, kind)).toThrow(UsageError);
    expect(() => numericOption(name, value, kind)).toThrow(`--${name} must be a ${kind}, got "${value}"`);
  });
});
