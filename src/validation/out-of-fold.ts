import type { Estimator, Fitted } from './estimator.js';
import { groupedKFold, stratifiedKFold, trainIndices } from './folds.js';

/** A prediction made of per-item typed arrays (each `n * width` long): fused distributions, scores and intervals alike. */
export type RowArray = Float64Array | Uint8Array | Int32Array;
export type RowArrays<P> = { readonly [K in keyof P]: RowArray };

/**
 * Test folds over `n` items: grouped when `groups` is given (items of one group never straddle a
 * train and a test fold, so nothing learnt from a group's other rows leaks into its test rows;
 * ungrouped items (null) are each their own group), else stratified by `strata` (class index, -1 =
 * unknown spreads like one more class), else plain seeded k-fold. Grouped: folds.ts's groupedKFold.
 */
export function makeFolds(n: number, folds: number, seed: number, by: { strata?: Int32Array; groups?: readonly (string | null)[] | null } = {}): number[][] {
  if (by.groups) return groupedKFold(by.groups, folds, seed);
  return stratifiedKFold(by.strata ?? new Int32Array(n), folds, seed);
}

export interface OutOfFoldResult<P, F> {
  prediction: P;
  /** What each fold's fit returned, in fold order; null where the fold could not be fitted (`skip`). */
  fitted: F[];
  folds: number[][];
}

/**
 * The one out-of-fold helper: each test fold is predicted by what `fit` learnt on the other folds
 * (handed the training rows only; `predict` gets the test rows, no gold). Generic over what is
 * predicted: any record of per-item typed arrays is put back row by row. Rows of a fold whose fit
 * throws an error `skip` accepts are left at `fill` (0 = undecided for distributions; NaN for scores).
 */
export function outOfFold<P extends RowArrays<P>, F>(
  n: number,
  folds: readonly (readonly number[])[],
  fit: (train: number[], fold: number) => F,
  predict: (fitted: F, test: readonly number[]) => P,
  options: { skip?: (e: unknown) => boolean; fill?: Partial<Record<keyof P, number>>; shape?: P } = {},
): OutOfFoldResult<P, F> {
  let out: Record<string, Float64Array | Uint8Array | Int32Array> | null = null;
  const fitted: F[] = [];
  const alloc = (like: object, rows: number): void => {
    out = {};
    for (const [k, v] of Object.entries(like) as [string, RowArray][]) {
      const width = rows === 0 ? 0 : v.length / rows;
      const arr = new (v.constructor as new (len: number) => Float64Array | Uint8Array | Int32Array)(n * width);
      const fill = (options.fill as Record<string, number> | undefined)?.[k];
      if (fill !== undefined) arr.fill(fill);
      out[k] = arr;
    }
  };
  if (options.shape) alloc(options.shape, n);
  folds.forEach((test, f) => {
    let model: F;
    let pred: P;
    try {
      model = fit(trainIndices(n, test), f);
      pred = predict(model, test);
    } catch (e) {
      if (options.skip?.(e)) return;
      throw e;
    }
    fitted.push(model);
    if (out === null) alloc(pred, test.length);
    const target = out as unknown as Record<string, Float64Array | Uint8Array | Int32Array>;
    for (const [k, v] of Object.entries(pred) as [string, RowArray][]) {
      const dst = target[k];
      if (!dst) continue;
      const width = test.length === 0 ? 0 : v.length / test.length;
      test.forEach((i, r) => dst.set(v.subarray(r * width, (r + 1) * width), i * width));
    }
  });
  return { prediction: (out ?? {}) as unknown as P, fitted, folds: folds.map((t) => [...t]) };
}

/** How an estimator's input and gold are cut into rows, and its fit options per fold: all `crossValidate` needs of a kind. */
export interface RowAccess<In, Gold, Opts> {
  select(input: In, rows: readonly number[]): In;
  selectGold(gold: Gold, rows: readonly number[]): Gold;
  /** Fit options of fold `fold` trained on `train` (its own seed, per-row extras cut to `train`). */
  options(train: readonly number[], fold: number): Opts;
}

/** `estimator` fitted on the rows `train` of `input` and `gold`, as the training folds of fold `fold`. */
export function fitRows<In, Gold, Opts, F>(
  estimator: { fit(input: In, gold: Gold, options: Opts): F },
  input: In,
  gold: Gold,
  access: RowAccess<In, Gold, Opts>,
  train: readonly number[],
  fold: number,
): F {
  return estimator.fit(access.select(input, train), access.selectGold(gold, train), access.options(train, fold));
}

/**
 * Out-of-fold predictions of an estimator on `folds`: fitted on the training folds' input and gold
 * only, predicting the test folds' input. The same for every task kind. `prefitted`, when given,
 * holds the estimator already fitted on each fold with `fitRows` (e.g. on worker threads): those
 * fits are used instead of fitting again.
 */
export function crossValidate<In, Gold, Pred extends RowArrays<Pred>, Opts extends { seed: number }, F extends Fitted<In, Pred>>(
  estimator: Pick<Estimator<In, Gold, Pred, Opts, never, F>, 'fit'>,
  input: In,
  gold: Gold,
  n: number,
  folds: readonly (readonly number[])[],
  access: RowAccess<In, Gold, Opts>,
  prefitted?: readonly F[],
): OutOfFoldResult<Pred, F> {
  return outOfFold<Pred, F>(
    n,
    folds,
    prefitted ? (_train, f) => prefitted[f] as F : (train, f) => fitRows(estimator, input, gold, access, train, f),
    (fitted, test) => fitted.predict(access.select(input, test)),
  );
}
