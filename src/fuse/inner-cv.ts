import { stratifiedKFold } from '../validation/folds.js';
import { outOfFold as genericOutOfFold } from '../validation/out-of-fold.js';
import { scoreClassification } from '../validation/metrics.js';
import { type AnswerMatrix, argmax, isRight } from './answer-matrix.js';
import { type FusedPrediction, type ScoreMetric, StrategyError } from './strategy.js';

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

/** Share of labelled items whose predicted column is right (the gold column or one of `right`); undecided = wrong. */
export function rightAccuracy(gold: Int32Array, prediction: FusedPrediction, K: number, right?: Uint8Array): number {
  let n = 0;
  let hit = 0;
  for (let i = 0; i < gold.length; i++) {
    if ((gold[i] as number) < 0) continue;
    n++;
    if (prediction.decided[i] === 1 && isRight(gold, right, K, i, argmax(prediction.probs, i * K, K))) hit++;
  }
  return n === 0 ? 0 : hit / n;
}

/**
 * The one criterion by which the core ranks what it chooses between (inner CV, `best-model`,
 * `auto`'s candidates and its check, `adaptive`'s prefix fusions): the figure the task kind is
 * scored by (`metric`, which its plug-in names in FitOptions), so that what is chosen on the
 * training data is what the user is shown: macro-F1 on a fixed label set by default (accuracy
 * breaks its ties at a far smaller scale), accuracy where the kind is scored so (multiple-choice
 * QA: option letters are no classes whose F1 a user averages; macro-F1 breaks its ties), and
 * accuracy wherever candidates differ per item, since a column is no class there.
 */
export function innerScore(gold: Int32Array, prediction: FusedPrediction, answers: Pick<AnswerMatrix, 'labels' | 'candidates'>, right?: Uint8Array, metric?: ScoreMetric): number {
  if (answers.candidates) return rightAccuracy(gold, prediction, answers.labels.length, right);
  const s = scoreClassification(gold, prediction, answers.labels);
  return metric === 'accuracy' ? s.accuracy + 1e-6 * s.macroF1 : s.macroF1 + 1e-6 * s.accuracy;
}

/**
 * Out-of-fold predictions on `n` rows (the one helper, ../validation/out-of-fold.ts):
 * `fitPredict(train, test, fold)` fits on the training rows and predicts the test rows. A fold it
 * cannot fit (a StrategyError, e.g. a fold without labels) leaves its rows undecided.
 */
export function outOfFold(
  n: number,
  K: number,
  folds: readonly (readonly number[])[],
  fitPredict: (train: number[], test: readonly number[], fold: number) => FusedPrediction,
): FusedPrediction {
  return genericOutOfFold<FusedPrediction, { train: number[]; fold: number }>(n, folds, (train, fold) => ({ train, fold }), (f, test) => fitPredict(f.train, test, f.fold), {
    skip: (e) => e instanceof StrategyError,
    shape: { probs: new Float64Array(n * K), decided: new Uint8Array(n) },
  }).prediction;
}
