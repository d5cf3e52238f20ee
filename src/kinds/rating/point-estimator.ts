import { z } from 'zod';
import { parseState } from '../../fuse/strategy-state.js';
import { StrategyError } from '../../fuse/strategy.js';
import { trainIndices } from '../../validation/folds.js';
import { innerFolds, labelledRows } from './inner-folds.js';
import { conformalHalfWidth, judgeSpread, withIntervals } from './interval.js';
import { selectRatingItems, type RatingMatrix } from './rating-matrix.js';
import type { Scale } from './scale.js';
import { DEFAULT_INTERVAL_LEVEL, type FittedRating, type JudgeProfile, type RatingPolicy, type RatingPrediction, type RatingStrategy } from './strategy.js';

/** A fitted point estimate of the rating: the part of a strategy that differs from one to the next. */
export interface PointModel {
  /** The fused score per item (not yet clipped); NaN where it cannot decide. */
  predict(m: RatingMatrix): Float64Array;
  state(): unknown;
  judgeProfile?(): JudgeProfile[];
  picked?(): string;
  /**
   * Absolute residuals on training items that the fit already computed held out (auto's cross-fitted
   * mixture), so the interval needs no second inner cross-validation.
   */
  heldOutResiduals?: Float64Array;
  /**
   * The fused scores of the training items that heldOutResiduals come from, one per training item
   * (NaN where it has no gold): what a policy built on this fit compares itself with (adaptive).
   * Only in memory, never saved.
   */
  heldOutScores?: Float64Array;
  /** Gold-free half-widths at `level` (unsupervised strategies, used when no gold is known). */
  spread?(m: RatingMatrix, level: number): Float64Array;
  /**
   * A model that asks: the same never asking more than `maxCalls` judges per item, its fused score
   * read as that capped policy asks (which judges were asked decides which fit reads them).
   */
  withMaxCalls?(maxCalls: number): PointModel;
  /** A model that asks (adaptive): the judges it asks per item of `m`, and its policy for a run. */
  calls?(m: RatingMatrix): Float64Array;
  policy?: RatingPolicy;
}

export interface PointEstimator {
  readonly name: string;
  readonly supervised: boolean;
  /** `gold` as in RatingStrategy.fit: NaN where unknown; unsupervised estimators never read it. */
  fit(train: RatingMatrix, gold: Float64Array, seed: number): PointModel;
  load(state: unknown, scale: Scale): PointModel;
}

/** Held-out absolute residuals of a supervised estimator on the labelled training rows, from grouped inner folds. */
export function innerResiduals(point: PointEstimator, train: RatingMatrix, gold: Float64Array, seed: number): Float64Array {
  const rows = labelledRows(gold);
  const folds = innerFolds(train, rows, seed);
  if (!folds) return new Float64Array(0);
  const out: number[] = [];
  for (const test of folds) {
    const fitRows = trainIndices(rows.length, test).map((r) => rows[r] as number);
    const testRows = test.map((r) => rows[r] as number);
    let model: PointModel;
    try {
      model = point.fit(selectRatingItems(train, fitRows), Float64Array.from(fitRows, (i) => gold[i] as number), seed);
    } catch (e) {
      if (e instanceof StrategyError) continue;
      throw e;
    }
    const pred = model.predict(selectRatingItems(train, testRows));
    testRows.forEach((i, r) => {
      const p = pred[r] as number;
      if (!Number.isNaN(p)) out.push(Math.abs((gold[i] as number) - p));
    });
  }
  return Float64Array.from(out);
}

const StateSchema = z.object({
  level: z.number().gt(0).lt(1),
  /** The conformal half-width; null when no gold was known at fit time (gold-free spread instead). */
  halfWidth: z.number().nonnegative().nullable(),
  point: z.unknown(),
});

function wrap(name: string, model: PointModel, level: number, halfWidth: number | null, scale: Scale): FittedRating {
  const profile = model.judgeProfile;
  const picked = model.picked;
  const interval = (m: RatingMatrix, score: Float64Array): RatingPrediction => {
    if (halfWidth !== null) return withIntervals(score, halfWidth, scale);
    return withIntervals(score, model.spread ? model.spread(m, level) : judgeSpread(m, level), scale);
  };
  const calls = model.calls;
  return {
    name,
    predict: (m) => (calls ? { ...interval(m, model.predict(m)), calls: calls.call(model, m) } : interval(m, model.predict(m))),
    ...(model.policy ? { capabilities: { asks: true }, policy: model.policy } : {}),
    // A half-width saved as Infinity (too few residuals) is written as null-free JSON by keeping the scale's span.
    state: () => ({ level, halfWidth: halfWidth === null ? null : Math.min(halfWidth, scale.max - scale.min), point: model.state() }),
    ...(profile ? { judgeProfile: () => profile.call(model) } : {}),
    ...(picked ? { picked: () => picked.call(model) } : {}),
    ...(model.withMaxCalls ? { withMaxCalls: (maxCalls: number) => wrap(name, (model.withMaxCalls as (c: number) => PointModel).call(model, maxCalls), level, halfWidth, scale) } : {}),
  };
}

/**
 * A rating strategy from a point estimator, with split-conformal intervals: the half-width is the
 * conformal quantile of absolute residuals that are held out from what produced them. A supervised
 * estimator's come from grouped inner folds on the training items (or from its own held-out fit);
 * an unsupervised estimator never reads gold, so where some training gold is known its residuals
 * on those items are already held out. Without gold: the estimator's own spread or the judges'.
 */
export function ratingStrategy(point: PointEstimator): RatingStrategy {
  return {
    name: point.name,
    supervised: point.supervised,
    fit(train, gold, options) {
      const level = options.level ?? DEFAULT_INTERVAL_LEVEL;
      if (!(level > 0 && level < 1)) throw new StrategyError(`${point.name}: interval level must be between 0 and 1, got ${level}`);
      const model = point.fit(train, gold, options.seed);
      let residuals: Float64Array;
      if (model.heldOutResiduals) residuals = model.heldOutResiduals;
      else if (point.supervised) residuals = innerResiduals(point, train, gold, options.seed);
      else {
        const pred = model.predict(train);
        residuals = Float64Array.from(labelledRows(gold), (i) => Math.abs((gold[i] as number) - (pred[i] as number))).filter((r) => !Number.isNaN(r));
      }
      const halfWidth = residuals.length > 0 ? conformalHalfWidth(residuals, level) : null;
      return wrap(point.name, model, level, halfWidth, train.scale);
    },
    load(raw, scale) {
      const s = parseState(point.name, StateSchema, raw);
      return wrap(point.name, point.load(s.point, scale), s.level, s.halfWidth, scale);
    },
  };
}
