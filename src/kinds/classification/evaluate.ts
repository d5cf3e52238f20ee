import type { ScoreMetric } from '../../fuse/strategy.js';
import type { EvalResult } from '../../eval/eval-result.js';
import { cohensKappa, fleissKappa, oracleRate, voteColumns } from '../../eval/agreement.js';
import { buildAnswerMatrix } from '../../eval/build-matrix.js';
import { estimateCallPrices } from '../../eval/call-prices.js';
import { type EvalOptions, type EvalPredictions, entry, type ModelEntry, orderedFields, parallelFoldFits, requireFoldable, scoreStrategy, selectStrategies, type StrategyEntry } from '../../eval/evaluate.js';
import { bestRanked } from '../../eval/ranking.js';
import { meanCalls } from '../../fuse/adaptive/usage.js';
import { expandSamples, modelPrediction } from '../../fuse/answer-matrix.js';
import type { FusedPrediction } from '../../fuse/strategy.js';
import { createClassificationNormalizer } from '../../normalize/classification.js';
import type { ClassificationFolder } from './folder.js';
import type { ClassificationTask } from '../../task/schema.js';
import { scoreClassification } from '../../validation/metrics.js';

/** What only a classification evaluation has, beside the core fields (`extras`). */
export interface ClassificationExtras {
  labels: string[];
  /** Share of items some model got right. */
  oracle: number;
  agreement: { fleissKappa: number; pairwise: { a: string; b: string; kappa: number }[] };
}

/** A classification evaluation: the one result type with the classification extras; `best` has the highest macro-F1 (accuracy breaks ties). */
export type ClassificationEvalResult = EvalResult<ClassificationExtras, ModelEntry, StrategyEntry, ClassificationTask['kind']>;

export interface ClassificationEvalOptions extends EvalOptions {
  /** Receives the per-item predictions behind the scores (for the HTML report: intervals, AUC, plots). */
  onPredictions?: (predictions: EvalPredictions) => void;
}

/** What classification is scored, reported and promised in; a fit that holds itself to a target (adaptive's loss bound) measures it. */
export const CLASSIFICATION_METRIC: ScoreMetric = 'macro-f1';

export function evaluateClassification(folder: ClassificationFolder, options: ClassificationEvalOptions): ClassificationEvalResult {
  const built = buildAnswerMatrix(folder, createClassificationNormalizer(folder.task));
  const { matrix } = built;
  const { gold } = folder;
  const labels = matrix.labels as string[];
  const K = labels.length;
  const selected = selectStrategies(matrix, options.strategies).run;
  requireFoldable(folder.dir, folder.items.length, options.folds, selected);
  const total = selected.length + 1;
  options.onProgress?.(0, total, 'models');

  const models: ModelEntry[] = matrix.models.map((name, j) => ({
    ...entry(name, scoreClassification(gold, modelPrediction(matrix, j), labels)),
    ...orderedFields(matrix, gold, modelPrediction(matrix, j)),
    abstentions: built.abstentions[j]?.counts ?? {},
  }));
  options.onProgress?.(1, total, 'models');

  const strategies: StrategyEntry[] = [];
  const predictions: FusedPrediction[] = [];
  const pricePerCall = estimateCallPrices(folder, matrix.models);
  const foldFits = parallelFoldFits(selected, matrix, gold, { ...options, metric: CLASSIFICATION_METRIC });
  selected.forEach((s, idx) => {
    const fits = foldFits?.get(s);
    strategies.push(scoreStrategy(s, built, gold, { ...options, pricePerCall, metric: CLASSIFICATION_METRIC, ...(fits ? { foldFits: fits } : {}) }, (p) => predictions.push(p)));
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
  const best = bestRanked(strategies)?.name ?? null;
  return {
    task: folder.task.name,
    kind: folder.kind,
    items: folder.items.length,
    folds: options.folds,
    seed: options.seed,
    models,
    strategies,
    best,
    callsPerItem: meanCalls(expandSamples(matrix).present, matrix.itemIds.length),
    allCallsPerItem: expandSamples(matrix).models.length,
    rejected: built.abstentions.flatMap((a) =>
      a.rejected.map((r) => ({ model: a.model, output: r.output, reason: r.reason, ...(r.detail ? { detail: r.detail } : {}), item: r.item })),
    ),
    extras: { labels, oracle: oracleRate(matrix, gold), agreement: { fleissKappa: fleissKappa(columns, K), pairwise } },
  };
}

