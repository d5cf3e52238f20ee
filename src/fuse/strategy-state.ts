import type { z } from 'zod';
import { StrategyError } from './strategy.js';

/** One problem in a saved strategy's state, with the dotted path of the field under `state`. */
export interface StateIssue {
  field: string;
  message: string;
}

/** Thrown by `load` when a saved state does not match the strategy: carries the offending fields. */
export class StrategyStateError extends StrategyError {
  constructor(
    readonly strategy: string,
    readonly issues: readonly StateIssue[],
  ) {
    super(`invalid ${strategy} state: ${issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; ')}`);
  }
}

/** Validates a strategy's saved state with its zod schema. */
export function parseState<S extends z.ZodType>(strategy: string, schema: S, state: unknown): z.infer<S> {
  const r = schema.safeParse(state);
  if (r.success) return r.data;
  throw new StrategyStateError(
    strategy,
    r.error.issues.map((i) => ({ field: i.path.map(String).join('.'), message: i.message })),
  );
}

/** Fails when a per-model array in a state has the wrong length. */
export function requireLength(strategy: string, field: string, actual: number, expected: number): void {
  if (actual !== expected) {
    throw new StrategyStateError(strategy, [{ field, message: `expected ${expected} values, got ${actual}` }]);
  }
}
