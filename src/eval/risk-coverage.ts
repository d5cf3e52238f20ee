import { decisions } from '../validation/metrics.js';

/** Accuracy on the most confident share of the items: what `--min-confidence` trades coverage for. */
export interface CoveragePoint {
  /** Share of the scored items kept (the most confident ones). */
  coverage: number;
  /** Accuracy over the kept items. */
  accuracy: number;
  /** The fused probability of the winner at the cut: `--min-confidence` at this value keeps about this share. */
  minConfidence: number;
}

/** One scored item: the fused probability of the winner (-1 when undecided) and whether the answer is right. */
export interface ItemOutcome {
  confidence: number;
  hit: boolean;
}

export const COVERAGES = [1, 0.9, 0.8, 0.5] as const;

/**
 * Selective prediction (risk-coverage), for every task kind: the scored items sorted by the fused
 * probability of the winner, most confident first; for each coverage c, the accuracy over the top c
 * of them. An undecided item (confidence -1) counts as least confident and wrong.
 */
export function riskCoverage(items: readonly ItemOutcome[], coverages: readonly number[] = COVERAGES): CoveragePoint[] {
  const rows = items.map((r) => (r.confidence < 0 ? { confidence: -1, hit: false } : r));
  // Stable sort: ties keep item order, so the result is deterministic.
  rows.sort((a, b) => b.confidence - a.confidence);
  return coverages.map((c) => {
    const n = Math.min(Math.max(1, Math.round(c * rows.length)), rows.length);
    let hits = 0;
    for (let r = 0; r < n; r++) if ((rows[r] as ItemOutcome).hit) hits++;
    const cut = rows[n - 1];
    return { coverage: c, accuracy: n > 0 ? hits / n : 0, minConfidence: cut ? Math.max(0, cut.confidence) : 0 };
  });
}

/** Classification: the labelled items' outcomes against their gold label (gold -1: not scored). */
export function labelOutcomes(gold: Int32Array, prediction: { probs: Float64Array; decided: Uint8Array }, K: number): ItemOutcome[] {
  const pred = decisions(prediction.probs, prediction.decided, K);
  const out: ItemOutcome[] = [];
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i] as number;
    if (g < 0) continue;
    const p = pred[i] as number;
    out.push(p < 0 ? { confidence: -1, hit: false } : { confidence: prediction.probs[i * K + p] as number, hit: p === g });
  }
  return out;
}
