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

/** Per-answer correctness on training items: true/false, or null when unknown (no gold). */
export type AnswerCorrectness = readonly (boolean | null)[];
