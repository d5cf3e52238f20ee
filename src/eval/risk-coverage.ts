import { decisions } from '../validation/metrics.js';

/** Accuracy on the most confident share of the items: what `--min-confidence` trades coverage for. */
export interface CoveragePoint {
  /** Share of the labelled items kept (the most confident ones). */
  coverage: number;
  /** Accuracy over the kept items. */
  accuracy: number;
  /** The fused probability of the winner at the cut: `--min-confidence` at this value keeps about this share. */
  minConfidence: number;
}

export const COVERAGES = [1, 0.9, 0.8, 0.5] as const;

/**
 * Selective prediction (risk-coverage): the labelled items sorted by the fused probability of the
 * winner, most confident first; for each coverage c, the accuracy over the top c of them. An
 * undecided item counts as least confident and wrong.
 */
export function riskCoverage(gold: Int32Array, prediction: { probs: Float64Array; decided: Uint8Array }, K: number, coverages: readonly number[] = COVERAGES): CoveragePoint[] {
  const pred = decisions(prediction.probs, prediction.decided, K);
  const rows: { conf: number; hit: number }[] = [];
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i] as number;
    if (g < 0) continue;
    const p = pred[i] as number;
    rows.push(p < 0 ? { conf: -1, hit: 0 } : { conf: prediction.probs[i * K + p] as number, hit: p === g ? 1 : 0 });
  }
  // Stable sort: ties keep item order, so the result is deterministic.
  rows.sort((a, b) => b.conf - a.conf);
  return coverages.map((c) => {
    const n = Math.max(1, Math.round(c * rows.length));
    let hits = 0;
    for (let r = 0; r < Math.min(n, rows.length); r++) hits += (rows[r] as { hit: number }).hit;
    const cut = rows[Math.min(n, rows.length) - 1];
    return { coverage: c, accuracy: rows.length > 0 ? hits / Math.min(n, rows.length) : 0, minConfidence: cut ? Math.max(0, cut.conf) : 0 };
  });
}
