/**
 * How many items' worth of evidence the pooled estimate counts for when a judge's (or a judge's
 * per-header) estimate is shrunk toward it: with a handful of items the pooled value dominates,
 * with hundreds the judge's own. A prior strength, the same for every statistic it shrinks.
 */
export const PRIOR_ITEMS = 10;

/** (n * own + PRIOR_ITEMS * pooled) / (n + PRIOR_ITEMS). */
export function shrink(own: number, n: number, pooled: number): number {
  if (n <= 0 || !Number.isFinite(own)) return pooled;
  return (n * own + PRIOR_ITEMS * pooled) / (n + PRIOR_ITEMS);
}
