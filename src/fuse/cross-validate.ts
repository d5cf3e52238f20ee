import { crossValidate, makeFolds, type OutOfFoldResult, type RowAccess } from '../validation/out-of-fold.js';
import { selectGold } from '../validation/folds.js';
import { type AnswerMatrix, selectItems, selectRows } from './answer-matrix.js';
import type { FitOptions, FittedStrategy, FusedPrediction, FusionStrategy } from './strategy.js';

/**
 * How an answer matrix and its label-index gold are cut into rows for the one out-of-fold helper:
 * each fold gets its own seed, and the QA `right` columns of its training rows.
 */
export function answerRows(K: number, options: { seed: number; right?: Uint8Array | undefined }): RowAccess<AnswerMatrix, Int32Array, FitOptions> {
  const { right } = options;
  return {
    select: selectItems,
    selectGold,
    options: (train, f) => ({ seed: options.seed + 1000 * (f + 1), ...(right ? { right: selectRows(right, K, train) } : {}) }),
  };
}

/**
 * Out-of-fold predictions of a strategy: fitted on the training folds' answers and gold only,
 * predicting the test folds' answers, folds stratified by gold (-1 spread like one more class).
 */
export function crossValidateStrategy(
  strategy: FusionStrategy,
  answers: AnswerMatrix,
  gold: Int32Array,
  options: { folds: number; seed: number; right?: Uint8Array },
): OutOfFoldResult<FusedPrediction, FittedStrategy> {
  const n = gold.length;
  const folds = makeFolds(n, options.folds, options.seed, { strata: gold });
  return crossValidate<AnswerMatrix, Int32Array, FusedPrediction, FitOptions, FittedStrategy>(strategy, answers, gold, n, folds, answerRows(answers.labels.length, options));
}
