import { z } from 'zod';
import type { AnswerMatrix } from './answer-matrix.js';

/**
 * A fused prediction: a distribution over the K labels per item. An item on which no
 * model gave a readable answer has `decided[i] = 0` and an all-zero row: an abstention.
 */
export interface FusedPrediction {
  readonly probs: Float64Array;
  readonly decided: Uint8Array;
}

export interface FitOptions {
  /** Seed for anything random (inner cross-validation folds, initialisation). */
  seed: number;
}

/** How much each model moved one fused decision: shown to users who ask why. */
export interface ModelContribution {
  model: string;
  /** The model's own answer (label name), or null when it abstained. */
  answer: string | null;
  /** Its effective weight in this strategy. */
  weight: number;
  /** How much probability it added to the fused label (can be negative in log-linear or stacked models). */
  influence: number;
}

/** A strategy after fitting: predicts on any answers over the same labels; serializable to JSON. */
export interface FittedStrategy {
  readonly name: string;
  predict(answers: AnswerMatrix): FusedPrediction;
  /** Strategy-specific, JSON-serializable state; `load` of the same strategy restores it. */
  state(): unknown;
  /** Optional per-decision explanation. */
  explain?(answers: AnswerMatrix, item: number): ModelContribution[];
}

export interface FusionStrategy {
  readonly name: string;
  /** True when `fit` needs gold labels; such strategies are scored out-of-fold. */
  readonly supervised: boolean;
  /**
   * Fits on training answers. `gold[i]` is the label index of item i, or -1 when unknown;
   * unsupervised strategies may ignore it. Must never be given test-fold labels.
   */
  fit(train: AnswerMatrix, gold: Int32Array, options: FitOptions): FittedStrategy;
  /** Restores a fitted strategy from `state()` output; throws on malformed state. */
  load(state: unknown, labels: readonly string[]): FittedStrategy;
}

export const SAVED_STRATEGY_FORMAT = 'llm-fusion/strategy';
export const SAVED_STRATEGY_VERSION = 1;

/** What `fusion fit --out` writes: versioned and validated on load. */
export const SavedStrategySchema = z.object({
  format: z.literal(SAVED_STRATEGY_FORMAT),
  version: z.literal(SAVED_STRATEGY_VERSION),
  strategy: z.string().min(1),
  task: z.string(),
  labels: z.array(z.string()).min(2),
  models: z.array(z.string()),
  createdAt: z.string(),
  state: z.unknown(),
});
export type SavedStrategy = z.infer<typeof SavedStrategySchema>;

/** Error thrown when a strategy cannot be fitted or loaded, e.g. a supervised one without labels. */
export class StrategyError extends Error {
  override readonly name = 'StrategyError';
}
