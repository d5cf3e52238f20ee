/**
 * llm-fusion as a library: ask several models the same question and fuse their answers, for every
 * task kind (classification, QA, rating). The root holds what most users need: `evaluate`, `fit`,
 * `fuse` and `fuseMany` dispatch on the task's kind. The rest is under documented subpaths:
 * `llm-fusion/task` (folder format and schemas), `llm-fusion/strategies` (readers, strategies,
 * kind plug-ins), `llm-fusion/evaluation` (metrics, folds, reports), `llm-fusion/providers`
 * (models, orchestrator, stores, batch APIs).
 */

// Eval folders and tasks.
export { loadEvalFolder, loadTaskFile, type EvalFolder } from './kinds/load-folder.js';
export { TaskSchema, type Task, type ClassificationTask, type QaTask, type RatingTask, type RecordedResponse } from './task/schema.js';

// Evaluate, fit, fuse: one call each for every task kind.
export { evaluate, type EvalResult, type EvaluateOptions } from './run/evaluate.js';
export { fit, type FitOptions, type FitResult } from './run/fit.js';
export { fuse, fuseMany, fuseQuestion, type AnyFusedLine, type ItemInput, type FuseOptions } from './run/fuse.js';
export { createFusion, type FusionClient, type FusionClientOptions } from './run/fusion-client.js';
export { writeSavedStrategy } from './fuse/saved-strategy.js';
export { readSavedStrategy, type RestoredStrategy } from './kinds/saved-file.js';
export type { SavedStrategy } from './fuse/strategy.js';
export type { FusedLine } from './kinds/classification/rows.js';
export type { QaFusedLine } from './kinds/qa/rows.js';
export type { RatingFusedLine } from './kinds/rating/rows.js';

// What users must handle.
export { InputError, UnsupportedKindError, type InputIssue } from './task/errors.js';
export type { FolderWarnings } from './task/eval-folder.js';
export { StrategyError } from './fuse/strategy.js';
export { UnmatchedModelsError } from './run/fitted-models.js';
export { StoreError } from './orchestrate/cache.js';
export { ProviderError } from './providers/provider.js';
export type { AbstentionReason } from './normalize/types.js';
