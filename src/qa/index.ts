/** Public QA API: evaluation, fitting, fusing one question, and the pieces they are built from. */
export { evaluateQaFolder, prepareQa, crossValidatePicks, type QaEvalOptions, type QaEvalResult, type QaModelEntry, type QaStrategyEntry } from './evaluate-qa.js';
export { renderQaReport } from './report.js';
export { fitQaStrategy, loadQaStrategy, parseSavedQaStrategy, SavedQaStrategySchema, type SavedQaStrategy } from './fit-qa.js';
export { fuseQaQuestion, fuseQaBatch, type QaFusedAnswer, type QaQuestionInput, type QaModelAnswer } from './fuse-question.js';
export { QA_STRATEGIES, QA_BASE_STRATEGIES, qaStrategy } from './fusion/registry.js';
export { buildItemAnswers, type BuiltItem, type RawQaOutput } from './build-items.js';
export { QaStateError, QaUsageError, type QaStrategy, type FittedQaStrategy, type QaItemAnswers, type QaPick } from './types.js';
export { extractQaAnswer, type QaReading, type QaContext } from '../normalize/qa/extract.js';
