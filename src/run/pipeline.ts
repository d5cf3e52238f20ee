import { createClassificationNormalizer } from '../normalize/classification.js';
import type { ClassificationNormalizer } from '../normalize/types.js';
import { type ClassificationItem, type ClassificationTask, ClassificationItemSchema } from '../task/schema.js';
import { askAdaptively, readClassificationItem } from './ask-adaptively.js';
import { type FusedLine, fuseItems } from './fuse-items.js';
import type { StreamFuser } from './strategy-choice.js';
import { type RunPipelineResult, type StreamKind, type StreamOptions, runStream } from './stream.js';

export type { RunPipelineResult } from './stream.js';

export interface RunPipelineOptions extends Omit<StreamOptions<ClassificationItem, FusedLine>, 'task' | 'kind'> {
  task: ClassificationTask;
  fuser: StreamFuser;
  normalizer?: ClassificationNormalizer;
}

/** How classification items are read and fused in a stream. */
export function classificationStream(
  task: ClassificationTask,
  models: readonly string[],
  fuser: StreamFuser,
  normalizer: ClassificationNormalizer = createClassificationNormalizer(task),
): StreamKind<ClassificationItem, FusedLine> {
  const { policy } = fuser;
  return {
    ...(policy ? { ask: (item, c) => askAdaptively(c.orchestrator, task, item, c.models, c.buildRequest, policy, readClassificationItem(task, item, models, normalizer)) } : {}),
    schema: ClassificationItemSchema,
    batchSize: fuser.batchSize,
    fuse: (items) => fuseItems(task, models, items.map((it) => ({ id: it.item.id, text: it.item.text, answers: it.answers })), normalizer, fuser),
    decided: (line) => line.label !== null,
  };
}

/**
 * The streaming `fusion run` pipeline for classification: one fused JSON line per non-blank input
 * line ({"id", "text"} items), in input order, in bounded memory (see runStream).
 */
export async function runPipeline(options: RunPipelineOptions): Promise<RunPipelineResult> {
  const { task, models, fuser, normalizer, ...rest } = options;
  const kind = classificationStream(task, models.map((m) => m.name), fuser, normalizer);
  return runStream({ ...rest, task, models, kind });
}
