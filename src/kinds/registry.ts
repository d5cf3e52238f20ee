import { StrategyError } from '../fuse/strategy.js';
import type { Task } from '../task/schema.js';
import { classificationPlugin } from './classification/index.js';
import { qaPlugin } from './qa/index.js';
import { ratingPlugin } from './rating/index.js';
import type { AnyTaskKind } from './task-kind.js';

/** Every task kind this build fuses, one plug-in each (src/kinds/<kind>/index.ts): a new kind is one entry here. */
export const PLUGINS = [classificationPlugin, qaPlugin, ratingPlugin] as const;

/** The plug-ins as the generic paths take them (each plug-in's methods read as any kind's). */
export const KINDS: readonly AnyTaskKind[] = PLUGINS as unknown as readonly AnyTaskKind[];

/** The plug-in of a task's kind. */
export function kindOf(task: Pick<Task, 'kind'>): AnyTaskKind {
  const kind = KINDS.find((k) => k.kind === task.kind);
  if (!kind) throw new StrategyError(`no plug-in for task kind "${String(task.kind)}" (known: ${KINDS.map((k) => k.kind).join(', ')})`);
  return kind;
}
