import { argmax } from '../util/argmax.js';
import type { Prediction } from './cross-validation.js';
import { quadraticWeightedKappa } from './score-metrics.js';

/** How far decisions on an ordered task fall from the gold label, in label ranks (labels listed low to high). */
export interface OrderedLabelMetrics {
  /** Items with a gold label and a decision (undecided items are left out; coverage counts them). */
  n: number;
  /** Mean absolute difference between the decided and the gold label's rank. */
  rankMae: number;
  /** Quadratic weighted kappa over the K ranks; NaN when undefined (no items, or both sides on one label). */
  qwk: number;
}

/** Rank MAE and QWK of a prediction's decisions (its top label, ties to the first) against gold label indices (-1 = unknown). */
export function orderedLabelMetrics(gold: Int32Array, prediction: Prediction, K: number): OrderedLabelMetrics {
  const g: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < gold.length; i++) {
    const y = gold[i] as number;
    if (y < 0 || prediction.decided[i] !== 1) continue;
    g.push(y);
    p.push(argmax(prediction.probs, i * K, K));
  }
  let abs = 0;
  for (let r = 0; r < g.length; r++) abs += Math.abs((g[r] as number) - (p[r] as number));
  return { n: g.length, rankMae: g.length === 0 ? Number.NaN : abs / g.length, qwk: quadraticWeightedKappa(g, p, K) };
}
