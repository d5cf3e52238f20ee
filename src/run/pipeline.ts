import type { Readable, Writable } from 'node:stream';
import { createClassificationNormalizer } from '../normalize/classification.js';
import type { ClassificationNormalizer } from '../normalize/types.js';
import type { ModelHandle, Orchestrator } from '../orchestrate/orchestrator.js';
import type { RequestBuilder } from '../orchestrate/request-builder.js';
import { type ClassificationItem, type ClassificationTask, ClassificationItemSchema } from '../task/schema.js';
import { type FusedLine, fuseItems } from './fuse-items.js';
import type { StreamFuser } from './strategy-choice.js';
import { type RunPipelineResult, type StreamKind, runStream } from './stream.js';

export type { RunPipelineResult } from './stream.js';

export interface RunPipelineOptions {
  task: ClassificationTask;
  models: readonly ModelHandle[];
  orchestrator: Orchestrator;
  buildRequest: RequestBuilder;
  fuser: StreamFuser;
  input: Readable;
  output: Writable;
  /** Where bad input lines are reported (`stdin:LINE: ...`). */
  errors: Writable;
  /** Name used in messages about input lines. Default `stdin`. */
  inputName?: string;
  /** Items read but not yet written, at most (bounds memory). Default max(64, 4 x concurrency, 2 x batch). */
  window?: number;
  normalizer?: ClassificationNormalizer;
  onItemDone?: () => void;
}

/** How classification items are read and fused in a stream. */
export function classificationStream(
  task: ClassificationTask,
  models: readonly string[],
  fuser: StreamFuser,
  normalizer: ClassificationNormalizer = createClassificationNormalizer(task),
): StreamKind<ClassificationItem, FusedLine> {
  return {
    schema: ClassificationItemSchema,
    batchSize: fuser.batchSize,
    fuse: (items) => fuseItems(task, models, items.map((it) => ({ id: it.item.id, answers: it.answers })), normalizer, fuser),
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
