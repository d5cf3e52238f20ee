import { z } from 'zod';
import { trainIndices } from '../validation/folds.js';
import { type AnswerMatrix, hasSharedLabels, selectItems, selectRows as selectColumnRows } from './answer-matrix.js';
import {
  CANDIDATE_POOLED_FEATURES,
  CANDIDATE_STACKING_GRID,
  CandidateStackingStateSchema,
  fitCandidateState,
  fittedCandidateStacking,
  innerCandidatePredictions,
} from './candidate-stacking.js';
import { innerCvRows, innerFolds, innerScore } from './inner-cv.js';
import { fitLogistic, type LogisticModel, predictLogistic, selectRows, type SparseRows } from './logistic-regression.js';
import { alignModels, checkLabels } from './model-alignment.js';
import { requireLabelledRows, StrategyError, type FittedStrategy, type FusedPrediction, type FusionStrategy, type ModelContribution, type ScoreMetric } from './strategy.js';
import { parseState, requireLength } from './strategy-state.js';
import { BoundedMemo, contentKey } from './memo-fits.js';

/**
 * Feature layout of the meta-model. Per fitted model: one-hot of its hard answer (K), an
 * abstention indicator (1) and, for models that gave graded distributions in training, those
 * probabilities (K). Then, shared by all models, the vote shares of the labels (K): a pooled
 * signal whose K x K weights are cheap to learn when items are few and models many. Optionally
 * each model also gets one class-tied weight on the label it names, so the meta-model starts from
 * a learned weighted vote and the per-label weights only correct it.
 */
export interface FeatureLayout {
  models: readonly string[];
  soft: readonly boolean[];
  K: number;
  /** Whether the pooled vote-share features are included. */
  shares: boolean;
  /** Whether each model also gets one class-tied weight on the label it names (a learned weighted vote inside the meta-model). */
  tiedVotes?: boolean;
}

export function offsets(layout: FeatureLayout): { offset: Int32Array; dim: number } {
  const offset = new Int32Array(layout.models.length + 1);
  layout.soft.forEach((s, f) => {
    offset[f + 1] = (offset[f] as number) + layout.K + 1 + (s ? layout.K : 0);
  });
  return { offset, dim: (offset[layout.models.length] as number) + (layout.shares ? layout.K : 0) };
}

/**
 * A model is soft when its training distributions say more than its top label: two answers with
 * the same top label but different distributions. One-hot answers, and one-hot answers passed
 * through a temperature (a fixed distribution per top label), add nothing beyond the one-hot
 * features, so they do not get soft features (which would double the meta-model's size).
 */
export function layoutFor(train: AnswerMatrix, shares: boolean, tiedVotes = false): FeatureLayout {
  const K = train.labels.length;
  const M = train.models.length;
  const soft = new Array<boolean>(M).fill(false);
  // First distribution seen per (model, top label): offset into probs, or -1.
  const seen = new Int32Array(M * K).fill(-1);
  for (let c = 0; c < train.present.length; c++) {
    if (train.present[c] === 0) continue;
    const j = c % M;
    if (soft[j]) continue;
    let top = 0;
    for (let k = 1; k < K; k++) if ((train.probs[c * K + k] as number) > (train.probs[c * K + top] as number)) top = k;
    const first = seen[j * K + top] as number;
    if (first < 0) {
      seen[j * K + top] = c * K;
      continue;
    }
    for (let k = 0; k < K; k++) {
      if (Math.abs((train.probs[c * K + k] as number) - (train.probs[first + k] as number)) > 1e-9) {
        soft[j] = true;
        break;
      }
    }
  }
  return { models: [...train.models], soft, K, shares, tiedVotes };
}

