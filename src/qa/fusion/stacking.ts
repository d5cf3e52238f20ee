import { z } from 'zod';
import { QaStateError, type AnswerCorrectness, type FittedQaStrategy, type QaItemAnswers, type QaStrategy } from '../types.js';
import { modelRecords, smoothedAccuracy } from './reliability.js';
import { logOddsWeights } from './weighted-vote.js';

export interface StackingOptions {
  name: string;
  /** L2 penalty (per training item) pulling the weights towards the log-odds vote, not towards zero. */
  l2: number;
  iterations: number;
  /** Use the per-answer blocks (who wrote it, soft support): needed where answers are judged one by one. */
  perAnswer: boolean;
  /** Where the weights start and are pulled to: zero, or the log-odds vote weights on the share block. */
  prior: 'zero' | 'log-odds';
}

export const STACKING_DEFAULTS: StackingOptions = { name: 'stacking', l2: 1, iterations: 60, perAnswer: true, prior: 'zero' };

/** A candidate's features as a sparse row (feature index, value). */
interface SparseRow {
  idx: Int32Array;
  val: Float64Array;
}

/**
 * Features of each answer as a candidate fused answer (D = 3M + 1):
 * - [0, M): which models back its cluster (their shares of it): a learned, correlation-aware vote;
 * - [M, 2M): which model wrote it (one-hot): whose phrasing to trust when answers are judged by people;
 * - [2M, 3M): its mean similarity to each other model's answers: soft support for free-form answers;
 * - 3M: log of its cluster's size, so that a cluster is not favoured merely for having many members
 *   to spread probability over.
 */
const rowCache = new WeakMap<QaItemAnswers, Map<string, SparseRow[]>>();

/** Candidate rows, cached per item object: training folds and inner folds reuse the same items. */
export function candidateRows(item: QaItemAnswers, M: number, perAnswer: boolean): SparseRow[] {
  const key = `${M}:${perAnswer ? 1 : 0}`;
  let byKey = rowCache.get(item);
  const hit = byKey?.get(key);
  if (hit) return hit;
  const rows = buildCandidateRows(item, M, perAnswer);
  if (!byKey) {
    byKey = new Map();
    rowCache.set(item, byKey);
  }
  byKey.set(key, rows);
  return rows;
}

function buildCandidateRows(item: QaItemAnswers, M: number, perAnswer: boolean): SparseRow[] {
  const A = item.answers.length;
  const C = item.clusters.length;
  const perModel = new Float64Array(M);
  for (const a of item.answers) perModel[a.model] = (perModel[a.model] as number) + 1;
  const soft = new Float64Array(M);
  const rows: SparseRow[] = [];
  for (let a = 0; a < A; a++) {
    const idx: number[] = [];
    const val: number[] = [];
    const c = item.clusterOf[a] as number;
    const own = (item.answers[a] as { model: number }).model;
    for (let m = 0; m < M; m++) {
      const s = item.share[m * C + c] as number;
      if (s !== 0) {
        idx.push(m);
        val.push(s);
      }
    }
    if (perAnswer) {
      idx.push(M + own);
      val.push(1);
      soft.fill(0);
      for (let b = 0; b < A; b++) {
        const mb = (item.answers[b] as { model: number }).model;
        if (mb !== own) soft[mb] = (soft[mb] as number) + (item.sim[a * A + b] as number) / (perModel[mb] as number);
      }
      for (let m = 0; m < M; m++) {
        if ((soft[m] as number) !== 0) {
          idx.push(2 * M + m);
          val.push(soft[m] as number);
        }
      }
    }
    idx.push(3 * M);
    val.push(Math.log(item.clusters[c]?.members.length ?? 1));
    rows.push({ idx: Int32Array.from(idx), val: Float64Array.from(val) });
  }
  return rows;
}

function score(row: SparseRow, w: Float64Array): number {
  let v = 0;
  for (let k = 0; k < row.idx.length; k++) v += (row.val[k] as number) * (w[row.idx[k] as number] as number);
  return v;
}

