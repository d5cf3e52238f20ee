import type { ClassificationNormalizer } from '../../normalize/types.js';
import type { Task } from '../../task/schema.js';
import { classificationKind } from './classification.js';
import { qaKind } from './qa.js';
import type { AnyRunKind } from './run-kind.js';

/** The run kind of a task: classification or QA, chosen from `task.kind`. */
export function kindFor(task: Task, normalize?: ClassificationNormalizer): AnyRunKind {
  return (task.kind === 'classification' ? classificationKind(task, normalize) : qaKind(task)) as AnyRunKind;
}
