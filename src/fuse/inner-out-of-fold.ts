import type { FittedStrategy, FusedPrediction } from './strategy.js';

/**
 * A fitted strategy's own decisions on its training items, each made without that item's label:
 * the inner cross-validated predictions it chose itself by (`auto`'s mixture of its candidates'
 * inner out-of-fold predictions). Row r of `prediction` is training item `rows[r]`; `folds` are
 * the test folds over those rows. A strategy that keeps them spares whoever needs its inner
 * out-of-fold decisions (`adaptive`'s reference) a cross-validation of its whole fit.
 */
export interface InnerOutOfFold {
  rows: readonly number[];
  folds: readonly (readonly number[])[];
  prediction: FusedPrediction;
}

/** A fitted strategy that kept its inner out-of-fold predictions (only while in memory: a loaded one has none). */
export interface WithInnerOutOfFold extends FittedStrategy {
  innerOutOfFold(): InnerOutOfFold | null;
}

export function innerOutOfFoldOf(fitted: FittedStrategy): InnerOutOfFold | null {
  const f = fitted as Partial<WithInnerOutOfFold>;
  return typeof f.innerOutOfFold === 'function' ? f.innerOutOfFold() : null;
}

/** The mixture `sum_c weight[c] * probs[c]` of candidates' rows (uniform where a candidate had no answer), decided where any mixed candidate decided. */
export function mixRows(probs: readonly Float64Array[], decided: readonly Uint8Array[], weights: readonly number[], K: number): FusedPrediction {
  const n = (decided[0] ?? new Uint8Array(0)).length;
  const out = new Float64Array(n * K);
  const any = new Uint8Array(n);
  probs.forEach((p, c) => {
    const w = weights[c] as number;
    if (w <= 0) return;
    for (let x = 0; x < out.length; x++) out[x] = (out[x] as number) + w * (p[x] as number);
    const d = decided[c] as Uint8Array;
    for (let i = 0; i < n; i++) if (d[i] === 1) any[i] = 1;
  });
  for (let i = 0; i < n; i++) if (any[i] === 0) out.fill(0, i * K, (i + 1) * K);
  return { probs: out, decided: any };
}