/** Sparse feature rows of `answers` under `layout`; models absent from `answers` count as abstaining. */
export function featurize(answers: AnswerMatrix, layout: FeatureLayout): { X: SparseRows; decided: Uint8Array } {
  const { K } = layout;
  const M = answers.models.length;
  const N = answers.itemIds.length;
  const F = layout.models.length;
  const col = alignModels(layout.models, answers);
  const { offset, dim } = offsets(layout);
  const shareBase = offset[F] as number;
  let perRow = K;
  for (let f = 0; f < F; f++) perRow += 1 + (layout.soft[f] ? K : 0);
  const start = new Int32Array(N + 1);
  const index = new Int32Array(N * perRow);
  const value = new Float64Array(N * perRow);
  const decided = new Uint8Array(N);
  const shares = new Float64Array(K);
  let p = 0;
  const tied = layout.tiedVotes === true;
  const tiedStart = new Int32Array(tied ? N + 1 : 0);
  const tiedIndex = new Int32Array(tied ? N * F : 0);
  const tiedClass = new Int32Array(tied ? N * F : 0);
  let q = 0;
  const votes = new Int32Array(F);
  for (let i = 0; i < N; i++) {
    shares.fill(0);
    let voters = 0;
    for (let f = 0; f < F; f++) {
      const j = col[f] as number;
      votes[f] = -1;
      if (j < 0 || answers.present[i * M + j] === 0) continue;
      const base = (i * M + j) * K;
      let top = 0;
      for (let k = 1; k < K; k++) if ((answers.probs[base + k] as number) > (answers.probs[base + top] as number)) top = k;
      votes[f] = top;
      shares[top] = (shares[top] as number) + 1;
      voters++;
    }
    for (let f = 0; f < F; f++) {
      const j = col[f] as number;
      const o = offset[f] as number;
      const top = votes[f] as number;
      if (top < 0) {
        index[p] = o + K;
        value[p++] = 1;
        continue;
      }
      if (tied) {
        tiedIndex[q] = f;
        tiedClass[q++] = top;
      }
      index[p] = o + top;
      value[p++] = 1;
      if (layout.soft[f]) {
        const base = (i * M + j) * K;
        for (let k = 0; k < K; k++) {
          const v = answers.probs[base + k] as number;
          if (v === 0) continue;
          index[p] = o + K + 1 + k;
          value[p++] = v;
        }
      }
    }
    if (voters > 0) decided[i] = 1;
    if (voters > 0 && layout.shares) {
      for (let k = 0; k < K; k++) {
        const v = (shares[k] as number) / voters;
        if (v === 0) continue;
        index[p] = shareBase + k;
        value[p++] = v;
      }
    }
    start[i + 1] = p;
    if (tied) tiedStart[i + 1] = q;
  }
  const X: SparseRows = { rows: N, dim, start, index: index.slice(0, p), value: value.slice(0, p) };
  if (tied) {
    Object.assign(X, { tiedDim: F, tiedStart, tiedIndex: tiedIndex.slice(0, q), tiedClass: tiedClass.slice(0, q), tiedValue: new Float64Array(q).fill(1) });
  }
  return { X, decided };
}

export type ClassWeighting = 'none' | 'balanced';

/**
 * One meta-model setting. `C` is the inverse L2 strength per training item (as scikit-learn's
 * C), so the same value means the same trade-off whatever the training size.
 */
export interface StackingConfig {
  C: number;
  classWeighting: ClassWeighting;
}

/** The grid inner CV searches: regularization a decade either side of C = 1, with and without class balancing (macro-F1 rewards rare classes). */
export const STACKING_GRID: readonly StackingConfig[] = [0.1, 1, 10].flatMap((C) =>
  (['none', 'balanced'] as const).map((classWeighting) => ({ C, classWeighting })),
);

export function configName(c: StackingConfig): string {
  return `C=${c.C},${c.classWeighting}`;
}

function sampleWeights(y: Int32Array, K: number, weighting: ClassWeighting): Float64Array | undefined {
  if (weighting === 'none') return undefined;
  const count = new Float64Array(K);
  for (let r = 0; r < y.length; r++) count[y[r] as number] = (count[y[r] as number] as number) + 1;
  let present = 0;
  for (let k = 0; k < K; k++) if ((count[k] as number) > 0) present++;
  return Float64Array.from(y, (c) => y.length / (present * (count[c] as number)));
}

/**
 * Fits the meta-model with one setting (optionally warm-started). Remembered by the content of its
 * inputs: `stacking`, `stacking-text` and `auto`'s components refit the same setting on the same
 * training fold of one evaluation.
 */
export function fitConfig(X: SparseRows, y: Int32Array, K: number, c: StackingConfig, init?: LogisticModel): LogisticModel {
  const key = contentKey(['fitConfig', ...sparseParts(X), y, K, c, init?.coef, init?.intercept, init?.tied]);
  const known = FIT_MEMO.get(key) ?? fitConfigOnce(X, y, K, c, init);
  FIT_MEMO.set(key, known);
  // A copy: a caller may write into what it is given.
  return { K: known.K, dim: known.dim, coef: Float64Array.from(known.coef), intercept: Float64Array.from(known.intercept), tied: Float64Array.from(known.tied) };
}

