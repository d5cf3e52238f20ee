import { z } from 'zod';
import { trainIndices } from '../validation/folds.js';
import { type AnswerMatrix, candidateCount, isRight, selectItems, selectRows as selectRowsOf } from './answer-matrix.js';
import { innerCvRows, innerFolds } from './inner-cv.js';
import { fitLogistic, type LogisticModel, predictLogistic, selectRows, type SparseRows } from './logistic-regression.js';
import { alignModels } from './model-alignment.js';
import type { FittedStrategy, FusedPrediction, ModelContribution } from './strategy.js';

/**
 * Candidate-wise stacking (a conditional logit): every candidate answer of an item gets a score
 * from features that do not depend on which column it sits in, and the item's candidates compete
 * in one softmax. One weight per feature, shared by all candidates, so it works where candidates
 * differ per item (answer clusters) as well as on a fixed label set. Features of candidate k:
 * - per fitted model: its probability of k (the share of its samples on k): a learned weighted vote;
 * - the vote share of k among the answering models; whether k is the plurality answer;
 * - k's centrality (soft similarity of the other models' answers), when the answers carry it;
 * - the log of k's smoothed vote share: the logit then weighs shares multiplicatively (going from
 *   one vote to three counts more than from eight to ten), which a linear share cannot express.
 * Fitted with the project's one L-BFGS logistic solver (class-tied features, per-row class count).
 */
export const CANDIDATE_POOLED_FEATURES = ['vote-share', 'plurality', 'centrality', 'log-vote-share'] as const;

/** Inverse L2 strengths the inner CV chooses among (per training item, as scikit-learn's C). */
export const CANDIDATE_STACKING_GRID: readonly number[] = [0.01, 0.1, 1, 10];

export function featurizeCandidates(answers: AnswerMatrix, models: readonly string[]): { X: SparseRows; decided: Uint8Array } {
  const K = answers.labels.length;
  const M = answers.models.length;
  const N = answers.itemIds.length;
  const F = models.length;
  const P = CANDIDATE_POOLED_FEATURES.length;
  const col = alignModels(models, answers);
  const tiedStart = new Int32Array(N + 1);
  const tiedIndex: number[] = [];
  const tiedClass: number[] = [];
  const tiedValue: number[] = [];
  const classCount = new Int32Array(N);
  const decided = new Uint8Array(N);
  const share = new Float64Array(K);
  const push = (f: number, k: number, v: number): void => {
    if (v === 0) return;
    tiedIndex.push(f);
    tiedClass.push(k);
    tiedValue.push(v);
  };
  for (let i = 0; i < N; i++) {
    const c = candidateCount(answers, i);
    classCount[i] = c;
    share.fill(0);
    for (let f = 0; f < F; f++) {
      const j = col[f] as number;
      if (j < 0 || answers.present[i * M + j] === 0) continue;
      const base = (i * M + j) * K;
      for (let k = 0; k < c; k++) {
        const p = answers.probs[base + k] as number;
        share[k] = (share[k] as number) + p;
        push(f, k, p);
      }
    }
    // Models the fit never saw still vote in the pooled share.
    let all = 0;
    for (let j = 0; j < M; j++) {
      if (answers.present[i * M + j] === 0) continue;
      all++;
      if (models.includes(answers.models[j] as string)) continue;
      for (let k = 0; k < c; k++) share[k] = (share[k] as number) + (answers.probs[(i * M + j) * K + k] as number);
    }
    if (all > 0) decided[i] = 1;
    let top = -1;
    for (let k = 0; k < c; k++) if (top < 0 || (share[k] as number) > (share[top] as number)) top = k;
    for (let k = 0; k < c; k++) {
      push(F, k, all > 0 ? (share[k] as number) / all : 0);
      if (k === top && all > 0) push(F + 1, k, 1);
      if (answers.centrality) push(F + 2, k, answers.centrality[i * K + k] as number);
      if (all > 0) push(F + 3, k, Math.log(((share[k] as number) + 0.5) / (all + 0.5 * c)));
    }
    tiedStart[i + 1] = tiedIndex.length;
  }
  const X: SparseRows = {
    rows: N,
    dim: 0,
    start: new Int32Array(N + 1),
    index: new Int32Array(0),
    value: new Float64Array(0),
    tiedDim: F + P,
    tiedStart,
    tiedIndex: Int32Array.from(tiedIndex),
    tiedClass: Int32Array.from(tiedClass),
    tiedValue: Float64Array.from(tiedValue),
    classCount,
  };
  return { X, decided };
}

export const CandidateStackingStateSchema = z.object({
  form: z.literal('candidates'),
  models: z.array(z.string()),
  C: z.number().positive(),
  /** One weight per model, then one per pooled feature (CANDIDATE_POOLED_FEATURES order). */
  weights: z.array(z.number()),
  innerScores: z.record(z.string(), z.number()).optional(),
});
export type CandidateStackingState = z.infer<typeof CandidateStackingStateSchema>;

/**
 * Training rows for the labelled items `rows` (row r of X is item rows[r]): one per right column of each item (the gold one,
 * plus the others of `right`), weighted 1/(its right columns), so that an item whose right answer
 * fell into two clusters teaches "either is right" and still counts once.
 */
