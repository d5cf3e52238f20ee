import { stratifiedKFold, trainIndices } from './folds.js';

/** Per-item distributions over K columns; `decided[i] = 0` marks an abstention (all-zero row). */
export interface Prediction {
  readonly probs: Float64Array;
  readonly decided: Uint8Array;
}

export interface CrossValidationResult<F> {
  prediction: Prediction;
  /** What each fold's `fit` returned, in fold order (e.g. to report what `auto` picked). */
  fitted: F[];
  folds: number[][];
}

/**
 * Out-of-fold predictions: each item is predicted by what `fit` learned on the other folds. `fit`
 * is handed the training rows only; `predict` the test rows, without labels. Folds are stratified by
 * `gold` (-1 = unknown spreads like one more class). Knows nothing of strategies: the callbacks do.
 */
export function crossValidatePredict<F>(
  gold: Int32Array,
  K: number,
  options: { folds: number; seed: number },
  fit: (train: number[], fold: number) => F,
  predict: (fitted: F, test: number[]) => Prediction,
): CrossValidationResult<F> {
  const n = gold.length;
  const folds = stratifiedKFold(gold, options.folds, options.seed);
  const probs = new Float64Array(n * K);
  const decided = new Uint8Array(n);
  const fitted: F[] = [];
  folds.forEach((test, f) => {
    const model = fit(trainIndices(n, test), f);
    fitted.push(model);
    const pred = predict(model, test);
    test.forEach((i, r) => {
      probs.set(pred.probs.subarray(r * K, (r + 1) * K), i * K);
      decided[i] = pred.decided[r] as number;
    });
  });
  return { prediction: { probs, decided }, fitted, folds };
}
