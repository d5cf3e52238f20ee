import { andList } from '../util/and-list.js';

/**
 * Model names are case-sensitive wherever they go (a provider's API, a gateway, a saved strategy's
 * weights), so `GPT-4o` and `gpt-4o` are two models to every reader here. Written by hand or by two
 * tools they are more often one model spelled twice, which a vote would count twice with part of the
 * items each, silently: these find them so that the readers can say so without changing what they read.
 */

/** A name and where it first appears (a line of a file, a position in a list). */
export interface NameAt {
  name: string;
  line: number;
}

/** The spellings of one name that differ only by case, each where it first appears, in order of appearance. */
export type CaseVariants = readonly NameAt[];

const caseKey = (name: string): string => name.toLowerCase();

/** Every group of two or more names in `names` that differ only by case (each spelling once, at its first appearance), in order of first appearance. */
export function caseVariants(names: Iterable<NameAt>): CaseVariants[] {
  const byKey = new Map<string, NameAt[]>();
  for (const at of names) {
    const group = byKey.get(caseKey(at.name));
    if (group === undefined) byKey.set(caseKey(at.name), [at]);
    else if (!group.some((g) => g.name === at.name)) group.push(at);
  }
  return [...byKey.values()].filter((g) => g.length > 1);
}

/** The recorded name that `name` matches only by case, when `name` itself is not recorded: its asked answers would go to another model. */
export function caseVariantOf(name: string, recorded: ReadonlyMap<string, number>): NameAt | undefined {
  if (recorded.has(name)) return undefined;
  for (const [other, line] of recorded) if (caseKey(other) === caseKey(name)) return { name: other, line };
  return undefined;
}

/** `"GPT-4o" (line 1) and "gpt-4o" (line 4)`: the spellings and where each first appears. */
export function spellingsWhere(group: CaseVariants, where: (line: number) => string): string {
  return andList(group.map((g) => `${JSON.stringify(g.name)} (${where(g.line)})`));
}
