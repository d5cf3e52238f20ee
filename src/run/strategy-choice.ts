import { existsSync } from 'node:fs';
import type { AnswerMatrix } from '../fuse/answer-matrix.js';
import { withMinConfidence } from '../fuse/min-confidence.js';
import { kindOf } from '../kinds/registry.js';
import type { Task } from '../task/schema.js';

export type { StreamDecision, StreamFuser, StreamPrediction } from '../fuse/stream-fuser.js';
import type { StreamDecision, StreamFuser } from '../fuse/stream-fuser.js';

export const DEFAULT_BATCH_SIZE = 256;

/** The same fuser never asking more than `maxCalls` models per item: an adaptive policy stops there (any other strategy is capped by asking only the first `maxCalls` models). */
export function capCalls(fuser: StreamFuser, maxCalls: number): StreamFuser {
  return fuser.policy && fuser.capped ? fuser.capped(maxCalls) : fuser;
}

/** The same fuser abstaining ("no-consensus") where the fused winner's probability is below `minConfidence`. */
function withConfidenceFloor(fuser: StreamFuser, minConfidence: number): StreamFuser {
  const decide = (answers: AnswerMatrix): StreamDecision => {
    const d = fuser.decide(answers);
    return { ...d, prediction: withMinConfidence(d.prediction, answers.labels.length, minConfidence) };
  };
  const floored: StreamFuser = { ...fuser, decide, fuse: (answers) => decide(answers).prediction };
  // Capped (an item the run cut short is fused by its policy capped at the calls made), it keeps the floor.
  const { capped } = fuser;
  return capped ? { ...floored, capped: (maxCalls) => withConfidenceFloor(capped.call(fuser, maxCalls), minConfidence) } : floored;
}

/** A task, or as much of one as its kind's choice reads (a QA task's kind and answer type). */
type RunTask = Task | (Pick<Task, 'kind'> & Partial<Task>);

/** Reads a `fusion fit --out` file and checks it against the task (the task kind's plug-in does both). */
export function loadSavedFuser(file: string, task: RunTask): StreamFuser {
  return kindOf(task).loadSaved(file, task as Task);
}

/** A saved categorical strategy (already validated, e.g. from `fusion fit`) as a stream fuser. */
export { savedFuser } from '../kinds/categorical-fusers.js';

/** The default strategy of `fusion run`: the task kind's one default rule. */
export function defaultStrategyName(task: RunTask): string {
  return kindOf(task).defaultStrategy(task as Task);
}

/**
 * `--strategy` as given, for either task kind: a saved strategy file (a path, or any value ending in
 * .json), or the name of a built-in unsupervised strategy. Supervised strategies learn from labels
 * and must be fitted first (`fusion fit`), then passed as a file; strategies that need a fixed label
 * set are refused on free-form and numeric QA.
 */
export function chooseStrategy(
  arg: string | undefined,
  task: RunTask,
  batchSize = DEFAULT_BATCH_SIZE,
  limits: { minConfidence?: number; maxCalls?: number } = {},
): StreamFuser {
  const chosen = chooseFuser(arg, task, batchSize);
  const capped = limits.maxCalls === undefined ? chosen : capCalls(chosen, limits.maxCalls);
  return limits.minConfidence === undefined ? capped : withConfidenceFloor(capped, limits.minConfidence);
}

function chooseFuser(arg: string | undefined, task: RunTask, batchSize: number): StreamFuser {
  const value = arg ?? defaultStrategyName(task);
  if (value.endsWith('.json') || existsSync(value)) return loadSavedFuser(value, task);
  return kindOf(task).namedFuser(value, task as Task, batchSize);
}
