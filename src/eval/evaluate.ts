import { type AnswerMatrix, hasSharedLabels } from '../fuse/answer-matrix.js';
import { requireSharedLabels } from '../fuse/strategy.js';
import { FoldsError } from './folds-error.js';
import type { Voice } from './answer-score.js';
import { requireOrderedLabels } from '../fuse/ordered-labels.js';
import { getStrategy, STRATEGIES } from '../fuse/registry.js';
import { autoStrategy } from '../fuse/auto.js';
import { adaptiveStrategy, createAdaptive, isAdaptive } from '../fuse/adaptive/adaptive-strategy.js';
import { memoizeFits } from '../fuse/memo-fits.js';
import type { FittedStrategy, FusedPrediction, FusionStrategy, ScoreMetric } from '../fuse/strategy.js';
import type { BuiltMatrix, ModelAbstentions } from './build-matrix.js';
import { crossValidateStrategy, type FoldOptions, strategyFolds } from '../fuse/cross-validate.js';
import { evalThreads, fitFoldsInParallel } from './fold-fits.js';
import { type OutOfFoldPoint, outOfFoldCurve } from '../fuse/adaptive/out-of-fold-curve.js';
import { answersUsed, callPrices, callWasMade, foldUsage } from '../fuse/adaptive/usage.js';
import { type CoveragePoint, labelOutcomes, riskCoverage } from './risk-coverage.js';
import { expandSamples, selectItems } from '../fuse/answer-matrix.js';
import { type DecisionExplanation, explainScored } from './explanations.js';
import { type ClassMetrics, type ClassificationScore, scoreClassification } from '../validation/metrics.js';
import { orderedLabelMetrics } from '../validation/ordered-label-metrics.js';

/** The options every categorical evaluation takes; each kind's evaluation adds its own report hook (src/kinds/<kind>/evaluate.ts). */
export interface EvalOptions {
  folds: number;
  seed: number;
  /** Strategies to run, by name or configured (e.g. an adaptive policy with a target); all registered ones by default. */
  strategies?: readonly (string | FusionStrategy)[];
  /** Called after each step, for a progress indicator. */
  onProgress?: (done: number, total: number, what: string) => void;
  /** Explain this many contested decisions per strategy (default 0). */
  explain?: number;
  /** Threads the cross-validation fits run on (1 = this thread only); FUSION_THREADS or every core by default. */
  threads?: number;
}

/** The per-item predictions behind an evaluation's scores. */
export interface EvalPredictions {
  matrix: AnswerMatrix;
  gold: Int32Array;
  /** Each model's own answers as a prediction, in `matrix.models` order. */
  models: FusedPrediction[];
  /** Each strategy's scored prediction (out-of-fold when it learns), in the result's strategy order. */
  strategies: FusedPrediction[];
}

export interface ScoredEntry {
  name: string;
  accuracy: number;
  macroF1: number;
  coverage: number;
  selectiveAccuracy: number;
  brier: number;
  ece: number;
  perClass: ClassMetrics[];
  /** Ordered tasks only: mean absolute error over label ranks, of the decided items (labels listed low to high). */
  rankMae?: number;
  /** Ordered tasks only: quadratic weighted kappa over label ranks (NaN, null in JSON, when undefined). */
  qwk?: number;
}

export interface ModelEntry extends ScoredEntry {
  abstentions: ModelAbstentions['counts'];
}

export interface StrategyEntry extends ScoredEntry {
  supervised: boolean;
  /** `out-of-fold` for strategies that learn from labels, `all-items` for the others. */
  scoredOn: 'out-of-fold' | 'all-items';
  /** What each fold's fitted strategy chose, for strategies that choose (e.g. `auto`). */
  picks?: string[];
  /** Contested decisions explained model by model (`explain` option), by the model that made them. */
  explanations?: DecisionExplanation[];
  /** Mean number of recorded answers the strategy used per item (an adaptive policy: the ones it asked for). */
  callsPerItem: number;
  /** Mean USD per item of those answers at list prices; null when a model used has no price. */
  costPerItem: number | null;
  /** Accuracy on the most confident 100/90/80/50% of the items (risk-coverage), to pick `--min-confidence`. */
  riskCoverage: CoveragePoint[];
  /** Adaptive policies: calls, cost and macro-F1 out-of-fold for every setting of their stopping rule. */
  curve?: OutOfFoldPoint[];
}


