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
export { crossValidatePredict, type CrossValidationResult, type Prediction } from './validation/cross-validation.js';
export { crossValidateStrategy } from './fuse/cross-validate.js';
export { cohensKappa, fleissKappa, oracleRate } from './eval/agreement.js';
export { renderLeaderboard } from './eval/leaderboard.js';
export { renderClassificationReport } from './eval/report.js';
export type { DecisionExplanation } from './eval/explanations.js';

// QA answer aggregation.
export { evaluateQaFolder, type EvalResult } from './eval/evaluate.js';
export { renderQaReport } from './eval/answer-report.js';
export type { QaEvalResult, QaModelEntry, QaStrategyEntry, QaScore } from './eval/answer-score.js';
export {
  fitQaStrategy,
  loadQaStrategy,
  parseSavedQaStrategy,
  fuseQaQuestion,
  fuseQaBatch,
  extractQaAnswer,
  type QaFusedAnswer,
  type QaQuestionInput,
  type SavedQaStrategy,
} from './qa/index.js';

// Live models and orchestration.
export * from './providers/index.js';
export { closeModelThreads } from './providers/threads/threaded-model.js';
export { Orchestrator, type ModelHandle, type OrchestratorOptions, type ProviderLimits } from './orchestrate/orchestrator.js';
export { ResponseCache, DEFAULT_CACHE_PATH } from './orchestrate/cache.js';
export { DEFAULT_PRICES, loadPrices, type Price, type PriceTable } from './orchestrate/prices.js';
export { recordFolderResponses } from './orchestrate/record-folder.js';
export { fuse, fuseQuestion, type FuseOptions, type FuseQuestionOptions, type AskOptions } from './run/fuse.js';
export type { FusedLine } from './run/fuse-items.js';
export type { QaFusedLine, QaAnswerLine, QaClusterLine } from './run/fuse-qa-items.js';
export { QaQuestionSchema, type QaQuestion } from './run/qa-question.js';
