/** Public QA API: evaluation, fitting, fusing one question, and the pieces they are built from. */
export { prepareQa, type PreparedQa } from './prepare.js';
export { buildCandidateMatrix, candidateGold, type CandidateMatrix } from './candidate-matrix.js';
export { fuseQaQuestion, fuseQaBatch, type QaFusedAnswer, type QaQuestionInput, type QaModelAnswer } from './fuse-question.js';
export { buildItemAnswers, type BuiltItem, type RawQaOutput } from './build-items.js';
export type { QaItemAnswers } from './types.js';
export { extractQaAnswer, type QaReading, type QaContext } from '../normalize/qa/extract.js';
