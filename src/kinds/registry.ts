import type { ClassificationNormalizer } from '../normalize/types.js';
import type { Task } from '../task/schema.js';
import { classificationKind } from './classification/rows.js';
import { qaKind } from './qa/rows.js';
import type { AnyRunKind } from './task-kind.js';

/** The run kind of a task: classification or QA, chosen from `task.kind`. */
export function kindFor(task: Task, normalize?: ClassificationNormalizer): AnyRunKind {
  return (task.kind === 'classification' ? classificationKind(task, normalize) : qaKind(task)) as AnyRunKind;
}
