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
  /**
   * Present only when some model answered an item several times (self-consistency samples): each
   * sample as its own column. `probs` and `present` above hold each model's distribution averaged
   * over its readable samples, so a model votes once in every strategy; only sample-aware code (the
   * adaptive policy, call counts) reads this, through `expandSamples`.
   */
  readonly samples?: SampleColumns;
  /** True when the labels are listed from low to high (an ordered classification task: 1-5 stars). */
  readonly ordered?: boolean;
}

/** One column per (model, sample): per model, its samples in ascending order (as built from recorded answers), or the calls in the order they were listed (`groupSamples`). */
export interface SampleColumns {
  /** model[c]: the matrix column (model) of sample column c. */
  readonly model: Int32Array;
  /** sample[c]: the sample index of column c (the `sample` of its responses.jsonl lines, 0 when absent). */
  readonly sample: Int32Array;
  /** probs[(i*C + c)*K + k], as AnswerMatrix.probs over the C sample columns. */
  readonly probs: Float64Array;
  /** present[i*C + c] is 1 when sample column c is a readable answer on item i. */
  readonly present: Uint8Array;
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
  return { labels: m.labels, models: m.models, itemIds, probs, present, ...itemFields(m, rows), ...(m.samples ? { samples: selectSampleRows(m.samples, K, rows) } : {}), ...(m.ordered ? { ordered: true } : {}) };
}

function selectSampleRows(s: SampleColumns, K: number, rows: ArrayLike<number>): SampleColumns {
  const C = s.model.length;
  const probs = new Float64Array(rows.length * C * K);
  const present = new Uint8Array(rows.length * C);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r] as number;
    probs.set(s.probs.subarray(i * C * K, (i + 1) * C * K), r * C * K);
    present.set(s.present.subarray(i * C, (i + 1) * C), r * C);
  }
  return { model: s.model, sample: s.sample, probs, present };
}

/**
 * Every (model, sample) as a column of its own, named after its model (a name repeats once per
 * sample): what the adaptive policy orders and counts as calls. Without samples, `m` itself.
 */
export function expandSamples(m: AnswerMatrix): AnswerMatrix {
  const s = m.samples;
  if (!s) return m;
  const { samples: _samples, ...rest } = m;
  return { ...rest, models: Array.from(s.model, (j) => m.models[j] as string), probs: s.probs, present: s.present };
}

/**
 * The inverse view: columns that share a model name become one column, the mean of their readable
 * answers (as `buildAnswerMatrix` averages a model's samples), models in order of first column.
 * What a strategy that votes once per model sees of the samples asked so far. Without repeated
 * names, `m` itself.
 */
export function collapseSamples(m: AnswerMatrix): AnswerMatrix {
  const names = [...new Set(m.models)];
  if (names.length === m.models.length) return m;
  const K = m.labels.length;
  const M = m.models.length;
  const N = m.itemIds.length;
  const G = names.length;
  const group = m.models.map((name) => names.indexOf(name));
  const probs = new Float64Array(N * G * K);
  const present = new Uint8Array(N * G);
  const count = new Float64Array(G);
  for (let i = 0; i < N; i++) {
    count.fill(0);
    for (let j = 0; j < M; j++) {
      if (m.present[i * M + j] === 0) continue;
      const g = group[j] as number;
      count[g] = (count[g] as number) + 1;
      for (let k = 0; k < K; k++) probs[(i * G + g) * K + k] = (probs[(i * G + g) * K + k] as number) + (m.probs[(i * M + j) * K + k] as number);
    }
    for (let g = 0; g < G; g++) {
      const c = count[g] as number;
      if (c === 0) continue;
      present[i * G + g] = 1;
      for (let k = 0; k < K; k++) probs[(i * G + g) * K + k] = (probs[(i * G + g) * K + k] as number) / c;
    }
  }
  const { samples: _samples, ...rest } = m;
  return { ...rest, models: names, probs, present };
}

/**
 * Per column, the mean of `values` over the columns of its model name (its samples, see
 * `expandSamples`): a model's samples are exchangeable, so they vote with one weight. Without
 * repeated names, the values as they are.
 */