function softmaxInPlace(s: Float64Array): void {
  let max = -Infinity;
  for (const v of s) max = Math.max(max, v);
  let z = 0;
  for (let k = 0; k < s.length; k++) {
    s[k] = Math.exp((s[k] as number) - max);
    z += s[k] as number;
  }
  for (let k = 0; k < s.length; k++) s[k] = (s[k] as number) / z;
}

/** Starting point and prior mean: the log-odds vote weights on the share block, zero elsewhere. */
function priorWeights(train: readonly QaItemAnswers[], correct: readonly AnswerCorrectness[], M: number): Float64Array {
  const w0 = new Float64Array(3 * M + 1);
  const K = train.find((it) => it.answerSpace > 0)?.answerSpace ?? 2;
  w0.set(logOddsWeights(modelRecords(train, correct, M).map(smoothedAccuracy), K), 0);
  return w0;
}

/**
 * Learns the weights of a conditional-logit ranker over candidate answers: maximizes, over training
 * items, the log-probability of picking a right answer (any right one), with an L2 penalty towards
 * the log-odds vote. Adam steps; deterministic.
 */
export function fitRanker(train: readonly QaItemAnswers[], correct: readonly AnswerCorrectness[], M: number, opts: StackingOptions): Float64Array {
  const D = 3 * M + 1;
  // All informative training candidates in one CSR matrix: tight loops, no per-row allocation.
  const itemStart: number[] = [0];
  const rowStart: number[] = [0];
  const good: number[] = [];
  const idx: number[] = [];
  const val: number[] = [];
  train.forEach((item, i) => {
    const corr = correct[i] ?? [];
    const A = item.answers.length;
    if (A < 2) return;
    if (!item.answers.every((_, a) => corr[a] === true || corr[a] === false)) return;
    let nGood = 0;
    for (let a = 0; a < A; a++) if (corr[a] === true) nGood++;
    // Items where every answer is right, or none is, say nothing about whom to trust.
    if (nGood === 0 || nGood === A) return;
    for (const [a, row] of candidateRows(item, M, opts.perAnswer).entries()) {
      for (let k = 0; k < row.idx.length; k++) {
        idx.push(row.idx[k] as number);
        val.push(row.val[k] as number);
      }
      rowStart.push(idx.length);
      good.push(corr[a] === true ? 1 : 0);
    }
    itemStart.push(good.length);
  });
  const w0 = opts.prior === 'zero' ? new Float64Array(D) : priorWeights(train, correct, M);
  const w = Float64Array.from(w0);
  const n = itemStart.length - 1;
  if (n === 0) return w;
  const I = Int32Array.from(idx);
  const V = Float64Array.from(val);
  const R = Int32Array.from(rowStart);
  const G = Uint8Array.from(good);
  const p = new Float64Array(G.length);
  const m1 = new Float64Array(D);
  const m2 = new Float64Array(D);
  const grad = new Float64Array(D);
  for (let t = 1; t <= opts.iterations; t++) {
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      const r0 = itemStart[i] as number;
      const r1 = itemStart[i + 1] as number;
      let max = -Infinity;
      for (let r = r0; r < r1; r++) {
        let v = 0;
        for (let k = R[r] as number; k < (R[r + 1] as number); k++) v += (V[k] as number) * (w[I[k] as number] as number);
        p[r] = v;
        if (v > max) max = v;
      }
      let z = 0;
      let zGood = 0;
      for (let r = r0; r < r1; r++) {
        const e = Math.exp((p[r] as number) - max);
        p[r] = e;
        z += e;
        if (G[r]) zGood += e;
      }
      // d/dw log sum_{good} p = E_{p | good}[x] - E_p[x]
      for (let r = r0; r < r1; r++) {
        const e = p[r] as number;
        const coef = (G[r] ? e / zGood : 0) - e / z;
        for (let k = R[r] as number; k < (R[r + 1] as number); k++) {
          const d = I[k] as number;
          grad[d] = (grad[d] as number) + coef * (V[k] as number);
        }
      }
    }
    for (let d = 0; d < D; d++) {
      const g = -(grad[d] as number) / n + opts.l2 * ((w[d] as number) - (w0[d] as number));
      m1[d] = 0.9 * (m1[d] as number) + 0.1 * g;
      m2[d] = 0.999 * (m2[d] as number) + 0.001 * g * g;
      const mh = (m1[d] as number) / (1 - 0.9 ** t);
      const vh = (m2[d] as number) / (1 - 0.999 ** t);
      w[d] = (w[d] as number) - (0.05 * mh) / (Math.sqrt(vh) + 1e-8);
    }
  }
  return w;
}

