import type { RatingMatrix } from './rating-matrix.js';

/**
 * The stratum of item i: its categorical features' values together (e.g. the criterion header),
 * or null when it has none known. Strategies that learn per stratum fall back to their pooled
 * estimate for a null or unseen stratum.
 */
export function stratumOf(m: RatingMatrix, i: number): string | null {
  if (m.features.length === 0) return null;
  const values = m.features.map((f) => f.values[i] ?? null);
  if (values.every((v) => v === null)) return null;
  return JSON.stringify(values);
}
