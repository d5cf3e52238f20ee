/**
 * `llm-fusion/task`: the eval folder format (task.json, items, responses) as zod schemas and
 * types, folder loading, prices, and the errors bad input raises.
 */
export {
  TaskSchema,
  ClassificationTaskSchema,
  QaTaskSchema,
  RatingTaskSchema,
  ScaleSchema,
  LabelSchema,
  ClassificationItemSchema,
  QaItemSchema,
  RatingItemSchema,
  ChoiceSchema,
  ResponseSchema,
  TokenLogprobSchema,
  isClassificationTask,
  isQaTask,
  isRatingTask,
  type Task,
  type Label,
  type ClassificationTask,
  type QaTask,
  type QaAnswerType,
  type RatingTask,
  type TaskItem,
  type ClassificationItem,
  type QaItem,
  type RatingItem,
  type Choice,
  type RecordedResponse,
  type TokenLogprob,
} from '../task/schema.js';
export { loadEvalFolder, loadEvalFiles, loadTaskFile, type EvalFolder, type ClassificationFolder, type QaFolder, type RatingFolder, type RecordedPrompts, type EvalFolderBase } from '../kinds/load-folder.js';
export type { AskedPrompt } from '../task/response-checks.js';
export { InputError, UnsupportedKindError, type InputIssue } from '../task/errors.js';
export { DEFAULT_PRICES, loadPrices, batchPriceOf, BATCH_DISCOUNT, type Price, type PriceTable } from '../task/prices.js';
export { ABSTENTION_REASONS, type AbstentionReason } from '../normalize/types.js';
