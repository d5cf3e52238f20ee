import type { Task, TaskItem } from '../task/schema.js';
import { askAdaptively } from './ask-adaptively.js';
import { fuseAsAsked } from './fuse-as-asked.js';
import { kindOf } from '../kinds/registry.js';
import type { FusedLineBase } from '../kinds/row-parts.js';
import type { RunKind } from '../kinds/task-kind.js';
import type { StreamFuser } from './strategy-choice.js';
import { type RunPipelineResult, type StreamKind, type StreamOptions, runStream } from './stream.js';

export type { RunPipelineResult } from './stream.js';

export interface RunPipelineOptions extends Omit<StreamOptions<TaskItem, FusedLineBase>, 'kind'> {
  task: Task;
  fuser: StreamFuser;
}

/**
 * How a run kind's items are asked and fused in a stream: every model, or under a saved adaptive
 * policy only the models it asks for, wave by wave; fused in batches of the fuser's size.
 */
export function streamKind<I extends TaskItem, L extends FusedLineBase>(task: Task, kind: RunKind<I, L>, models: readonly string[], fuser: StreamFuser): StreamKind<I, L> {
  const { policy } = fuser;
  return {
    ...(policy ? { ask: (item, c) => askAdaptively(c.orchestrator, task, item, c.models, c.buildRequest, policy, kind.read(item, models)) } : {}),
    schema: kind.schema,
    batchSize: fuser.batchSize,
    table: kind,
    fuse: (items) => fuseAsAsked(items, fuser, (some, f) => kind.fuse(some, models, f)),
    decided: (line) => kind.decided(line),
  };
}

/**
 * The streaming `fusion run` pipeline, for either task kind (chosen from `task.kind`): one fused
 * JSON line per non-blank input line ({"id", "text"} items, or {"id", "question", "choices"?}
 * questions), in input order, in bounded memory (see runStream).
 */
export async function runPipeline(options: RunPipelineOptions): Promise<RunPipelineResult> {
  const { task, models, fuser, ...rest } = options;
  const kind = streamKind(task, kindOf(task).run(task), models.map((m) => m.name), fuser);
  return runStream({ ...rest, task, models, kind });
}
