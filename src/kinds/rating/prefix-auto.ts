import { autoEstimator } from './auto.js';
import type { PointModel } from './point-estimator.js';
import { selectJudges, selectRatingItems, type RatingMatrix } from './rating-matrix.js';
import type { Scale } from './scale.js';

/**
 * `auto` once per prefix of a fixed judge order: the k-th is fitted on the training items with only
 * the first k judges' answers, so the fused score of an item whose policy stopped after k judges
 * is what auto makes of exactly those k, learned from items where it saw exactly those k. A fit on
 * every judge read on fewer would be biased: its weights and maps assume the other judges' answers
 * (imputed at their training mean, or averaged in), and averaging fewer judges pulls less toward
 * the gold mean. The last prefix holds every judge and is fitted on the training matrix itself, so
 * with every judge asked the fused score is exactly auto's (and auto's memo shares that fit with an
 * `auto` fitted on the same rows).
 */
export interface PrefixAutos {
  /** The judges in asking order, by name. */
  order: string[];
  /** models[k - 1]: auto fitted on the first k judges of `order`. */
  models: PointModel[];
}

export function fitPrefixAutos(train: RatingMatrix, gold: Float64Array, seed: number, order: readonly string[]): PrefixAutos {
  const models = order.map((_, k) => (k === order.length - 1 && order.length === train.judges.length ? autoEstimator.fit(train, gold, seed) : autoEstimator.fit(selectJudges(train, order.slice(0, k + 1)), gold, seed)));
  return { order: [...order], models };
}

export function loadPrefixAutos(order: readonly string[], states: readonly unknown[], scale: Scale): PrefixAutos {
  return { order: [...order], models: states.map((s) => autoEstimator.load(s, scale)) };
}

/**
 * The fused score of each item of `m` from the prefix fit of its asked count (`asked[i]`, at least
 * one judge and at most every judge in the order): `m` should hold only the asked judges' answers.
 */
export function prefixScores(p: PrefixAutos, m: RatingMatrix, asked: readonly number[]): Float64Array {
  const out = new Float64Array(m.itemIds.length).fill(Number.NaN);
  const byCount = new Map<number, number[]>();
  asked.forEach((k, i) => {
    const rows = byCount.get(k);
    if (rows) rows.push(i);
    else byCount.set(k, [i]);
  });
  for (const [k, rows] of byCount) {
    const model = p.models[Math.min(k, p.models.length) - 1];
    if (!model) continue;
    const items = selectRatingItems(m, rows);
    // Every judge asked: auto reads the matrix as given, exactly as `auto` would.
    const pred = model.predict(k >= p.order.length ? items : selectJudges(items, p.order.slice(0, k)));
    rows.forEach((i, r) => (out[i] = pred[r] as number));
  }
  return out;
}

/** Each prefix fit's held-out fused scores of the training items (NaN where it has none). */
export function prefixHeldOut(p: PrefixAutos, items: number): Float64Array[] {
  return p.models.map((m) => m.heldOutScores ?? new Float64Array(items).fill(Number.NaN));
}