export function sharedBySamples(values: readonly number[], models: readonly string[]): number[] {
  if (new Set(models).size === models.length) return [...values];
  const sum = new Map<string, { total: number; n: number }>();
  models.forEach((m, j) => {
    const s = sum.get(m) ?? { total: 0, n: 0 };
    s.total += values[j] as number;
    s.n++;
    sum.set(m, s);
  });
  return models.map((m) => {
    const s = sum.get(m) as { total: number; n: number };
    return s.total / s.n;
  });
}

/**
 * One column per call (a model name repeats once per sample, `sample[c]` the sample index of
 * column c) as the matrix every strategy reads: each model once, the mean of its readable samples,
 * with the calls kept as its sample columns (`expandSamples` gives them back). Without a repeated
 * name, `m` itself.
 */
export function groupSamples(m: AnswerMatrix, sample: readonly number[]): AnswerMatrix {
  const grouped = collapseSamples(m);
  if (grouped === m) return m;
  const model = Int32Array.from(m.models, (name) => grouped.models.indexOf(name));
  return { ...grouped, samples: { model, sample: Int32Array.from(m.models, (_, c) => sample[c] ?? 0), probs: m.probs, present: m.present } };
}

/**
 * Each model's sample indices among `calls` (per call, its model's index and its sample index; a
 * pair may repeat), ascending: the `sampled` argument of sampleColumns. A model with no call gets [].
 */
export function sampleIndices(M: number, calls: Iterable<readonly [model: number, sample: number]>): number[][] {
  const sets = Array.from({ length: M }, () => new Set<number>());
  for (const [j, s] of calls) sets[j]?.add(s);
  return sets.map((set) => [...set].sort((a, b) => a - b));
}

/**
 * Sample columns from per-(item, model, sample) distributions, or undefined when no model has a
 * second sample (nothing to add). `answers` maps `i,j,s` to a readable distribution; `sampled[j]`
 * is the sample indices seen for model j, ascending.
 */
export function sampleColumns(N: number, K: number, sampled: readonly (readonly number[])[], read: (i: number, j: number, s: number) => ArrayLike<number> | undefined): SampleColumns | undefined {
  if (sampled.every((list) => list.length <= 1)) return undefined;
  const model = Int32Array.from(sampled.flatMap((list, j) => list.map(() => j)));
  const sample = Int32Array.from(sampled.flat());
  const C = model.length;
  const probs = new Float64Array(N * C * K);
  const present = new Uint8Array(N * C);
  for (let i = 0; i < N; i++) {
    for (let c = 0; c < C; c++) {
      const dist = read(i, model[c] as number, sample[c] as number);
      if (!dist) continue;
      present[i * C + c] = 1;
      for (let k = 0; k < K; k++) probs[(i * C + c) * K + k] = dist[k] ?? 0;
    }
  }
  return { model, sample, probs, present };
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
    ...(m.samples ? { samples: selectSampleModels(m.samples, N, K, cols) } : {}),
    ...(m.ordered ? { ordered: true } : {}),
  };
}

/** The sample columns of the models `cols`, renumbered as the new matrix's columns. */
function selectSampleModels(s: SampleColumns, N: number, K: number, cols: readonly number[]): SampleColumns {
  const C = s.model.length;
  const keep: number[] = [];
  const model: number[] = [];
  cols.forEach((j, n) => s.model.forEach((mj, c) => {
    if (mj !== j) return;
    keep.push(c);
    model.push(n);
  }));
  const C2 = keep.length;
  const probs = new Float64Array(N * C2 * K);
  const present = new Uint8Array(N * C2);
  for (let i = 0; i < N; i++) {
    keep.forEach((c, n) => {
      present[i * C2 + n] = s.present[i * C + c] as number;
      probs.set(s.probs.subarray((i * C + c) * K, (i * C + c + 1) * K), (i * C2 + n) * K);
    });
  }
  return { model: Int32Array.from(model), sample: Int32Array.from(keep, (c) => s.sample[c] as number), probs, present };
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