function expandRight(X: SparseRows, rows: readonly number[], gold: Int32Array, K: number, right?: Uint8Array): { X: SparseRows; y: Int32Array; w: Float64Array } {
  const xr: number[] = [];
  const ys: number[] = [];
  const ws: number[] = [];
  rows.forEach((i, r) => {
    const cols: number[] = [];
    for (let k = 0; k < K; k++) if (isRight(gold, right, K, i, k)) cols.push(k);
    for (const k of cols) {
      xr.push(r);
      ys.push(k);
      ws.push(1 / cols.length);
    }
  });
  return { X: selectRows(X, xr), y: Int32Array.from(ys), w: Float64Array.from(ws) };
}

/** Fits the conditional logit with inverse L2 strength C per item (`items` of them). */
export function fitCandidateModel(X: SparseRows, y: Int32Array, w: Float64Array, items: number, K: number, C: number): LogisticModel {
  return fitLogistic(X, y, K, { l2: 1 / (C * Math.max(1, items)), sampleWeights: w });
}

export function fitCandidateState(train: AnswerMatrix, gold: Int32Array, C: number, innerScores?: Record<string, number>, right?: Uint8Array): CandidateStackingState {
  const rows: number[] = [];
  for (let i = 0; i < gold.length; i++) if ((gold[i] as number) >= 0) rows.push(i);
  const K = train.labels.length;
  const sub = selectItems(train, rows);
  const e = expandRight(featurizeCandidates(sub, train.models).X, rows, gold, K, right);
  const model = fitCandidateModel(e.X, e.y, e.w, rows.length, K, C);
  return { form: 'candidates', models: [...train.models], C, weights: Array.from(model.tied), ...(innerScores ? { innerScores } : {}) };
}

export function candidateModel(state: CandidateStackingState, K: number): LogisticModel {
  return { K, dim: 0, coef: new Float64Array(0), intercept: new Float64Array(K), tied: Float64Array.from(state.weights) };
}

export function fittedCandidateStacking(name: string, state: CandidateStackingState): FittedStrategy {
  const predict = (answers: AnswerMatrix): FusedPrediction => {
    const K = answers.labels.length;
    const { X, decided } = featurizeCandidates(answers, state.models);
    const probs = predictLogistic(candidateModel(state, K), X);
    for (let i = 0; i < decided.length; i++) if (decided[i] === 0) probs.fill(0, i * K, (i + 1) * K);
    return { probs, decided };
  };
  return {
    name,
    predict,
    state: () => state,
    modelTrust: () => Object.fromEntries(state.models.map((m, f) => [m, state.weights[f] as number])),
    explain(answers, i): ModelContribution[] {
      const K = answers.labels.length;
      const M = answers.models.length;
      const c = candidateCount(answers, i);
      const pred = predict(selectItems(answers, [i]));
      let top = 0;
      for (let k = 1; k < c; k++) if ((pred.probs[k] as number) > (pred.probs[top] as number)) top = k;
      return answers.models.map((model, j) => {
        const present = answers.present[i * M + j] === 1;
        let answer: string | null = null;
        let onTop = 0;
        if (present) {
          let best = 0;
          for (let k = 1; k < c; k++) if ((answers.probs[(i * M + j) * K + k] as number) > (answers.probs[(i * M + j) * K + best] as number)) best = k;
          answer = answers.candidates?.[i]?.[best] ?? (answers.labels[best] as string);
          onTop = answers.probs[(i * M + j) * K + top] as number;
        }
        const f = state.models.indexOf(model);
        const w = f < 0 ? 0 : (state.weights[f] ?? 0);
        // The logit its share adds to the fused candidate, relative to an even spread over the candidates.
        const influence = present ? w * (onTop - 1 / Math.max(1, c)) : 0;
        return { model, answer, weight: Math.abs(w), influence };
      });
    },
  };
}

/**
 * Inner-CV out-of-fold distributions of every C on the labelled training rows (`innerCvRows`, split
 * by `innerFolds`): what `stacking` chooses by and `auto` mixes. Each C is fitted from scratch, as
 * the fit that is then used (`fitCandidateState`): started from the previous C's solution, the
 * solver's first step is a short gradient step whose small relative decrease meets its stopping
 * rule, so a weakly penalised fit stayed near the strongly penalised one and the inner predictions
 * judged another model than the one refitted. Null when there are too few rows to split.
 */
export function innerCandidatePredictions(
  train: AnswerMatrix,
  gold: Int32Array,
  grid: readonly number[],
  seed: number,
  right?: Uint8Array,
): { rows: number[]; y: Int32Array; probs: Float64Array[]; decided: Uint8Array } | null {
  const rows = innerCvRows(gold, seed);
  const y = Int32Array.from(rows, (i) => gold[i] as number);
  const folds = innerFolds(y, seed);
  if (!folds) return null;
  const K = train.labels.length;
  const sub = selectItems(train, rows);
  const { X, decided } = featurizeCandidates(sub, train.models);
  const innerRight = right && selectRowsOf(right, K, rows);
  const probs = grid.map(() => new Float64Array(rows.length * K));
  for (const test of folds) {
    const tr = trainIndices(rows.length, test);
    // Rows of X are the inner rows: map a fold's rows back to items for their right columns.
    const e = expandRight(selectRows(X, tr), tr, y, K, innerRight);
    const Xte = selectRows(X, test);
    grid.forEach((C, idx) => {
      const p = predictLogistic(fitCandidateModel(e.X, e.y, e.w, tr.length, K, C), Xte);
      const o = probs[idx] as Float64Array;
      test.forEach((i, r) => o.set(p.subarray(r * K, (r + 1) * K), i * K));
    });
  }
  return { rows, y, probs, decided };
}
