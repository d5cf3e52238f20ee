/**
 * llm-fusion as a library: read eval folders, turn raw answers into label distributions, fuse
 * them, score the result, and call live models. The CLI (`fusion`) is a thin layer over these.
 */

// Eval folders: the interchange format (task.json, items.jsonl, responses.jsonl).
export {
  TaskSchema,
  ClassificationTaskSchema,
  QaTaskSchema,
  ClassificationItemSchema,
  QaItemSchema,
  ResponseSchema,
  type Task,
  type ClassificationTask,
  type QaTask,
  type QaAnswerType,
  type ClassificationItem,
  type QaItem,
  type Choice,
  type RecordedResponse,
  type TokenLogprob,
} from './task/schema.js';
export { loadEvalFolder, loadTaskFile, type EvalFolder, type ClassificationFolder, type QaFolder } from './task/load-folder.js';
export { InputError, type InputIssue } from './task/errors.js';

// Raw answers -> label distributions.
export { createClassificationNormalizer, type ClassificationNormalizerOptions } from './normalize/classification.js';
export { ABSTENTION_REASONS, type AbstentionReason, type NormalizedLabel, type RawAnswer, type ClassificationNormalizer } from './normalize/types.js';

// Fusion strategies.
export { type AnswerMatrix, emptyMatrix, setAnswer, selectItems, selectModels } from './fuse/answer-matrix.js';
export {
  type FusionStrategy,
  type FittedStrategy,
  type FusedPrediction,
  type FitOptions,
  type ModelContribution,
  type SavedStrategy,
  SavedStrategySchema,
  StrategyError,
} from './fuse/strategy.js';
export { STRATEGIES, getStrategy } from './fuse/registry.js';
export { toSavedStrategy, writeSavedStrategy, readSavedStrategy, loadSavedStrategy } from './fuse/saved-strategy.js';

// Evaluation.
export { evaluateClassification, type ClassificationEvalResult, type EvalOptions } from './eval/evaluate.js';
export { buildAnswerMatrix } from './eval/build-matrix.js';
export { scoreClassification, type ClassificationScore, type ClassMetrics } from './validation/metrics.js';
export { stratifiedKFold, kFold } from './validation/folds.js';
export { type CrossValidationResult, type Prediction } from './validation/cross-validation.js';
export { outOfFold, crossValidate, makeFolds } from './validation/out-of-fold.js';
export type { Estimator, Fitted } from './validation/estimator.js';
export { crossValidateStrategy } from './fuse/cross-validate.js';
export { cohensKappa, fleissKappa, oracleRate } from './eval/agreement.js';
export { renderLeaderboard } from './eval/leaderboard.js';
export { renderClassificationReport } from './kinds/classification/report.js';
export type { DecisionExplanation } from './eval/explanations.js';

// QA answer aggregation.
export { evaluateQaFolder, type EvalResult } from './eval/evaluate.js';
export { renderQaReport } from './kinds/qa/report.js';
export type { QaEvalResult, QaModelEntry, QaStrategyEntry, QaScore } from './eval/answer-score.js';
export { fitQaStrategy, loadQaStrategy, parseSavedQaStrategy, type SavedQaStrategy } from './kinds/qa/fit.js';
export {
  fuseQaQuestion,
  fuseQaBatch,
  extractQaAnswer,
  type QaFusedAnswer,
  type QaQuestionInput,
} from './qa/index.js';

// Live models and orchestration.
export * from './providers/index.js';
export { Orchestrator, type ModelHandle, type OrchestratorOptions, type ProviderLimits } from './orchestrate/orchestrator.js';
export { openStore, SqliteStore, PostgresStore, StoreError, DEFAULT_CACHE_PATH, type ResponseCache, type ResponseStore } from './orchestrate/cache.js';
export { DEFAULT_PRICES, loadPrices, type Price, type PriceTable } from './task/prices.js';
export { recordFolderResponses } from './cli/record-folder.js';
export { runBatches, type BatchCall, type BatchRetry, type BatchRunOptions, type BatchRunReport } from './orchestrate/batch/run-batches.js';
export type { BatchStore, BatchJob } from './orchestrate/batch/batch-store.js';
export { batchPriceOf, BATCH_DISCOUNT } from './task/prices.js';
export type { BatchApi, BatchInfo, BatchLimits, BatchOutcome, BatchStatus } from './providers/provider.js';
export { fuse, fuseMany, fuseQuestion, type ItemInput, type FuseOptions, type FuseQuestionOptions, type AskOptions } from './run/fuse.js';
export { createFusion, type FusionClient, type FusionClientOptions } from './run/fusion-client.js';
export { UnmatchedModelsError } from './run/fitted-models.js';
export type { FusedLine } from './kinds/classification/rows.js';
export { QaQuestionSchema, type QaQuestion, type QaFusedLine, type QaAnswerLine, type QaClusterLine } from './kinds/qa/rows.js';

// The HTML report and the statistics behind it.
export { buildReportData, renderHtmlReport, modelCosts, type ReportData, type ReportOptions, type CostCurve } from './report/index.js';
export { binaryAuc, macroOvrAuc } from './validation/roc-auc.js';
export { bootstrapResamples, percentileInterval, type Interval } from './validation/bootstrap.js';
export { mcnemarExact, comparePaired, describeComparison, type PairedComparison } from './validation/paired-test.js';
export { effectiveVoters, errorCorrelation } from './validation/error-correlation.js';
export type { EvalPredictions } from './eval/evaluate.js';
export type { QaOutcomes } from './eval/answer-score.js';
