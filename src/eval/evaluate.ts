import type { AnswerMatrix } from '../fuse/answer-matrix.js';
import { STRATEGIES } from '../fuse/registry.js';
import type { FittedStrategy, FusedPrediction, FusionStrategy } from '../fuse/strategy.js';
import { createClassificationNormalizer } from '../normalize/classification.js';
import type { ClassificationFolder } from '../task/load-folder.js';
import { cohensKappa, fleissKappa, oracleRate, voteColumns } from './agreement.js';
import { type BuiltMatrix, buildAnswerMatrix, type ModelAbstentions } from './build-matrix.js';
import { crossValidatePredict } from './cross-validation.js';
import { type DecisionExplanation, explainDecisions, itemsToExplain } from './explanations.js';
import { type ClassMetrics, type ClassificationScore, scoreClassification } from './metrics.js';

export interface EvalOptions {
  folds: number;
  seed: number;
  /** Strategy names to run; all registered ones by default. */
  strategies?: readonly string[];
  /** Called after each step, for a progress indicator. */
  onProgress?: (done: number, total: number, what: string) => void;
  /** Explain this many contested decisions per strategy (default 0). */
  explain?: number;
  /** Receives the per-item predictions behind the scores (for the HTML report: intervals, AUC, plots). */
  onPredictions?: (predictions: EvalPredictions) => void;
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
}

export interface ClassificationEvalResult {
  task: string;
  kind: 'classification';
  items: number;
  labels: string[];
  folds: number;
  seed: number;
  models: ModelEntry[];
  strategies: StrategyEntry[];
  /** Name of the strategy with the highest macro-F1 (accuracy breaks ties). */
  best: string | null;
  /** Share of items some model got right. */
  oracle: number;
  agreement: { fleissKappa: number; pairwise: { a: string; b: string; kappa: number }[] };
  /** Raw outputs the normalizer could not read, per model (for the report). */
  rejected: { model: string; output: string; reason: string; detail?: string; item: string }[];
}

function entry(name: string, score: ClassificationScore): ScoredEntry {
  const { accuracy, macroF1, coverage, selectiveAccuracy, brier, ece, perClass } = score;
  return { name, accuracy, macroF1, coverage, selectiveAccuracy, brier, ece, perClass };
}

/** A single model's answers as a prediction: its own distribution where it answered. */
export function modelPrediction(answers: AnswerMatrix, j: number): FusedPrediction {
  const K = answers.labels.length;
  const M = answers.models.length;
  const N = answers.itemIds.length;
  const probs = new Float64Array(N * K);
  const decided = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    if (answers.present[i * M + j] === 0) continue;
    decided[i] = 1;
    probs.set(answers.probs.subarray((i * M + j) * K, (i * M + j + 1) * K), i * K);
  }
  return { probs, decided };
}

function picksOf(fitted: readonly FittedStrategy[]): string[] | undefined {
  const picks = fitted.map((f) => {
    const s = f.state() as { picked?: unknown } | null;
    return s && typeof s === 'object' && typeof s.picked === 'string' ? s.picked : undefined;
  });
  return picks.every((p): p is string => p !== undefined) ? picks : undefined;
}

/** Fits and scores one strategy: out-of-fold when it learns from labels, on all items otherwise. */
export function scoreStrategy(
  strategy: FusionStrategy,
  built: BuiltMatrix,
  gold: Int32Array,
  options: { folds: number; seed: number; explain?: number },
  onPrediction?: (prediction: FusedPrediction) => void,
): StrategyEntry {
  const { matrix } = built;
  const contested = options.explain ? itemsToExplain(matrix, options.explain) : [];
  if (strategy.supervised) {
    const cv = crossValidatePredict(strategy, matrix, gold, options);
    onPrediction?.(cv.prediction);
    const picks = picksOf(cv.fitted);
    const foldOf = new Int32Array(gold.length);
    cv.folds.forEach((test, f) => test.forEach((i) => (foldOf[i] = f)));
    const explanations = explainDecisions(matrix, gold, cv.prediction, contested, (i) => cv.fitted[foldOf[i] as number] as FittedStrategy);
    return {
      ...entry(strategy.name, scoreClassification(gold, cv.prediction, matrix.labels)),
      supervised: true,
      scoredOn: 'out-of-fold',
      ...(picks ? { picks } : {}),
      ...(explanations.length > 0 ? { explanations } : {}),
    };
  }
  // Unsupervised strategies never see gold: hand them an all-unknown vector to make that explicit.
  const fitted = strategy.fit(matrix, new Int32Array(gold.length).fill(-1), { seed: options.seed });
  const prediction = fitted.predict(matrix);
  onPrediction?.(prediction);
  const explanations = explainDecisions(matrix, gold, prediction, contested, () => fitted);
  return {
    ...entry(strategy.name, scoreClassification(gold, prediction, matrix.labels)),
    supervised: false,
    scoredOn: 'all-items',
    ...(explanations.length > 0 ? { explanations } : {}),
  };
}

export function evaluateClassification(folder: ClassificationFolder, options: EvalOptions): ClassificationEvalResult {
  const built = buildAnswerMatrix(folder, createClassificationNormalizer(folder.task));
  const { matrix } = built;
  const { gold } = folder;
  const labels = matrix.labels as string[];
  const K = labels.length;
  const selected = options.strategies ? STRATEGIES.filter((s) => options.strategies?.includes(s.name)) : STRATEGIES;
  const total = selected.length + 1;
  options.onProgress?.(0, total, 'models');

  const models: ModelEntry[] = matrix.models.map((name, j) => ({
    ...entry(name, scoreClassification(gold, modelPrediction(matrix, j), labels)),
    abstentions: built.abstentions[j]?.counts ?? {},
  }));
  options.onProgress?.(1, total, 'models');

  const strategies: StrategyEntry[] = [];
  const predictions: FusedPrediction[] = [];
  selected.forEach((s, idx) => {
    strategies.push(scoreStrategy(s, built, gold, options, (p) => predictions.push(p)));
    options.onProgress?.(idx + 2, total, s.name);
  });

  const columns = voteColumns(matrix);
  const pairwise: { a: string; b: string; kappa: number }[] = [];
  for (let a = 0; a < columns.length; a++) {
    for (let b = a + 1; b < columns.length; b++) {
      pairwise.push({ a: matrix.models[a] as string, b: matrix.models[b] as string, kappa: cohensKappa(columns[a] as Int32Array, columns[b] as Int32Array, K) });
    }
  }
  options.onPredictions?.({ matrix, gold, models: matrix.models.map((_, j) => modelPrediction(matrix, j)), strategies: predictions });
  const best = [...strategies].sort((x, y) => y.macroF1 - x.macroF1 || y.accuracy - x.accuracy)[0]?.name ?? null;
  return {
    task: folder.task.name,
    kind: 'classification',
    items: folder.items.length,
    labels,
    folds: options.folds,
    seed: options.seed,
    models,
    strategies,
    best,
    oracle: oracleRate(matrix, gold),
    agreement: { fleissKappa: fleissKappa(columns, K), pairwise },
    rejected: built.abstentions.flatMap((a) =>
      a.rejected.map((r) => ({ model: a.model, output: r.output, reason: r.reason, ...(r.detail ? { detail: r.detail } : {}), item: r.item })),
    ),
  };
}
