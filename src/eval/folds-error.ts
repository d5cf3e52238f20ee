import { InputError } from '../task/errors.js';

/**
 * More folds than a folder has items: stratified cross-validation needs an item in every fold.
 * Typed, so that a caller that has just recorded answers can add what to do about them.
 */
export class FoldsError extends InputError {
  override readonly name = 'FoldsError';
  constructor(
    readonly file: string,
    readonly folds: number,
    readonly items: number,
  ) {
    super([{ file, message: foldsMessage(folds, items) }]);
  }
}

/** The problem and the ways out, in the flags of `fusion eval`. */
export function foldsMessage(folds: number, items: number): string {
  const fewer = items >= 2 ? `give --folds ${items} or fewer` : 'cross-validation needs at least 2 items';
  return `cannot make ${folds} folds from ${items} items (${fewer}, or --strategies naming only strategies that need no labels)`;
}