const StackingStateSchema = z.object({
  models: z.array(z.string()),
  share: z.array(z.number()),
  own: z.array(z.number()),
  soft: z.array(z.number()),
  logSize: z.number(),
});

function saveWeights(models: readonly string[], w: Float64Array): z.infer<typeof StackingStateSchema> {
  const M = models.length;
  return {
    models: [...models],
    share: Array.from(w.subarray(0, M)),
    own: Array.from(w.subarray(M, 2 * M)),
    soft: Array.from(w.subarray(2 * M, 3 * M)),
    logSize: w[3 * M] as number,
  };
}

function loadWeights(state: unknown, models: readonly string[]): Float64Array {
  const parsed = StackingStateSchema.safeParse(state);
  const M = models.length;
  if (!parsed.success) throw new QaStateError('stacking: malformed state (expected {models, share, own, soft, logSize})');
  const s = parsed.data;
  const n = s.models.length;
  if (s.share.length !== n || s.own.length !== n || s.soft.length !== n) throw new QaStateError('stacking: weight arrays must have one entry per model');
  const w = new Float64Array(3 * M + 1);
  // Models unknown to the state keep weight 0: they neither help nor hurt a candidate.
  models.forEach((m, j) => {
    const k = s.models.indexOf(m);
    if (k < 0) return;
    w[j] = s.share[k] as number;
    w[M + j] = s.own[k] as number;
    w[2 * M + j] = s.soft[k] as number;
  });
  w[3 * M] = s.logSize;
  return w;
}

function fitted(name: string, models: readonly string[], w: Float64Array, perAnswer: boolean): FittedQaStrategy {
  const M = models.length;
  return {
    name,
    pick: (item) => {
      const A = item.answers.length;
      if (A === 0) return null;
      const p = Float64Array.from(candidateRows(item, M, perAnswer), (r) => score(r, w));
      let best = 0;
      for (let a = 1; a < A; a++) if ((p[a] as number) > (p[best] as number) + 1e-12) best = a;
      softmaxInPlace(p);
      const cluster = item.clusterOf[best] as number;
      let support = 0;
      for (const a of item.clusters[cluster]?.members ?? []) support += p[a] as number;
      return { cluster, representative: best, support };
    },
    state: () => saveWeights(models, w),
  };
}

/**
 * Supervised ranking of candidate answers (stacking for QA): learns from training items which
 * coalitions of models, and whose phrasing, tend to be right, then picks the best-scored answer.
 * The strong default L2 (1 per item) keeps the weights close to their first, robust direction:
 * more expressive settings overfit the few hundred items of a typical dev set.
 */
export function createStacking(options: Partial<StackingOptions> = {}): QaStrategy {
  const opts: StackingOptions = { ...STACKING_DEFAULTS, ...options };
  return {
    name: opts.name,
    supervised: true,
    fit: (train, correct, { models }) => fitted(opts.name, models, fitRanker(train, correct, models.length, opts), opts.perAnswer),
    load: (state, models) => fitted(opts.name, models, loadWeights(state, models), opts.perAnswer),
  };
}

export const stacking: QaStrategy = createStacking();
