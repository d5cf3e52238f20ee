import { FoldsError, foldsNeed } from '../eval/folds-error.js';
import type { EvalFolderBase } from '../task/eval-folder.js';
import type { Task } from '../task/schema.js';
import type { TaskKind } from './task-kind.js';

/** What a kind says about its folds. */
type FoldRules<T extends Task, F extends EvalFolderBase<T>> = Pick<TaskKind<T, F>, 'foldGroups' | 'itemsToScore' | 'unsupervisedNames'>;

/**
 * Why `kind` cannot score the strategies `names` on `items` in `folds` folds, with the flags that
 * would let it (null when it can): `fusion eval --models` asks it before any model is, since the
 * evaluation would otherwise refuse the folder only after every answer was paid for, and a kind's
 * evaluation asks it before it splits. Counted in the units the folds split (the kind's foldGroups),
 * and each way out is offered only when the kind says it would suffice.
 */
export function foldsShortfall<T extends Task, F extends EvalFolderBase<T>>(kind: FoldRules<T, F>, task: T, file: string, items: F['items'], folds: number, names: readonly string[]): FoldsError | null {
  const groups = kind.foldGroups(items);
  const need = kind.itemsToScore(task, folds, names);
  if (groups >= need) return null;
  const ways: string[] = [];
  if (groups >= 2 && kind.itemsToScore(task, groups, names) <= groups) ways.push(`give --folds ${groups} or fewer`);
  const labelFree = kind.unsupervisedNames(task);
  const chosen = names.filter((n) => labelFree.includes(n));
  const free = chosen.length > 0 ? chosen : labelFree;
  if (free.length > 0 && kind.itemsToScore(task, folds, free) <= groups) ways.push(`--strategies ${free.join(',')} (only strategies that need no labels)`);
  if (ways.length === 0) ways.push(foldsNeed(need, items.length, groups));
  return new FoldsError(file, folds, items.length, groups, ways);
}
