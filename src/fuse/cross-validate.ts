import { crossValidatePredict, type CrossValidationResult } from '../validation/cross-validation.js';
import { selectGold } from '../validation/folds.js';
import { type AnswerMatrix, selectItems, selectRows } from './answer-matrix.js';
import type { FittedStrategy, FusionStrategy } from './strategy.js';

/**
 * Out-of-fold predictions of a strategy: fitted on the training folds' answers and gold only,
 * predicting the test folds' answers. Each fold gets its own seed.
 */
export function crossValidateStrategy(
  strategy: FusionStrategy,
  answers: AnswerMatrix,
  gold: Int32Array,
  options: { folds: number; seed: number; right?: Uint8Array },
): CrossValidationResult<FittedStrategy> {
  const K = answers.labels.length;
  const { right } = options;
  return crossValidatePredict(
    gold,
    K,
    options,
    (train, f) =>
      strategy.fit(selectItems(answers, train), selectGold(gold, train), {
        seed: options.seed + 1000 * (f + 1),
        ...(right ? { right: selectRows(right, K, train) } : {}),
      }),
    (fitted, test) => fitted.predict(selectItems(answers, test)),
  );
}
