import { argmax } from '../util/argmax.js';

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Gold items of this class. */
  support: number;
}

export interface ClassificationScore {
  /** Share of all labelled items predicted right; an abstention counts as wrong. */
  accuracy: number;
  /** Unweighted mean of per-class F1 over the task's labels (an abstention is a miss for its gold class). */
  macroF1: number;
  /** Share of labelled items with a decision. */
  coverage: number;
  /** Accuracy over the decided items only. */
  selectiveAccuracy: number;
  perClass: ClassMetrics[];
  /** Mean squared distance between the predicted distribution and the one-hot gold, over decided items. */
  brier: number;
  /** Expected calibration error of the top label's probability, 10 equal-width bins, over decided items. */
  ece: number;
}

/**
 * Hard predictions from a prediction's distributions: argmax with ties to the first label,
 * -1 where undecided.
 */
export function decisions(probs: Float64Array, decided: Uint8Array, K: number): Int32Array {
  const n = decided.length;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = decided[i] ? argmax(probs, i * K, K) : -1;
  return out;
}

function macroAverage(perClass: readonly ClassMetrics[], predicted: Float64Array): number {
  let sum = 0;
  let count = 0;
  perClass.forEach((c, k) => {
    if (c.support === 0 && predicted[k] === 0) return;
    sum += c.f1;
    count++;
  });
  return safeDiv(sum, count);
}

function safeDiv(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/**
 * Scores predictions against gold label indices. Items with gold -1 are skipped. Per-class
 * precision/recall/F1 follow scikit-learn's convention: 0 where undefined (no prediction or no
 * support), and macro-F1 averages over the labels that occur in the gold labels or in the
 * predictions (scikit-learn's default), so a label absent from a small set does not count as 0.
 */
export function scoreClassification(
  gold: Int32Array,
  prediction: { probs: Float64Array; decided: Uint8Array },
  labels: readonly string[],
): ClassificationScore {
  const K = labels.length;
  const pred = decisions(prediction.probs, prediction.decided, K);
  const tp = new Float64Array(K);
  const predicted = new Float64Array(K);
  const support = new Float64Array(K);
  let n = 0;
  let correct = 0;
  let covered = 0;
  let brierSum = 0;
  const bins = 10;
  const binCount = new Float64Array(bins);
  const binConf = new Float64Array(bins);
  const binAcc = new Float64Array(bins);
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i] as number;
    if (g < 0) continue;
    n++;
    support[g] = (support[g] as number) + 1;
    const p = pred[i] as number;
    if (p < 0) continue;
    covered++;
    predicted[p] = (predicted[p] as number) + 1;
    const hit = p === g ? 1 : 0;
    if (hit) {
      correct++;
      tp[g] = (tp[g] as number) + 1;
    }
    let sq = 0;
    for (let k = 0; k < K; k++) {
      const d = (prediction.probs[i * K + k] as number) - (k === g ? 1 : 0);
      sq += d * d;
    }
    brierSum += sq;
    const conf = prediction.probs[i * K + p] as number;
    const b = Math.min(bins - 1, Math.floor(conf * bins));
    binCount[b] = (binCount[b] as number) + 1;
    binConf[b] = (binConf[b] as number) + conf;
    binAcc[b] = (binAcc[b] as number) + hit;
  }
  const perClass: ClassMetrics[] = labels.map((label, k) => {
    const precision = safeDiv(tp[k] as number, predicted[k] as number);
    const recall = safeDiv(tp[k] as number, support[k] as number);
    return { label, precision, recall, f1: safeDiv(2 * precision * recall, precision + recall), support: support[k] as number };
  });
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const c = binCount[b] as number;
    if (c > 0) ece += (c / Math.max(1, covered)) * Math.abs((binAcc[b] as number) / c - (binConf[b] as number) / c);
  }
  return {
    accuracy: safeDiv(correct, n),
    macroF1: macroAverage(perClass, predicted),
    coverage: safeDiv(covered, n),
    selectiveAccuracy: safeDiv(correct, covered),
    perClass,
    brier: safeDiv(brierSum, covered),
    ece,
  };
}
