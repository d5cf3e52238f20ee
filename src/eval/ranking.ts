/** What ranks an entry of a leaderboard (a model or a strategy). */
export interface Ranked {
  name: string;
  accuracy: number;
  macroF1?: number | null;
  callsPerItem?: number | null;
  costPerItem?: number | null;
}

/**
 * The one order of a leaderboard, used for the sort, the `*` and the recommendation alike: the
 * score (macro-F1, accuracy where there is none, as for QA), then accuracy, then fewer calls per
 * item, then lower cost (equal quality for less is the better buy), then the name, so equal entries
 * are never ordered by where they happened to be computed.
 */
export function compareRanked(a: Ranked, b: Ranked): number {
  const score = (r: Ranked): number => r.macroF1 ?? r.accuracy;
  const calls = (r: Ranked): number => r.callsPerItem ?? Number.POSITIVE_INFINITY;
  const cost = (r: Ranked): number => r.costPerItem ?? Number.POSITIVE_INFINITY;
  return score(b) - score(a) || b.accuracy - a.accuracy || calls(a) - calls(b) || cost(a) - cost(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** The first entry in that order. */
export function bestRanked<T extends Ranked>(entries: readonly T[]): T | undefined {
  return [...entries].sort(compareRanked)[0];
}
