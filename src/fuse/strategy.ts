import { z } from 'zod';
import { ClassificationTaskSchema, QaTaskSchema, RatingTaskSchema, ScaleSchema } from '../task/schema.js';
import type { Prediction } from '../validation/cross-validation.js';
import type { Estimator, Fitted } from '../validation/estimator.js';
import type { AnswerMatrix } from './answer-matrix.js';

/**
 * A fused prediction: a distribution over the K labels per item. An item on which no
 * model gave a readable answer has `decided[i] = 0` and an all-zero row: an abstention.
 */
export type FusedPrediction = Prediction;

/** The rows `rows` of a prediction with K labels, in that order. */
export function predictionRows(pred: FusedPrediction, rows: readonly number[], K: number): FusedPrediction {
  const probs = new Float64Array(rows.length * K);
  const decided = new Uint8Array(rows.length);
  rows.forEach((i, r) => {
    probs.set(pred.probs.subarray(i * K, (i + 1) * K), r * K);
    decided[r] = pred.decided[i] as number;
  });
  return { probs, decided };
}

/** A figure a task kind is scored by, as a fit can measure it on label-index decisions. */
export type ScoreMetric = 'macro-f1' | 'accuracy';

export interface FitOptions {
  /** Seed for anything random (inner cross-validation folds, initialisation). */
  seed: number;
  /**
   * The figure the task kind is scored, reported and promised in (given by the kind's plug-in,
   * which knows it: classification macro-F1, QA accuracy, multiple choice included). A strategy
   * that holds itself to a target in a figure (adaptive's loss bound) measures that one, so what it
   * is trained to keep is what the user is shown. A caller that names none gets the strategy's
   * default.
   */
  metric?: ScoreMetric;
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
export interface FittedStrategy extends Fitted<AnswerMatrix, FusedPrediction> {
  /** Optional per-decision explanation. */
  explain?(answers: AnswerMatrix, item: number): ModelContribution[];
  /**
   * Optional: how much the fitted strategy trusts each model's answers (by model name, larger is
   * more), e.g. its learned vote weights. QA uses it to choose whose words state a fused answer.
   */
  modelTrust?(): Readonly<Record<string, number>>;
  /**
   * What the fitted strategy declares it can do beyond predicting. `asks`: it is a policy that
   * decides which models to ask, item by item (`adaptive`, see FittedAdaptive), so a run asks
   * through it and an evaluation counts only the calls it made. Read, never probed by shape.
   */
  readonly capabilities?: StrategyCapabilities;
}

export interface StrategyCapabilities {
  readonly asks?: boolean;
}

/** The one estimator shape (src/validation/estimator.ts) over answer matrices: label-index gold, fused distributions. */
export interface FusionStrategy extends Estimator<AnswerMatrix, Int32Array, FusedPrediction, FitOptions, readonly string[], FittedStrategy> {
  /**
   * True when the strategy learns something per label (a confusion matrix, per-label weights or
   * temperatures), so it needs column k to mean the same label on every item: it refuses answers
   * whose candidates differ per item (free-form and numeric QA) with a StrategyError.
   */
  readonly needsSharedLabels?: boolean;
  /** True when the strategy uses the labels' order (median label, expected rank): it refuses a task that is not `ordered`. */
  readonly needsOrderedLabels?: boolean;
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
  z.object({ ...SavedCommon, version: z.literal(SAVED_STRATEGY_VERSION), kind: ClassificationTaskSchema.shape.kind, labels: z.array(z.string()).min(2) }),
  z.object({
    ...SavedCommon,
    version: z.literal(SAVED_STRATEGY_VERSION),
    kind: QaTaskSchema.shape.kind,
    answerType: z.enum(['free-form', 'multiple-choice', 'numeric']),
    /** The option letters for multiple choice; empty where candidates differ per item. */
    labels: z.array(z.string()),
  }),
  z.object({
    ...SavedCommon,
    version: z.literal(SAVED_STRATEGY_VERSION),
    kind: RatingTaskSchema.shape.kind,
    /** The scale the strategy was fitted on: a run's task must have the same. */
    scale: ScaleSchema,
    /** Always empty: scores have no label set (kept so every saved strategy has the field). */
    labels: z.array(z.string()).default([]),
  }),
]);
export type SavedStrategy = z.infer<typeof SavedStrategySchema>;

/** Version 1 (llm-fusion 0.1): classification only, no `kind`. */
export const SavedStrategyV1Schema = z.object({ ...SavedCommon, version: z.literal(1), labels: z.array(z.string()).min(2) });

/** Error thrown when a strategy cannot be fitted or loaded, e.g. a supervised one without labels. */
export class StrategyError extends Error {
  override readonly name = 'StrategyError';
}

/**
 * A strategy that learns from labels was handed training rows of which none is labelled (in QA: none
 * with a right answer among the models' readable ones, e.g. every answer an unexecuted program). A
 * refusal of these rows, not of the strategy: cross-validation leaves such a fold's rows undecided.
 */
export class NoLabelledRowsError extends StrategyError {}

/** Refuses training rows without a labelled one (gold >= 0), for strategies that learn from labels. */
export function requireLabelledRows(strategy: string, gold: Int32Array): void {
  for (let i = 0; i < gold.length; i++) if ((gold[i] as number) >= 0) return;
  throw new NoLabelledRowsError(`${strategy} needs labelled training items`);
}

/** The refusal of a strategy that needs a fixed label set, on answers whose candidates differ per item. */
export function requireSharedLabels(strategy: string, answers: AnswerMatrix): void {
  if (answers.candidates === undefined) return;
  throw new StrategyError(
    `${strategy} needs a fixed label set (classification or multiple-choice QA): it learns parameters per label, ` +
      'but here the candidate answers differ per item (free-form or numeric QA answer clusters)',
  );
}
