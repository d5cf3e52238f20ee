import type { AskingPolicy } from '../../fuse/stream-fuser.js';
import type { Estimator, Fitted } from '../../validation/estimator.js';
import type { RatingMatrix } from './rating-matrix.js';
import type { Scale } from './scale.js';

/**
 * A fused rating per item with its interval: the same estimator shape as src/fuse/strategy.ts's
 * FusionStrategy, with scores for labels.
 */
export interface RatingPrediction {
  /** NaN where no judge gave a readable score (undecided). */
  score: Float64Array;
  /** The interval (default 80%): low <= score <= high, clipped to the scale; NaN where undecided. */
  low: Float64Array;
  high: Float64Array;
  /** A policy that asks (adaptive): the judges it asked per item (an unreadable answer counts as a call). */
  calls?: Float64Array;
}

export interface RatingFitOptions {
  /** Seed for anything random (inner folds). */
  seed: number;
  /** Interval level, default DEFAULT_INTERVAL_LEVEL. */
  level?: number;
}

export const DEFAULT_INTERVAL_LEVEL = 0.8;

/** A judge as a strategy sees it, on the fused scale: how far off it sits, how noisy it is, how much it counts. */
export interface JudgeProfile {
  judge: string;
  bias: number;
  noise: number;
  weight: number;
  /**
   * Strategies that score each item with one judge (best-model): the judge's place in the fallback
   * order, 0 for the chosen judge, k for the k-th judge that scores an item every judge before it
   * left unscored. `weight` is then 1 for the chosen judge and 0 for the others, which is not what
   * a fallback judge counts for: shown by its place instead.
   */
  fallback?: number;
}

/** The one estimator shape (src/validation/estimator.ts) over rating matrices. */
export interface FittedRating extends Fitted<RatingMatrix, RatingPrediction> {
  /** Each judge's estimated bias and noise on the fused scale (for the report and --explain), when the strategy has them. */
  judgeProfile?(): JudgeProfile[];
  /** Strategies that choose (auto): what they picked, for the report. */
  picked?(): string;
  /** What it declares it can do beyond predicting: `asks`, a policy that decides which judges to ask (`policy`). */
  readonly capabilities?: { readonly asks?: boolean };
  /** A strategy that asks, never asking more than `maxCalls` judges per item: its policy and its fused score capped alike. */
  withMaxCalls?(maxCalls: number): FittedRating;
  /** The asking policy of a strategy that asks: what `fusion run` and `fuse()` ask the judges by. */
  readonly policy?: RatingPolicy;
}

/** A rating policy as a run asks by it (AskingPolicy over one-item rating matrices), with a cap on its calls. */
export interface RatingPolicy extends AskingPolicy {
  nextWave(one: RatingMatrix, asked: number): { next: number | null };
  /** The same policy never asking more than `maxCalls` judges per item. */
  withMaxCalls(maxCalls: number): RatingPolicy;
}

/** A rating strategy: the one estimator shape with gold scores (NaN = unknown; never test-fold gold) and the scale to load onto. */
export type RatingStrategy = Estimator<RatingMatrix, Float64Array, RatingPrediction, RatingFitOptions, Scale, FittedRating>;
