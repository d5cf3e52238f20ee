/**
 * The models' answers on a set of items, as dense arrays so that fusion scales to
 * 100k items x 100 models without per-answer objects. A strategy sees only this: it
 * never knows which provider produced an answer.
 */
export interface AnswerMatrix {
  /** K label names, in task order. */
  readonly labels: readonly string[];
  /** M model names. */
  readonly models: readonly string[];
  /** N item ids. */
  readonly itemIds: readonly string[];
  /** probs[(i*M + j)*K + k]: model j's probability of label k on item i; all zeros when absent. */
  readonly probs: Float64Array;
  /** present[i*M + j] is 1 when model j gave a readable answer on item i. */
  readonly present: Uint8Array;
  /** The items' texts (the questions asked), when known: only text-aware strategies read them. */
  readonly texts?: readonly string[];
  /**
   * Present only when the candidate answers differ per item (free-form and numeric QA: the item's
   * answer clusters). Item i then has candidates[i].length <= K valid columns (the rest are 0 for
   * every model), and column k of item i has nothing to do with column k of another item.
   */
  readonly candidates?: readonly (readonly string[])[];
  /**
   * centrality[i*K + k], with candidates only: how much the other models' answers resemble candidate
   * k's best-placed answer (mean soft similarity, in [0, 1]), computed over the models the matrix was
   * built with. Read by `central`; a soft signal for free-form answers where clusters are fragile.
   */
  readonly centrality?: Float64Array;
}

/** True when column k means the same label on every item (no per-item `candidates`). */
export function hasSharedLabels(m: AnswerMatrix): boolean {
  return m.candidates === undefined;
}

/** Number of valid columns of item i (K for shared labels). */
export function candidateCount(m: AnswerMatrix, i: number): number {
  return m.candidates ? (m.candidates[i]?.length ?? 0) : m.labels.length;
}

/** The per-item fields of `m` for the rows `rows` (texts, candidates, centrality), to spread into a new matrix. */
function itemFields(m: AnswerMatrix, rows: ArrayLike<number>): Pick<AnswerMatrix, 'texts' | 'candidates' | 'centrality'> {
  const K = m.labels.length;
  const out: { texts?: string[]; candidates?: (readonly string[])[]; centrality?: Float64Array } = {};
  const { texts, candidates, centrality } = m;
  if (texts) out.texts = Array.from(rows, (i) => texts[i] as string);
  if (candidates) out.candidates = Array.from(rows, (i) => candidates[i] as readonly string[]);
  if (centrality) {
    const c = new Float64Array(rows.length * K);
    for (let r = 0; r < rows.length; r++) c.set(centrality.subarray((rows[r] as number) * K, ((rows[r] as number) + 1) * K), r * K);
    out.centrality = c;
  }
  return out;
}

export function emptyMatrix(labels: readonly string[], models: readonly string[], itemIds: readonly string[]): AnswerMatrix {
  const n = itemIds.length;
  return {
    labels,
    models,
    itemIds,
    probs: new Float64Array(n * models.length * labels.length),
    present: new Uint8Array(n * models.length),
  };
}

/** Sets model j's answer on item i (a distribution over the K labels). */
export function setAnswer(m: AnswerMatrix, i: number, j: number, dist: ArrayLike<number>): void {
  const K = m.labels.length;
  const M = m.models.length;
  const base = (i * M + j) * K;
  for (let k = 0; k < K; k++) m.probs[base + k] = dist[k] ?? 0;
  m.present[i * M + j] = 1;
}

/** The rows of `rows`, in that order: a training or test fold. */
export function selectItems(m: AnswerMatrix, rows: ArrayLike<number>): AnswerMatrix {
  const K = m.labels.length;
  const M = m.models.length;
  const n = rows.length;
  const probs = new Float64Array(n * M * K);
  const present = new Uint8Array(n * M);
  const itemIds: string[] = new Array(n);
  for (let r = 0; r < n; r++) {
    const i = rows[r] as number;
    itemIds[r] = m.itemIds[i] as string;
    probs.set(m.probs.subarray(i * M * K, (i + 1) * M * K), r * M * K);
    present.set(m.present.subarray(i * M, (i + 1) * M), r * M);
  }
  return { labels: m.labels, models: m.models, itemIds, probs, present, ...itemFields(m, rows) };
}

/** The rows `rows` of a per-item, per-column array (N*K), e.g. FitOptions.right for a fold. */
export function selectRows(values: Uint8Array, K: number, rows: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(rows.length * K);
  for (let r = 0; r < rows.length; r++) out.set(values.subarray((rows[r] as number) * K, ((rows[r] as number) + 1) * K), r * K);
  return out;
}

/** Whether column k is right on item i: the gold column, or one of FitOptions.right. */
export function isRight(gold: Int32Array, right: Uint8Array | undefined, K: number, i: number, k: number): boolean {
  return k >= 0 && ((gold[i] as number) === k || (right !== undefined && right[i * K + k] === 1));
}

/** Only the models in `cols`, in that order. */
export function selectModels(m: AnswerMatrix, cols: readonly number[]): AnswerMatrix {
  const K = m.labels.length;
  const M = m.models.length;
  const N = m.itemIds.length;
  const M2 = cols.length;
  const probs = new Float64Array(N * M2 * K);
  const present = new Uint8Array(N * M2);
  for (let i = 0; i < N; i++) {
    for (let c = 0; c < M2; c++) {
      const j = cols[c] as number;
      present[i * M2 + c] = m.present[i * M + j] as number;
      probs.set(m.probs.subarray((i * M + j) * K, (i * M + j + 1) * K), (i * M2 + c) * K);
    }
  }
  const { texts, candidates, centrality } = m;
  return {
    labels: m.labels,
    models: cols.map((j) => m.models[j] as string),
    itemIds: m.itemIds,
    probs,
    present,
    ...(texts ? { texts } : {}),
    ...(candidates ? { candidates } : {}),
    ...(centrality ? { centrality } : {}),
  };
}

export { argmax } from '../util/argmax.js';
import { argmax } from '../util/argmax.js';

/** Model j's hard vote on item i (argmax of its distribution over the item's candidates), or -1 when it abstained. */
export function hardVote(m: AnswerMatrix, i: number, j: number): number {
  const M = m.models.length;
  if (m.present[i * M + j] === 0) return -1;
  const K = m.labels.length;
  return argmax(m.probs, (i * M + j) * K, candidateCount(m, i));
}

/** The matrix's sizes and an all-undecided prediction of its shape, for a strategy to fill in. */
export function blankPrediction(answers: AnswerMatrix): { K: number; M: number; N: number; probs: Float64Array; decided: Uint8Array } {
  const K = answers.labels.length;
  const N = answers.itemIds.length;
  return { K, M: answers.models.length, N, probs: new Float64Array(N * K), decided: new Uint8Array(N) };
}

/** Model j's answers as a prediction: its own distribution where it answered, undecided where it abstained. */
export function modelPrediction(answers: AnswerMatrix, j: number): { probs: Float64Array; decided: Uint8Array } {
  const { K, M, N, probs, decided } = blankPrediction(answers);
  for (let i = 0; i < N; i++) {
    if (answers.present[i * M + j] === 0) continue;
    decided[i] = 1;
    probs.set(answers.probs.subarray((i * M + j) * K, (i * M + j + 1) * K), i * K);
  }
  return { probs, decided };
}
