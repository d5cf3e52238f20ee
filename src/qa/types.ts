import type { QaReading } from '../normalize/qa/extract.js';

export type QaAnswer = Extract<QaReading, { kind: 'answer' }>;

/** One readable answer of one model (one sample) on one item. */
export interface ItemAnswer {
  /** Index into the model list. */
  model: number;
  sample: number;
  reading: QaAnswer;
  /** The raw output, shown as the fused answer when this answer represents its cluster. */
  output: string;
}

export interface AnswerCluster {
  /** Indices into the item's `answers`, in first-seen order. */
  members: number[];
}

/**
 * Everything fusion may see about one question: the readable answers, their clusters, how each
 * model's samples spread over the clusters, and pairwise answer similarity. Deliberately carries no
 * gold answer and no human judgement, so no strategy can read them at prediction time.
 */
export interface QaItemAnswers {
  itemId: string;
  answers: ItemAnswer[];
  clusters: AnswerCluster[];
  /** Cluster index of each answer. */
  clusterOf: Int32Array;
  /** share[m * C + c]: fraction of model m's readable samples that fall in cluster c (0 when m abstained). */
  share: Float64Array;
  /** 1 when model m gave at least one readable answer. */
  answered: Uint8Array;
  /** sim[a * A + b]: similarity in [0, 1] of answers a and b (1 within a cluster). */
  sim: Float64Array;
  /** Mean similarity of each answer to the other models' answers (samples of a model averaged first). */
  centrality: Float64Array;
  /** Number of possible answers when the answer space is closed (choices), else 0. */
  answerSpace: number;
}

/** A fused decision on one item. */
export interface QaPick {
  cluster: number;
  /** The answer that stands for the cluster (scored, and shown as the fused answer). */
  representative: number;
  /** Strategy-specific support of the winning cluster, normalized to [0, 1] over the item's clusters. */
  support: number;
}

/** Per-answer correctness on training items: true/false, or null when unknown (no gold). */
export type AnswerCorrectness = readonly (boolean | null)[];

export interface QaFitOptions {
  seed: number;
  models: readonly string[];
}

export interface FittedQaStrategy {
  readonly name: string;
  /** The fused decision on one item, or null when no model gave a readable answer. */
  pick(item: QaItemAnswers): QaPick | null;
  /** JSON-serializable state (learned weights), for reports and saving. */
  state(): unknown;
}

export interface QaStrategy {
  readonly name: string;
  /** True when `fit` needs per-answer correctness of training items. */
  readonly supervised: boolean;
  /** Fits on training items only; `correct[i][a]` is the correctness of answer a of train[i]. */
  fit(train: readonly QaItemAnswers[], correct: readonly AnswerCorrectness[], options: QaFitOptions): FittedQaStrategy;
  /** Restores a fitted strategy from its `state()` for the given models; throws QaStateError on malformed state. */
  load(state: unknown, models: readonly string[]): FittedQaStrategy;
}

/** A saved QA strategy state that does not fit the strategy or the models. */
export class QaStateError extends Error {
  override readonly name = 'QaStateError';
}

/** A request that names something that does not exist, e.g. an unknown QA strategy. */
export class QaUsageError extends Error {
  override readonly name = 'QaUsageError';
}