/** What a sparse design is made of, for a content key. */
const sparseParts = (X: SparseRows): unknown[] => [X.rows, X.dim, X.start, X.index, X.value, X.tiedDim ?? 0, X.tiedStart, X.tiedIndex, X.tiedClass, X.tiedValue, X.classCount];

/** 64 MB at most. */
const FIT_MEMO = new BoundedMemo<LogisticModel>(64 * 2 ** 20, (m) => m.coef.byteLength + m.intercept.byteLength + m.tied.byteLength);

function fitConfigOnce(X: SparseRows, y: Int32Array, K: number, c: StackingConfig, init?: LogisticModel): LogisticModel {
  const w = sampleWeights(y, K, c.classWeighting);
  return fitLogistic(X, y, K, { l2: 1 / (c.C * Math.max(1, y.length)), ...(w ? { sampleWeights: w } : {}), ...(init ? { init } : {}) });
}

/**
 * Out-of-fold predictions of every config on the rows `rows` of X (gold `y` per row of X), over
 * the given folds of those rows. Each config is fitted from scratch, as the fit that is then used
 * (`fitStackingState`): started from the previous C's solution, the solver's first step is a short
 * gradient step whose small relative decrease meets its stopping rule, so a weakly penalised fit
 * stayed near the strongly penalised one and the inner scores judged another model than the one
 * refitted.
 */
export function crossValidateConfigs(X: SparseRows, y: Int32Array, K: number, folds: readonly number[][], configs: readonly StackingConfig[]): Float64Array[] {
  const key = contentKey(['crossValidateConfigs', ...sparseParts(X), y, K, folds, configs]);
  const known = CV_MEMO.get(key) ?? crossValidateConfigsOnce(X, y, K, folds, configs);
  CV_MEMO.set(key, known);
  // Copies: a caller may write into what it is given.
  return known.map((p) => Float64Array.from(p));
}

/**
 * The grid's inner cross-validation is asked for with the same inputs by `auto`, `stacking` and
 * `stacking-text` on the same training fold of one evaluation: it runs once. 64 MB at most.
 */
const CV_MEMO = new BoundedMemo<Float64Array[]>(64 * 2 ** 20, (ps) => ps.reduce((a, p) => a + p.byteLength, 0));

function crossValidateConfigsOnce(X: SparseRows, y: Int32Array, K: number, folds: readonly number[][], configs: readonly StackingConfig[]): Float64Array[] {
  const n = X.rows;
  const out = configs.map(() => new Float64Array(n * K));
  for (const test of folds) {
    const train = trainIndices(n, test);
    const Xtr = selectRows(X, train);
    const ytr = Int32Array.from(train, (i) => y[i] as number);
    const Xte = selectRows(X, test);
    configs.forEach((c, idx) => {
      const p = predictLogistic(fitConfig(Xtr, ytr, K, c), Xte);
      const o = out[idx] as Float64Array;
      test.forEach((i, r) => o.set(p.subarray(r * K, (r + 1) * K), i * K));
    });
  }
  return out;
}

const StateSchema = z.object({
  models: z.array(z.string()),
  soft: z.array(z.boolean()),
  shares: z.boolean(),
  tiedVotes: z.boolean(),
  config: z.object({ C: z.number().positive(), classWeighting: z.enum(['none', 'balanced']) }),
  /** Inner-CV score of each config tried (see `innerScore`), when the config was chosen by inner CV. */
  innerScores: z.record(z.string(), z.number()).optional(),
  coef: z.array(z.number()),
  intercept: z.array(z.number()),
  tied: z.array(z.number()),
});
type StackingState = z.infer<typeof StateSchema>;

