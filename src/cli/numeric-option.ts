import { UsageError } from './errors.js';

export type NumericKind = 'positive integer' | 'positive number' | 'non-negative integer';

function accepts(kind: NumericKind, n: number): boolean {
  if (!Number.isFinite(n)) return false;
  switch (kind) {
    case 'positive integer':
      return Number.isInteger(n) && n > 0;
    case 'positive number':
      return n > 0;
    case 'non-negative integer':
      return Number.isInteger(n) && n >= 0;
  }
}

/**
 * The value of a numeric flag (`--name`), undefined when it was not given; a UsageError naming the
 * flag, the kind of number it takes and the value given otherwise. Every command reads its numbers
 * through this one function.
 */
export function numericOption(name: string, value: string | undefined, kind: NumericKind): number | undefined {
  if (value === undefined) return undefined;
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!accepts(kind, n)) throw new UsageError(`--${name} must be a ${kind}, got "${value}"`);
  return n;
}
