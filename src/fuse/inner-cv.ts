import { stratifiedKFold } from '../eval/cross-validation.js';
import { scoreClassification } from '../eval/metrics.js';
import type { FusedPrediction } from './strategy.js';

/**
 * Inner cross-validation on training data only, for choices a strategy makes itself (L2
 * strength, which strategy `auto` uses). Folds are few to keep nested fits affordable.
 */
export const INNER_FOLDS = 3;
/** Inner CV uses at most this many labelled items (a seeded stratified subset): a compute cap, not a tuning knob. */
export const INNER_CV_MAX_ITEMS = 20_000;

/** Indices of the labelled items (gold >= 0), capped at INNER_CV_MAX_ITEMS by a seeded stratified draw. */
export function innerCvRows(gold: Int32Array, seed: number): number[] {
  const labelled: number[] = [];
  for (let i = 0; i < gold.length; i++) if ((gold[i] as number) >= 0) labelled.push(i);
  if (labelled.length <= INNER_CV_MAX_ITEMS) return labelled;
  // Stratified k-fold with enough folds yields a stratified subset: take its first fold.
  const lg = Int32Array.from(labelled, (i) => gold[i] as number);
  const parts = Math.ceil(labelled.length / INNER_CV_MAX_ITEMS);
  const first = stratifiedKFold(lg, parts, seed)[0] as number[];
  return first.map((r) => labelled[r] as number);
}

/** Test folds over `n` rows with gold `gold` (all labelled), or null when there are too few rows to split. */
export function innerFolds(gold: Int32Array, seed: number): number[][] | null {
  const folds = Math.min(INNER_FOLDS, gold.length);
  if (folds < 2) return null;
  return stratifiedKFold(gold, folds, seed);
}

/** Macro-F1 of out-of-fold predictions: the criterion inner CV maximizes, as the project is judged on it. */
export function innerScore(gold: Int32Array, prediction: FusedPrediction, labels: readonly string[]): number {
  const s = scoreClassification(gold, prediction, labels);
  // Accuracy breaks macro-F1 ties at a far smaller scale.
  return s.macroF1 + 1e-6 * s.accuracy;
}
