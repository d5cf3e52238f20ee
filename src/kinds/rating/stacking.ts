import { z } from 'zod';
import { parseState, requireLength } from '../../fuse/strategy-state.js';
import { StrategyError } from '../../fuse/strategy.js';
import { innerFolds, labelledRows } from './inner-folds.js';
import type { PointEstimator, PointModel } from './point-estimator.js';
import { ratingStrategy } from './point-estimator.js';
import { chooseRidgePenalty, predictRidge, ridgeFromMoments, rowMoments } from './ridge.js';
import { DesignSchema, designMatrix, designWidth, learnDesign, type Design } from './stacking-design.js';

const NAME = 'stacking';

/**
 * Ridge penalties tried (on standardised columns, in units of the summed squared error): from
 * almost none to one that flattens every coefficient, half a decade apart.
 */
export const RIDGE_GRID: readonly number[] = Array.from({ length: 17 }, (_, k) => 10 ** (-2 + k / 2));

const StateSchema = z.object({
  design: DesignSchema,
  lambda: z.number().nonnegative(),
  ridge: z.object({ mean: z.array(z.number()), scale: z.array(z.number()), coef: z.array(z.number()), intercept: z.number() }),
});
type State = z.infer<typeof StateSchema>;

function model(s: State, heldOut?: Float64Array): PointModel {
  return {
    predict(m) {
      const { X, empty } = designMatrix(s.design, m);
      const pred = predictRidge(s.ridge, X, m.itemIds.length);
      for (let i = 0; i < pred.length; i++) if (empty[i] === 1) pred[i] = Number.NaN;
      return pred;
    },
    state: () => s,
    ...(heldOut ? { heldOutResiduals: heldOut } : {}),
  };
}

/** The fewest labelled training items stacking fits on (its design needs a spread of gold scores). */
export const STACKING_MIN_TRAINING = 2;

/**
 * Stacking: ridge regression of the gold on the judges' scores and what the item says about them
 * (see designMatrix), with the penalty chosen by grouped inner cross-validation on the training
 * items. The held-out residuals at the chosen penalty give the interval. Out-of-fold by the caller.
 */
export const stackingEstimator: PointEstimator = {
  name: NAME,
  supervised: true,
  fit(train, gold, seed) {
    const rows = labelledRows(gold);
    if (rows.length < STACKING_MIN_TRAINING) throw new StrategyError(`${NAME} needs at least two labelled training items`);
    const design: Design = learnDesign(train, rows);
    const { X, p } = designMatrix(design, train);
    const folds = innerFolds(train, rows, seed);
    let lambda = 1;
    let heldOut: Float64Array | undefined;
    if (folds) {
      const chosen = chooseRidgePenalty(X, gold, p, rows, folds.map((f) => f.map((r) => rows[r] as number)), RIDGE_GRID);
      lambda = chosen.lambda;
      heldOut = Float64Array.from(chosen.heldOut, ([i, pred]) => Math.abs((gold[i] as number) - pred));
    }
    const ridge = ridgeFromMoments(rowMoments(X, gold, p, rows), lambda);
    return model({ design, lambda, ridge }, heldOut);
  },
  load(state) {
    const s = parseState(NAME, StateSchema, state);
    const p = designWidth(s.design);
    for (const f of ['mean', 'scale', 'coef'] as const) requireLength(NAME, `ridge.${f}`, s.ridge[f].length, p);
    requireLength(NAME, 'design.judgeMean', s.design.judgeMean.length, s.design.judges.length);
    requireLength(NAME, 'design.missing', s.design.missing.length, s.design.judges.length);
    return model(s);
  },
};

export const stackingRating = ratingStrategy(stackingEstimator);