function fitted(name: string, state: StackingState, labels: readonly string[]): FittedStrategy {
  const K = labels.length;
  const layout: FeatureLayout = { models: state.models, soft: state.soft, K, shares: state.shares, tiedVotes: state.tiedVotes };
  const model: LogisticModel = { K, dim: offsets(layout).dim, coef: Float64Array.from(state.coef), intercept: Float64Array.from(state.intercept), tied: Float64Array.from(state.tied) };
  const predict = (answers: AnswerMatrix): FusedPrediction => {
    checkLabels(name, labels, answers);
    const { X, decided } = featurize(answers, layout);
    const probs = predictLogistic(model, X);
    // No known model answered: nothing to stack, so the item is an abstention, not a prior guess.
    for (let i = 0; i < decided.length; i++) if (decided[i] === 0) probs.fill(0, i * K, (i + 1) * K);
    return { probs, decided };
  };
  return {
    name,
    predict,
    state: () => state,
    ...(state.tiedVotes ? { modelTrust: () => Object.fromEntries(state.models.map((m, f) => [m, state.tied[f] ?? 0])) } : {}),
    explain(answers, i): ModelContribution[] {
      const pred = predict(selectItems(answers, [i]));
      let top = 0;
      for (let k = 1; k < K; k++) if ((pred.probs[k] as number) > (pred.probs[top] as number)) top = k;
      const { offset } = offsets(layout);
      const col = alignModels(state.models, answers);
      const M = answers.models.length;
      return answers.models.map((m, j) => {
        const f = state.models.indexOf(m);
        const present = answers.present[i * M + j] === 1;
        let answer: string | null = null;
        if (present) {
          let best = 0;
          for (let k = 1; k < K; k++) if ((answers.probs[(i * M + j) * K + k] as number) > (answers.probs[(i * M + j) * K + best] as number)) best = k;
          answer = labels[best] as string;
        }
        if (f < 0 || (col[f] as number) < 0) return { model: m, answer, weight: 0, influence: 0 };
        // Its features' push toward the fused label relative to the mean label: the logit it adds.
        const o = offset[f] as number;
        const featureOf = present ? o + labels.indexOf(answer as string) : o + K;
        let mean = 0;
        for (let k = 0; k < K; k++) mean += (model.coef[featureOf * K + k] as number) / K;
        let influence = (model.coef[featureOf * K + top] as number) - mean;
        // Its class-tied vote weight lifts the label it named by that weight, the others not at all.
        if (present && state.tiedVotes) influence += (model.tied[f] ?? 0) * ((answer === labels[top] ? 1 : 0) - 1 / K);
        return { model: m, answer, weight: Math.abs(influence), influence };
      });
    },
  };
}

export interface StackingOptions {
  /** Candidate settings; several are chosen among by inner CV, one is used as is. */
  configs?: readonly StackingConfig[];
  /** Strategy name, e.g. for a fixed config inside `auto`. */
  name?: string;
  /** Include the pooled vote-share features (default true). */
  shares?: boolean;
  /** One class-tied vote weight per model (default true). */
  tiedVotes?: boolean;
  /** Always the candidate-wise conditional logit, even on a fixed label set (e.g. multiple-choice QA inside `auto`). */
  candidateWise?: boolean;
}

export interface FeatureSet {
  shares: boolean;
  tiedVotes: boolean;
}

/** Fits the meta-model on all labelled rows with `config`. */
export function fitStackingState(train: AnswerMatrix, gold: Int32Array, config: StackingConfig, features: FeatureSet, innerScores?: Record<string, number>): StackingState {
  const K = train.labels.length;
  const layout = layoutFor(train, features.shares, features.tiedVotes);
  const rows: number[] = [];
  for (let i = 0; i < gold.length; i++) if ((gold[i] as number) >= 0) rows.push(i);
  const X = selectRows(featurize(train, layout).X, rows);
  const y = Int32Array.from(rows, (i) => gold[i] as number);
  const model = fitConfig(X, y, K, config);
  return {
    models: [...layout.models],
    soft: [...layout.soft],
    shares: features.shares,
    tiedVotes: features.tiedVotes,
    config,
    ...(innerScores ? { innerScores } : {}),
    coef: Array.from(model.coef),
    intercept: Array.from(model.intercept),
    tied: Array.from(model.tied),
  };
}

/**
 * Inner-CV out-of-fold distributions of every config on the labelled training rows
 * (`innerCvRows(gold, seed)`, in that order, split by `innerFolds`): what `auto` mixes and scores.
 * Null when there are too few rows to split.
 */
export function innerConfigPredictions(
  train: AnswerMatrix,
  gold: Int32Array,
  configs: readonly StackingConfig[],
  features: FeatureSet,
  seed: number,
): { rows: number[]; y: Int32Array; probs: Float64Array[]; decided: Uint8Array } | null {
  const rows = innerCvRows(gold, seed);
  const y = Int32Array.from(rows, (i) => gold[i] as number);
  const folds = innerFolds(y, seed);
  if (!folds) return null;
  const layout = layoutFor(train, features.shares, features.tiedVotes);
  const { X: all, decided: allDecided } = featurize(train, layout);
  const X = selectRows(all, rows);
  const decided = Uint8Array.from(rows, (i) => allDecided[i] as number);
  return { rows, y, probs: crossValidateConfigs(X, y, train.labels.length, folds, configs), decided };
}

