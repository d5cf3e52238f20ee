import { crossValidate, fitRows, makeFolds, type OutOfFoldResult, type RowAccess } from '../validation/out-of-fold.js';
import { selectGold, trainIndices } from '../validation/folds.js';
import { type AnswerMatrix, selectItems, selectRows } from './answer-matrix.js';
import { type FitOptions, type FittedStrategy, type FusedPrediction, type FusionStrategy, NoLabelledRowsError, type ScoreMetric } from './strategy.js';

/** What every fold's fit is given: a seed to derive its own from, the QA `right` columns, the kind's metric. */
export interface FoldOptions {
  seed: number;
  right?: Uint8Array | undefined;
  metric?: ScoreMetric | undefined;
}

/**
 * How an answer matrix and its label-index gold are cut into rows for the one out-of-fold helper:
 * each fold gets its own seed, the QA `right` columns of its training rows, and the metric the
 * task kind is scored by.
 */
export function answerRows(K: number, options: FoldOptions): RowAccess<AnswerMatrix, Int32Array, FitOptions> {
  const { right, metric } = options;
  return {
    select: selectItems,
    selectGold,
    options: (train, f) => ({ seed: options.seed + 1000 * (f + 1), ...(right ? { right: selectRows(right, K, train) } : {}), ...(metric ? { metric } : {}) }),
  };
}

/** The state of a fold's fit that abstained: why, in words. */
interface Abstention {
  abstained: string;
}

/**
 * What a supervised strategy is on a fold whose training rows hold no labelled one (QA: no right
 * answer among the models' readable answers there, e.g. every answer a program never run): it
 * abstains on the fold's test rows, which are scored as undecided, instead of failing the whole
 * evaluation; the models' own rows (and their abstention reasons) are still reported.
 */
export function abstainingFit(name: string, reason: string): FittedStrategy {
  const state: Abstention = { abstained: reason };
  return {
    name,
    predict: (answers) => ({ probs: new Float64Array(answers.itemIds.length * answers.labels.length), decided: new Uint8Array(answers.itemIds.length) }),
    state: () => state,
  };
}

/** The abstaining fit a fold's saved state describes (a worker thread's answer), or null when it is a real fit's. */
export function abstainedFit(name: string, state: unknown): FittedStrategy | null {
  const a = state as Partial<Abstention> | null;
  return a !== null && typeof a === 'object' && typeof a.abstained === 'string' && Object.keys(a).length === 1 ? abstainingFit(name, a.abstained) : null;
}

/** `strategy` as cross-validation fits it: a fold without a labelled training row gets the abstaining fit. */
function abstainingWithoutLabels(strategy: FusionStrategy): Pick<FusionStrategy, 'fit'> {
  return {
    fit(train, gold, options) {
      try {
        return strategy.fit(train, gold, options);
      } catch (e) {
        if (e instanceof NoLabelledRowsError) return abstainingFit(strategy.name, `no labelled training row in this fold: ${e.message}`);
        throw e;
      }
    },
  };
}

/** The test folds `crossValidateStrategy` uses: stratified by gold (-1 spread like one more class). */
export function strategyFolds(gold: Int32Array, options: { folds: number; seed: number }): number[][] {
  return makeFolds(gold.length, options.folds, options.seed, { strata: gold });
}

/**
 * `strategy` fitted on every fold but test fold `fold`, exactly as `crossValidateStrategy` fits it
 * there (the same rows, gold and fit options): what a worker thread computes for one fold.
 */
export function fitOnFold(
  strategy: FusionStrategy,
  answers: AnswerMatrix,
  gold: Int32Array,
  folds: readonly (readonly number[])[],
  fold: number,
  options: FoldOptions,
): FittedStrategy {
  return fitRows(abstainingWithoutLabels(strategy), answers, gold, answerRows(answers.labels.length, options), trainIndices(gold.length, folds[fold] as readonly number[]), fold);
}

/**
 * Out-of-fold predictions of a strategy: fitted on the training folds' answers and gold only,
 * predicting the test folds' answers, folds stratified by gold (-1 spread like one more class).
 * `fitted`, when given, holds the strategy already fitted on each fold (`fitOnFold`, e.g. by
 * worker threads): those fits are used instead of fitting again.
 */
export function crossValidateStrategy(
  strategy: FusionStrategy,
  answers: AnswerMatrix,
  gold: Int32Array,
  options: FoldOptions & { folds: number },
  fitted?: readonly FittedStrategy[],
): OutOfFoldResult<FusedPrediction, FittedStrategy> {
  const n = gold.length;
  const folds = strategyFolds(gold, options);
  return crossValidate<AnswerMatrix, Int32Array, FusedPrediction, FitOptions, FittedStrategy>(abstainingWithoutLabels(strategy), answers, gold, n, folds, answerRows(answers.labels.length, options), fitted);
}