/** The shared fields of a scored entry, from a classification score. */
export function entry(name: string, score: ClassificationScore): ScoredEntry {
  const { accuracy, macroF1, coverage, selectiveAccuracy, brier, ece, perClass } = score;
  return { name, accuracy, macroF1, coverage, selectiveAccuracy, brier, ece, perClass };
}

/** Rank MAE and QWK of a prediction, on an ordered task; nothing on others. */
export function orderedFields(matrix: AnswerMatrix, gold: Int32Array, prediction: FusedPrediction): Pick<ScoredEntry, 'rankMae' | 'qwk'> {
  if (matrix.ordered !== true) return {};
  const { rankMae, qwk } = orderedLabelMetrics(gold, prediction, matrix.labels.length);
  return { rankMae, qwk };
}

/** A single model's answers as a prediction (written once, in the answer matrix). */
export { modelPrediction } from '../fuse/answer-matrix.js';

function picksOf(fitted: readonly FittedStrategy[]): string[] | undefined {
  const picks = fitted.map((f) => {
    const s = f.state() as { picked?: unknown } | null;
    return s && typeof s === 'object' && typeof s.picked === 'string' ? s.picked : undefined;
  });
  return picks.every((p): p is string => p !== undefined) ? picks : undefined;
}

/**
 * One strategy's predictions on every item, the same way for every task kind: out-of-fold when it
 * learns from labels (stratified k-fold), else fitted and applied on all items without labels.
 */
export function fusedPrediction(
  strategy: FusionStrategy,
  matrix: AnswerMatrix,
  gold: Int32Array,
  options: FoldOptions & { folds: number },
  /** The strategy already fitted on each fold (by `fitFoldsInParallel`), used instead of fitting it again. */
  foldFits?: readonly FittedStrategy[],
): { prediction: FusedPrediction; fitted: FittedStrategy[]; folds: number[][] | null } {
  if (strategy.supervised) {
    const cv = crossValidateStrategy(strategy, matrix, gold, options, foldFits);
    return { prediction: cv.prediction, fitted: cv.fitted, folds: cv.folds };
  }
  // Unsupervised strategies never see gold: hand them an all-unknown vector to make that explicit.
  const fitted = strategy.fit(matrix, new Int32Array(gold.length).fill(-1), { seed: options.seed, ...(options.metric ? { metric: options.metric } : {}) });
  return { prediction: fitted.predict(matrix), fitted: [fitted], folds: null };
}

/**
 * The strategies a run asks for, by name (all by default), split into the ones that can run on
 * `matrix` and the ones refused because they need a fixed label set. Unknown names, and a refused
 * strategy asked for by name, are StrategyErrors.
 */
export function selectStrategies(matrix: AnswerMatrix, names?: readonly (string | FusionStrategy)[]): { run: FusionStrategy[]; refused: { name: string; reason: string }[] } {
  const wanted = names ? names.map((n) => (typeof n === 'string' ? getStrategy(n) : n)) : [...STRATEGIES];
  const run: FusionStrategy[] = [];
  const refused: { name: string; reason: string }[] = [];
  for (const s of wanted) {
    // Strategies that use the labels' order do not apply to unordered tasks: skipped, or refused when named.
    if (s.needsOrderedLabels === true && matrix.ordered !== true) {
      if (names) requireOrderedLabels(s.name, matrix);
      continue;
    }
    if (s.needsSharedLabels === true && !hasSharedLabels(matrix)) {
      try {
        requireSharedLabels(s.name, matrix);
      } catch (e) {
        if (names) throw e;
        refused.push({ name: s.name, reason: (e as Error).message });
        continue;
      }
    }
    run.push(s);
  }
  return { run: shareAutoFits(run), refused };
}

/**
 * With both `auto` and the default `adaptive` in the run, `adaptive`'s final stage is `auto` fitted
 * on the same training folds: one memoised `auto` serves both, so each fold's `auto` is fitted once.
 */
