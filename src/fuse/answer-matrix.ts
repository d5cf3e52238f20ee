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
   * Present only when the candidate answers differ per item (free-form and numeric QA: the item's answer
   * clusters). Item i then has candidates[i].length <= K valid columns (the rest are always 0 for every
   * model), and column k of item i has NOTHING to do with column k of another item.
   */
  readonly candidates?: readonly (readonly string[])[];
}

/** True when column k means the same label on every item (no `candidates`). */
export function hasSharedLabels(m: AnswerMatrix): boolean {
  return m.candidates === undefined;
}

/** Number of valid columns of item i (K for shared labels). */
export function candidateCount(m: AnswerMatrix, i: number): number {
  return m.candidates === undefined ? m.labels.length : (m.candidates[i]?.length ?? 0);
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
  const texts = m.texts;
  return { labels: m.labels, models: m.models, itemIds, probs, present, ...(texts ? { texts: Array.from(rows, (i) => texts[i] as string) } : {}) };
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
  return { labels: m.labels, models: cols.map((j) => m.models[j] as string), itemIds: m.itemIds, probs, present, ...(m.texts ? { texts: m.texts } : {}) };
}

/** Index of the largest of the K values starting at `offset`; ties go to the lowest index (task label order). */
export function argmax(values: ArrayLike<number>, offset: number, K: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let k = 0; k < K; k++) {
    const v = values[offset + k] as number;
    if (v > bestValue) {
      bestValue = v;
      best = k;
    }
  }
  return best;
}

/** Model j's hard vote on item i (argmax of its distribution), or -1 when it abstained. */
export function hardVote(m: AnswerMatrix, i: number, j: number): number {
  const M = m.models.length;
  if (m.present[i * M + j] === 0) return -1;
  const K = m.labels.length;
  return argmax(m.probs, (i * M + j) * K, K);
}
