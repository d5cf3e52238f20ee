import { InputError } from './errors.js';

/**
 * A whole number from environment variable `variable`: undefined when it is unset or empty (the
 * caller's default applies), an InputError naming the variable when it is not a whole number from
 * `min` to `max` (a typo must not silently mean the default).
 */
export function integerFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  variable: string,
  range: { min: number; max?: number; what: string },
): number | undefined {
  const raw = env[variable];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < range.min || n > (range.max ?? Infinity)) {
    throw new InputError([{ file: variable, message: `must be ${range.what}, got "${raw}"` }]);
  }
  return n;
}
