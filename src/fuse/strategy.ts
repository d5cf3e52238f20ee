import { z } from 'zod';
import type { Prediction } from '../validation/cross-validation.js';
import type { AnswerMatrix } from './answer-matrix.js';

/**
 * A fused prediction: a distribution over the K labels per item. An item on which no
 * model gave a readable answer has `decided[i] = 0` and an all-zero row: an abstention.
 */
export type FusedPrediction = Prediction;

export interface FitOptions {
  /** Seed for anything random (inner cross-validation folds, initialisation). */
  seed: number;
  /**
   * Optional, right[i*K + k] = 1 where column k of training item i is also a right answer (QA items
   * whose right answer fell into several clusters); `gold[i]` is one of them. Strategies that
   * estimate how often a model is right count these; the others may ignore it.
   */
  right?: Uint8Array;
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
  /**
   * Optional: how much the fitted strategy trusts each model's answers (by model name, larger is
   * more), e.g. its learned vote weights. QA uses it to choose whose words state a fused answer.
   */
  modelTrust?(): Readonly<Record<string, number>>;
}

export interface FusionStrategy {
  readonly name: string;
  /** True when `fit` needs gold labels; such strategies are scored out-of-fold. */
  readonly supervised: boolean;
  /**
   * True when the strategy learns something per label (a confusion matrix, per-label weights or
   * temperatures), so it needs column k to mean the same label on every item: it refuses answers
   * whose candidates differ per item (free-form and numeric QA) with a StrategyError.
   */
  readonly needsSharedLabels?: boolean;
  /** True when the strategy uses the labels' order (median label, expected rank): it refuses a task that is not `ordered`. */
  readonly needsOrderedLabels?: boolean;
  /**
   * Fits on training answers. `gold[i]` is the label index of item i, or -1 when unknown;
   * unsupervised strategies may ignore it. Must never be given test-fold labels.
   */
  fit(train: AnswerMatrix, gold: Int32Array, options: FitOptions): FittedStrategy;
  /** Restores a fitted strategy from `state()` output; throws on malformed state. */
  load(state: unknown, labels: readonly string[]): FittedStrategy;
}

export const SAVED_STRATEGY_FORMAT = 'llm-fusion/strategy';
/** Version 2 carries the task kind (classification or QA); version 1 files (classification only) still load. */
export const SAVED_STRATEGY_VERSION = 2;

const SavedCommon = {
  format: z.literal(SAVED_STRATEGY_FORMAT),
  strategy: z.string().min(1),
  task: z.string(),
  models: z.array(z.string()),
  createdAt: z.string(),
  state: z.unknown(),
};

/** What `fusion fit --out` writes: versioned and validated on load. */
export const SavedStrategySchema = z.discriminatedUnion('kind', [
  z.object({ ...SavedCommon, version: z.literal(SAVED_STRATEGY_VERSION), kind: z.literal('classification'), labels: z.array(z.string()).min(2) }),
  z.object({
    ...SavedCommon,
    version: z.literal(SAVED_STRATEGY_VERSION),
    kind: z.literal('qa'),
    answerType: z.enum(['free-form', 'multiple-choice', 'numeric']),
    /** The option letters for multiple choice; empty where candidates differ per item. */
    labels: z.array(z.string()),
  }),
]);
export type SavedStrategy = z.infer<typeof SavedStrategySchema>;

/** Version 1 (llm-fusion 0.1): classification only, no `kind`. */
export const SavedStrategyV1Schema = z.object({ ...SavedCommon, version: z.literal(1), labels: z.array(z.string()).min(2) });

/** Error thrown when a strategy cannot be fitted or loaded, e.g. a supervised one without labels. */
export class StrategyError extends Error {
  override readonly name = 'StrategyError';
}

/** The refusal of a strategy that needs a fixed label set, on answers whose candidates differ per item. */
export function requireSharedLabels(strategy: string, answers: AnswerMatrix): void {
  if (answers.candidates === undefined) return;
  throw new StrategyError(
    `${strategy} needs a fixed label set (classification or multiple-choice QA): it learns parameters per label, ` +
      'but here the candidate answers differ per item (free-form or numeric QA answer clusters)',
  );
}