function shareAutoFits(run: readonly FusionStrategy[]): FusionStrategy[] {
  if (!run.includes(autoStrategy) || !run.includes(adaptiveStrategy)) return [...run];
  const auto = memoizeFits(autoStrategy);
  const adaptive = createAdaptive({ final: auto });
  return run.map((s) => (s === autoStrategy ? auto : s === adaptiveStrategy ? adaptive : s));
}

/**
 * What every kind's entry of one strategy shares, computed once: its scored prediction (out-of-fold
 * when it learns), the explained contested decisions, what each fold picked, the calls and cost per
 * item it used, and, for a policy that asks, its out-of-fold cost/quality curve under `quality`.
 */
export function runStrategy(
  strategy: FusionStrategy,
  matrix: AnswerMatrix,
  gold: Int32Array,
  options: { folds: number; seed: number; explain?: number; pricePerCall?: readonly (number | null)[]; right?: Uint8Array; metric: ScoreMetric; foldFits?: readonly FittedStrategy[] },
  /** How a prediction's quality is measured, given the strategy as scored (QA states answers in the voice of its fitted strategies). */
  qualityOf: (scored: ReturnType<typeof fusedPrediction>) => (prediction: FusedPrediction) => { score: number; accuracy: number },
): {
  scored: ReturnType<typeof fusedPrediction>;
  shared: Pick<StrategyEntry, 'supervised' | 'scoredOn' | 'callsPerItem' | 'costPerItem' | 'curve' | 'picks' | 'explanations'>;
} {
  const prices = options.pricePerCall ?? matrix.models.map(() => null);
  const N = Math.max(1, matrix.itemIds.length);
  const scored = fusedPrediction(strategy, matrix, gold, { folds: options.folds, seed: options.seed, metric: options.metric, ...(options.right ? { right: options.right } : {}) }, options.foldFits);
  const { fitted, folds } = scored;
  const quality = qualityOf(scored);
  const explanations = explainScored(matrix, gold, scored, options.explain ?? 0);
  const picks = strategy.supervised ? picksOf(fitted) : undefined;
  // Calls and cost per item: what each fold's fitted strategy asked of the recorded answers.
  const usage = folds ? folds.map((test, f) => foldUsage(fitted[f] as FittedStrategy, selectItems(matrix, test), prices)) : [foldUsage(fitted[0] as FittedStrategy, matrix, prices)];
  const cost = usage.some((u) => u.cost === null) ? null : usage.reduce((a, u) => a + (u.cost as number), 0) / N;
  // Replayed over every call (each sample of a model its own column, priced as its model).
  const curve = folds ? outOfFoldCurve(expandSamples(matrix), folds, fitted, (p) => quality(p).score, callPrices(matrix, prices).prices, (p) => quality(p).accuracy) : undefined;
  return {
    scored,
    shared: {
      supervised: strategy.supervised,
      scoredOn: strategy.supervised ? 'out-of-fold' : 'all-items',
      callsPerItem: usage.reduce((a, u) => a + u.calls, 0) / N,
      costPerItem: cost,
      ...(curve ? { curve } : {}),
      ...(picks ? { picks } : {}),
      ...(explanations.length > 0 ? { explanations } : {}),
    },
  };
}

/** Fits and scores one strategy: out-of-fold when it learns from labels, on all items otherwise. */
export function scoreStrategy(
  strategy: FusionStrategy,
  built: BuiltMatrix,
  gold: Int32Array,
  /** `metric`: what a fit holds itself to, by default what this scorer ranks by (macro-F1). */
  options: { folds: number; seed: number; explain?: number; pricePerCall?: readonly (number | null)[]; metric?: ScoreMetric; foldFits?: readonly FittedStrategy[] },
  onPrediction?: (prediction: FusedPrediction) => void,
): StrategyEntry {
  const { matrix } = built;
  const quality = (p: FusedPrediction) => {
    const q = scoreClassification(gold, p, matrix.labels);
    return { score: q.macroF1, accuracy: q.accuracy };
  };
  const { scored, shared } = runStrategy(strategy, matrix, gold, { ...options, metric: options.metric ?? 'macro-f1' }, () => quality);
  const { prediction } = scored;
  onPrediction?.(prediction);
  const { supervised, scoredOn, callsPerItem, costPerItem, ...rest } = shared;
  return {
    ...entry(strategy.name, scoreClassification(gold, prediction, matrix.labels)),
    ...orderedFields(matrix, gold, prediction),
    supervised,
    scoredOn,
    riskCoverage: riskCoverage(labelOutcomes(gold, prediction, matrix.labels.length)),
    callsPerItem,
    costPerItem,
    ...rest,
  };
}
/**
 * The supervised strategies of a run fitted on every fold on `options.threads` threads, by
 * strategy; null on one thread, or when a strategy was handed in configured (a worker re-creates
 * strategies from their names only): those runs fit on this thread as before.
 */
