import { FoldsError } from '../eval/folds-error.js';
import type { AnyTaskKind } from '../kinds/task-kind.js';
import { InputError } from '../task/errors.js';
import type { Task } from '../task/schema.js';

/**
 * Why `fusion eval` cannot score the strategies `names` on a folder of `items` items in `folds`
 * folds, with the flags that would let it (null when it can): asked before any model is, since the
 * evaluation would otherwise refuse the folder only after every answer was paid for. Each way out
 * is offered only when the kind says it would suffice.
 */
export function foldsShortfall(kind: AnyTaskKind, task: Task, items: number, folds: number, names: readonly string[]): string | null {
  const need = kind.itemsToScore(task, folds, names);
  if (items >= need) return null;
  const ways: string[] = [];
  if (items >= 2 && kind.itemsToScore(task, items, names) <= items) ways.push(`give --folds ${items} or fewer`);
  const labelFree = kind.unsupervisedNames(task);
  const chosen = names.filter((n) => labelFree.includes(n));
  const free = chosen.length > 0 ? chosen : labelFree;
  if (free.length > 0 && kind.itemsToScore(task, folds, free) <= items) ways.push(`--strategies ${free.join(',')} (only strategies that need no labels)`);
  if (ways.length === 0) ways.push(`it needs at least ${need} items`);
  return `cannot make ${folds} folds from ${items} item${items === 1 ? '' : 's'} (${ways.join(', or ')})`;
}

/**
 * The evaluation's refusal of too many folds when it comes after this run recorded answers: what
 * was paid for is kept, and the way to use it without asking again.
 */
export function afterRecording(error: FoldsError): InputError {
  const rerun = error.items >= 2 ? `--folds ${error.items}` : '--strategies naming only strategies that need no labels';
  const [issue] = error.issues;
  return new InputError([{ file: error.file, message: `${issue?.message ?? ''}; the answers recorded are kept in responses.jsonl and the cache: the same command with ${rerun} evaluates them without asking any model again` }]);
}
