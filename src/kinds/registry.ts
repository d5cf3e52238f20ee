import { StrategyError } from '../fuse/strategy.js';
import type { Task } from '../task/schema.js';
import { classificationPlugin } from './classification/index.js';
import { qaPlugin } from './qa/index.js';
import { ratingPlugin } from './rating/index.js';
import type { AnyTaskKind } from './task-kind.js';

/** Every task kind this build fuses, one plug-in each (src/kinds/<kind>/index.ts): a new kind is one line here. */
export const KINDS: readonly AnyTaskKind[] = [classificationPlugin as unknown as AnyTaskKind, qaPlugin as unknown as AnyTaskKind, ratingPlugin as unknown as AnyTaskKind];

/** The plug-in of a task's kind. */
export function kindOf(task: Pick<Task, 'kind'>): AnyTaskKind {
  const kind = KINDS.find((k) => k.kind === task.kind);
  if (!kind) throw new StrategyError(`no plug-in for task kind "${String(task.kind)}" (known: ${KINDS.map((k) => k.kind).join(', ')})`);
  return kind;
}
