import { z } from 'zod';
import { QaStateError } from '../types.js';

/** Per-model numbers saved by name, so a state loads onto the same models in any order. */
export const ModelNumbersSchema = z.object({ models: z.array(z.string()), values: z.array(z.number()) });

export function saveModelNumbers(models: readonly string[], values: ArrayLike<number>): z.infer<typeof ModelNumbersSchema> {
  return { models: [...models], values: Array.from(values) };
}

/** Values in the order of `models`; a model unknown to the state gets `fallback`. */
export function loadModelNumbers(strategy: string, state: unknown, models: readonly string[], fallback: number): Float64Array {
  const parsed = ModelNumbersSchema.safeParse(state);
  if (!parsed.success || parsed.data.models.length !== parsed.data.values.length) {
    throw new QaStateError(`${strategy}: malformed state (expected {models: string[], values: number[]} of equal length)`);
  }
  const byName = new Map(parsed.data.models.map((m, k) => [m, parsed.data.values[k] as number]));
  return Float64Array.from(models, (m) => byName.get(m) ?? fallback);
}