export function parallelFoldFits(
  run: readonly FusionStrategy[],
  matrix: AnswerMatrix,
  gold: Int32Array,
  options: Pick<EvalOptions, 'folds' | 'seed' | 'strategies' | 'threads'> & { right?: Uint8Array | undefined; metric: ScoreMetric },
): Map<FusionStrategy, FittedStrategy[]> | null {
  const names = options.strategies;
  if (names && !names.every((n): n is string => typeof n === 'string')) return null;
  const supervised = run.filter((s) => s.supervised);
  // Without a strategy that learns from labels nothing is cross-validated, and a folder may then have fewer items than folds.
  if (supervised.length === 0) return null;
  const folds = strategyFolds(gold, options);
  const job = { matrix, gold, folds, seed: options.seed, metric: options.metric, ...(options.right ? { right: options.right } : {}), names };
  const fits = fitFoldsInParallel(supervised, job, evalThreads(folds.length, options.threads));
  return fits ? new Map(supervised.map((s, k) => [s, fits.fitted[k] as FittedStrategy[]])) : null;
}

/**
 * Cross-validation needs at least one item per fold: a usage problem of the folder, said as one for
 * every kind. Only strategies that learn from labels are cross-validated, so only they need it.
 */
export function requireFoldable(dir: string, items: number, folds: number, run: readonly FusionStrategy[]): void {
  if (items < folds && run.some((s) => s.supervised)) throw new FoldsError(`${dir}/items.jsonl`, folds, items);
}

/**
 * Whose words state each item's fused QA answer, for fitted strategies scored out-of-fold (`folds`,
 * one fitted strategy per fold) or on all items: the fold's trust in the models, and for an
 * adaptive policy only the calls (model, sample) it made on that item.
 */
export function strategyVoice(fitted: readonly FittedStrategy[], folds: readonly (readonly number[])[] | null | undefined, matrix: AnswerMatrix, models: readonly string[]): Voice {
  const N = matrix.itemIds.length;
  const foldOf = new Int32Array(N);
  folds?.forEach((test, f) => test.forEach((i) => (foldOf[i] = f)));
  const fold = (i: number) => (folds ? (foldOf[i] as number) : 0);
  const trust = fitted.map((f) => trustVector(f, models));
  if (!fitted.some(isAdaptive)) return { trust: (i) => trust[fold(i)] };
  const C = expandSamples(matrix).models.length;
  const asked = new Uint8Array(N * C);
  const mark = (f: FittedStrategy, rows: readonly number[]) => {
    const used = answersUsed(f, selectItems(matrix, rows));
    rows.forEach((i, r) => asked.set(used.subarray(r * C, (r + 1) * C), i * C));
  };
  if (folds) folds.forEach((test, f) => mark(fitted[f] as FittedStrategy, test));
  else mark(fitted[0] as FittedStrategy, Array.from({ length: N }, (_, i) => i));
  return { trust: (i) => trust[fold(i)], asked: callWasMade(matrix, asked) };
}

/** A fitted strategy's trust in each of `models`, in that order (undefined when it has none). */
export function trustVector(fitted: FittedStrategy, models: readonly string[]): Float64Array | undefined {
  const t = fitted.modelTrust?.();
  return t ? Float64Array.from(models, (m) => t[m] ?? 0) : undefined;
}

