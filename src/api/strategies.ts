/**
 * `llm-fusion/strategies`: what fusion is made of, per task kind. Readers (raw text to a label
 * distribution, a QA answer, a score), the answer matrices strategies read, the strategies and
 * their registries, saved strategies, and the task-kind plug-ins themselves.
 */

// The one estimator shape, and the task-kind plug-ins.
export type { Estimator, Fitted } from '../validation/estimator.js';
export { KINDS, kindOf } from '../kinds/registry.js';
export type { TaskKind, AnyTaskKind, KindEntry } from '../kinds/task-kind.js';
export type { ModelEntryCore, StrategyEntryCore, RejectedAnswer } from '../eval/eval-result.js';

// Classification (and multiple-choice QA): label distributions and the categorical strategies.
export { createClassificationNormalizer, type ClassificationNormalizerOptions } from '../normalize/classification.js';
export type { NormalizedLabel, RawAnswer, ClassificationNormalizer } from '../normalize/types.js';
export { type AnswerMatrix, emptyMatrix, setAnswer, selectItems, selectModels } from '../fuse/answer-matrix.js';
export { buildAnswerMatrix } from '../eval/build-matrix.js';
export { type FusionStrategy, type FittedStrategy, type FusedPrediction, type FitOptions, type ModelContribution, type SavedStrategy, SavedStrategySchema } from '../fuse/strategy.js';
export { STRATEGIES, getStrategy } from '../fuse/registry.js';
export { toSavedStrategy, writeSavedStrategy, parseSavedStrategy } from '../fuse/saved-strategy.js';
export { readSavedStrategy, loadSavedStrategy, type RestoredStrategy } from '../kinds/saved-file.js';
export { evaluateClassification, type ClassificationEvalOptions, type ClassificationEvalResult, type ClassificationExtras } from '../kinds/classification/evaluate.js';
export type { FusedLine, ModelAnswerLine } from '../kinds/classification/rows.js';

// QA: answers extracted, clustered, and fused over candidates.
export { evaluateQaFolder, type QaEvalOptions } from '../kinds/qa/evaluate.js';
export type { QaEvalResult, QaExtras, QaModelEntry, QaStrategyEntry, QaScore, QaOutcomes } from '../eval/answer-score.js';
export { fitQaStrategy, loadQaStrategy, parseSavedQaStrategy, type SavedQaStrategy } from '../kinds/qa/fit.js';
export { fuseQaQuestion, fuseQaBatch, extractQaAnswer, type QaFusedAnswer, type QaQuestionInput } from '../qa/index.js';
export { QaQuestionSchema, type QaQuestion, type QaFusedLine, type QaAnswerLine, type QaClusterLine } from '../kinds/qa/rows.js';

// Ratings: scores read from judges' text, fused with an interval.
export { readScore, type ScoreReading } from '../kinds/rating/read-score.js';
export type { Scale } from '../kinds/rating/scale.js';
export { buildRatingMatrix, selectRatingItems, type RatingMatrix } from '../kinds/rating/rating-matrix.js';
export type { RatingStrategy, FittedRating, RatingPrediction, RatingFitOptions, JudgeProfile } from '../kinds/rating/strategy.js';
export { RATING_STRATEGIES, getRatingStrategy, DEFAULT_RATING_STRATEGY } from '../kinds/rating/registry.js';
export type { RatingEvalResult, RatingExtras, RatingEntry, RatingModelEntry, RatingStrategyEntry } from '../kinds/rating/index.js';
export type { RatingFusedLine, RatingAnswerLine } from '../kinds/rating/rows.js';
