import { InputError } from '../task/errors.js';

/**
 * Too few items for the folds: cross-validation needs an item in every fold, and grouped folds (a
 * rating folder's items that share a text) a group in every fold. Typed, so that a caller that has
 * just recorded answers can add what to do about them. `ways` are the ways out in the flags of
 * `fusion eval`; without them, the ones that apply to any kind.
 */
export class FoldsError extends InputError {
  override readonly name = 'FoldsError';
  constructor(
    readonly file: string,
    readonly folds: number,
    readonly items: number,
    /** The units folds split: groups of items sharing a text, or the items themselves. */
    readonly groups: number = items,
    ways: readonly string[] = anyKindWays(groups),
  ) {
    super([{ file, message: foldsMessage(folds, items, groups, ways) }]);
  }
}

/** The one wording of the condition, whoever finds it (the check before any call, or the evaluation). */
function foldsMessage(folds: number, items: number, groups: number, ways: readonly string[]): string {
  const from = groups === items ? plural(items, 'item') : `${plural(items, 'item')} sharing ${plural(groups, 'text')}`;
  const why = groups === items ? '' : 'items with one text stay in one fold: ';
  return `cannot make ${folds} folds from ${from} (${why}${ways.join(', or ')})`;
}

/** The way out when no flag helps: how many items (or different texts) it takes. */
export function foldsNeed(need: number, items: number, groups: number): string {
  return `it needs at least ${need} ${groups === items ? 'items' : 'different texts'}`;
}

function anyKindWays(groups: number): string[] {
  return [...(groups >= 2 ? [`give --folds ${groups} or fewer`] : []), '--strategies naming only strategies that need no labels'];
}

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
