import type { QaTask } from '../task/schema.js';
import { askAdaptively, readQaQuestion } from './ask-adaptively.js';
import { type QaFusedLine, fuseQaItems } from './fuse-qa-items.js';
import { type QaQuestion, qaQuestionSchema } from './qa-question.js';
import type { StreamFuser } from './strategy-choice.js';
import { type RunPipelineResult, type StreamKind, type StreamOptions, runStream } from './stream.js';

export interface RunQaPipelineOptions extends Omit<StreamOptions<QaQuestion, QaFusedLine>, 'task' | 'kind'> {
  task: QaTask;
  fuser: StreamFuser;
}

/** How QA questions are read and fused in a stream. */
export function qaStream(task: QaTask, fuser: StreamFuser): StreamKind<QaQuestion, QaFusedLine> {
  const { policy } = fuser;
  return {
    ...(policy ? { ask: (item, c) => askAdaptively(c.orchestrator, task, item, c.models, c.buildRequest, policy, readQaQuestion(task, item, c.models.map((m) => m.name))) } : {}),
    schema: qaQuestionSchema(task),
    batchSize: fuser.batchSize,
    fuse: (items) => fuseQaItems(task, items, fuser),
    decided: (line) => line.answer !== null,
  };
}

/**
 * `fusion run` on a QA task: one fused JSON line per non-blank input line ({"id", "question",
 * "choices"?} questions), in input order, in bounded memory (see runStream).
 */
export async function runQaPipeline(options: RunQaPipelineOptions): Promise<RunPipelineResult> {
  const { task, fuser, ...rest } = options;
  return runStream({ ...rest, task, kind: qaStream(task, fuser) });
}