/** Inner-CV score of each config on the training data only, in the kind's figure (see `innerScore`). */
export function scoreConfigs(train: AnswerMatrix, gold: Int32Array, configs: readonly StackingConfig[], features: FeatureSet, seed: number, metric?: ScoreMetric): number[] | null {
  const inner = innerConfigPredictions(train, gold, configs, features, seed);
  if (!inner) return null;
  return inner.probs.map((probs) => innerScore(inner.y, { probs, decided: inner.decided }, train, undefined, metric));
}

export function createStacking(options: StackingOptions = {}): FusionStrategy {
  const configs = options.configs ?? STACKING_GRID;
  const name = options.name ?? 'stacking';
  const features: FeatureSet = { shares: options.shares ?? true, tiedVotes: options.tiedVotes ?? true };
  if (configs.length === 0) throw new StrategyError(`${name}: no configuration to fit`);
  return {
    name,
    supervised: true,
    fit(train, gold, { seed, right, metric }) {
      requireLabelledRows(name, gold);
      if (!hasSharedLabels(train) || options.candidateWise === true) return fitOverCandidates(name, train, gold, configs, seed, right);
      const scores = configs.length > 1 ? scoreConfigs(train, gold, configs, features, seed, metric) : undefined;
      const { config, innerScores } = pickConfig(configs, scores);
      return fitted(name, fitStackingState(train, gold, config, features, innerScores), train.labels);
    },
    load(state, labels) {
      if (state !== null && typeof state === 'object' && (state as { form?: unknown }).form === 'candidates') {
        const c = parseState(name, CandidateStackingStateSchema, state);
        // Saved before the log vote share joined the pooled features: its weight 0 predicts as before.
        const weights = c.weights.length === c.models.length + CANDIDATE_POOLED_FEATURES.length - 1 ? [...c.weights, 0] : c.weights;
        requireLength(name, 'weights', weights.length, c.models.length + CANDIDATE_POOLED_FEATURES.length);
        return fittedCandidateStacking(name, { ...c, weights });
      }
      const s = parseState(name, StateSchema, state);
      requireLength(name, 'soft', s.soft.length, s.models.length);
      const K = labels.length;
      const dim = offsets({ models: s.models, soft: s.soft, K, shares: s.shares, tiedVotes: s.tiedVotes }).dim;
      requireLength(name, 'coef', s.coef.length, dim * K);
      requireLength(name, 'intercept', s.intercept.length, K);
      requireLength(name, 'tied', s.tied.length, s.tiedVotes ? s.models.length : 0);
      return fitted(name, s, labels);
    },
  };
}

export const stackingStrategy = createStacking();

/**
 * Stacking where candidates differ per item: the candidate-wise conditional logit, its C chosen by
 * inner CV on the training items (a single given config fixes it, as inside `auto`).
 */
function fitOverCandidates(name: string, train: AnswerMatrix, gold: Int32Array, configs: readonly StackingConfig[], seed: number, right?: Uint8Array): FittedStrategy {
  const grid = configs.length === 1 ? [(configs[0] as StackingConfig).C] : CANDIDATE_STACKING_GRID;
  let C = grid[0] as number;
  let innerScores: Record<string, number> | undefined;
  if (grid.length > 1) {
    const inner = innerCandidatePredictions(train, gold, grid, seed, right);
    if (inner) {
      const innerRight = right && selectColumnRows(right, train.labels.length, inner.rows);
      innerScores = {};
      let best = -Infinity;
      inner.probs.forEach((probs, idx) => {
        const score = innerScore(inner.y, { probs, decided: inner.decided }, train, innerRight);
        (innerScores as Record<string, number>)[`C=${grid[idx]}`] = score;
        if (score > best) {
          best = score;
          C = grid[idx] as number;
        }
      });
    }
  }
  return fittedCandidateStacking(name, fitCandidateState(train, gold, C, innerScores, right));
}

/** The setting with the best inner-CV score (the first on ties), and every setting's score by name; the first setting when unscored. */
export function pickConfig(
  configs: readonly StackingConfig[],
  scores: readonly number[] | null | undefined,
): { config: StackingConfig; innerScores?: Record<string, number> } {
  if (!scores) return { config: configs[0] as StackingConfig };
  const innerScores: Record<string, number> = {};
  let best = 0;
  scores.forEach((s, idx) => {
    innerScores[configName(configs[idx] as StackingConfig)] = s;
    if (s > (scores[best] as number)) best = idx;
  });
  return { config: configs[best] as StackingConfig, innerScores };
}
