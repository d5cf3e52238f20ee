import type { FoldsError } from '../eval/folds-error.js';
import { InputError } from '../task/errors.js';

/**
 * The evaluation's refusal of too many folds when it comes after this run recorded answers: what
 * was paid for is kept, and the way to use it without asking again.
 */
export function afterRecording(error: FoldsError): InputError {
  const rerun = error.groups >= 2 ? `--folds ${error.groups}` : '--strategies naming only strategies that need no labels';
  const [issue] = error.issues;
  return new InputError([{ file: error.file, message: `${issue?.message ?? ''}; the answers recorded are kept in responses.jsonl and the cache: the same command with ${rerun} evaluates them without asking any model again` }]);
}
