import { FALLBACK_PREFIX } from '../fuse/auto.js';

/** One component of what `auto` chose, with its mean weight over the folds. */
export interface MixtureComponent {
  name: string;
  weight: number;
}

export interface MixtureSummary {
  folds: number;
  /** Components by mean weight over the folds (0 in folds that dropped them), heaviest first. */
  components: MixtureComponent[];
  /** The same weights summed per strategy family (settings in parentheses dropped), heaviest first. */
  families: MixtureComponent[];
  /** Folds in which `auto` fell back from its mixture to its best candidate (picks marked `fallback:`). */
  fallbacks: number;
  /** One short line over the families, e.g. `stacking-text 0.46, stacking 0.21, dawid-skene 0.12 (+3 more), mean over 5 folds`, and the fallbacks when there were any. */
  text: string;
}

/**
 * Summarises what a choosing strategy picked in each fold. A pick is either a mixture
 * (`name*0.40+other*0.60`, as `auto` reports it) or a single name (weight 1 in that fold).
 */
export function summarizePicks(picks: readonly string[], top = 3): MixtureSummary {
  const sums = new Map<string, number>();
  let fallbacks = 0;
  for (const marked of picks) {
    const fellBack = marked.startsWith(FALLBACK_PREFIX);
    if (fellBack) fallbacks++;
    const pick = fellBack ? marked.slice(FALLBACK_PREFIX.length) : marked;
    for (const part of pick.split('+')) {
      const star = part.lastIndexOf('*');
      const weight = star > 0 ? Number(part.slice(star + 1)) : 1;
      const name = star > 0 ? part.slice(0, star) : part;
      sums.set(name, (sums.get(name) ?? 0) + (Number.isFinite(weight) ? weight : 0));
    }
  }
  const folds = picks.length;
  const components = [...sums]
    .map(([name, sum]) => ({ name, weight: folds === 0 ? 0 : sum / folds }))
    .sort((a, b) => b.weight - a.weight || a.name.localeCompare(b.name));
  const familySums = new Map<string, number>();
  for (const c of components) {
    const family = c.name.replace(/\(.*\)$/, '');
    familySums.set(family, (familySums.get(family) ?? 0) + c.weight);
  }
  const families = [...familySums].map(([name, weight]) => ({ name, weight })).sort((a, b) => b.weight - a.weight || a.name.localeCompare(b.name));
  const shown = families.slice(0, top).map((c) => `${c.name} ${c.weight.toFixed(2)}`);
  const more = families.length > top ? ` (+${families.length - top} more)` : '';
  const fell = fallbacks > 0 ? `; fell back to its best candidate in ${fallbacks} of ${folds} fold${folds === 1 ? '' : 's'} (the mixture lost on the training folds)` : '';
  const text = families.length === 0 ? '' : `${shown.join(', ')}${more}, mean over ${folds} fold${folds === 1 ? '' : 's'}${fell}`;
  return { folds, components, families, fallbacks, text };
}
