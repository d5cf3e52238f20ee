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
}

export interface FittedRating {
  readonly name: string;
  predict(m: RatingMatrix): RatingPrediction;
  /** JSON-serialisable; load() of the same strategy restores it. */
  state(): unknown;
  /** Each judge's estimated bias and noise on the fused scale (for the report and --explain), when the strategy has them. */
  judgeProfile?(): JudgeProfile[];
  /** Strategies that choose (auto): what they picked, for the report. */
  picked?(): string;
}

export interface RatingStrategy {
  readonly name: string;
  readonly supervised: boolean;
  /** gold[i]: the gold score of training item i, NaN when unknown. Never given test-fold gold. */
  fit(train: RatingMatrix, gold: Float64Array, options: RatingFitOptions): FittedRating;
  load(state: unknown, scale: Scale): FittedRating;
}
