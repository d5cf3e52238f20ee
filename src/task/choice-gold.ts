import type { Choice, QaItem } from './schema.js';

/**
 * Why a multiple-choice item's gold cannot be scored: none of its answers (the gold, then aliases)
 * names a choice's label, case aside, as answers are scored by the label of their choice; so every
 * model would count wrong on it, silently. Names the label whose text the gold is, when it is one's.
 */
export function choiceGoldIssue(item: Pick<QaItem, 'answers' | 'choices'>): string | undefined {
  const answers = item.answers ?? [];
  const choices = item.choices ?? [];
  const labels = new Set(choices.map((c) => c.label.trim().toUpperCase()));
  if (answers.length === 0 || answers.some((a) => labels.has(a.trim().toUpperCase()))) return undefined;
  const gold = (answers[0] as string).trim();
  const byText = choices.find((c) => c.text.trim().toLowerCase() === gold.toLowerCase());
  const hint = byText ? `: "${byText.label}", whose text it is?` : '';
  return `gold ${JSON.stringify(gold)} names no choice (${choices.map((c) => c.label).join(', ')}): a multiple-choice gold is its choice's label${hint}`;
}

/** A choice label as an answer names it: case and surrounding spaces aside. */
const labelKey = (label: string): string => label.trim().toUpperCase();

/**
 * The first two choices of an item whose labels read as one (labelKey), or undefined: an answer
 * naming that label could mean either, and a gold naming it would score both the same.
 */
export function sameLabelChoices(choices: readonly Choice[]): [Choice, Choice] | undefined {
  const seen = new Map<string, Choice>();
  for (const c of choices) {
    const first = seen.get(labelKey(c.label));
    if (first !== undefined) return [first, c];
    seen.set(labelKey(c.label), c);
  }
  return undefined;
}

/** Why an item's choices cannot be told apart by their labels, naming them, or undefined. */
export function sameLabelIssue(choices: readonly Choice[]): string | undefined {
  const pair = sameLabelChoices(choices);
  if (pair === undefined) return undefined;
  const [a, b] = pair;
  const what = a.label === b.label ? `${JSON.stringify(a.label)} labels two choices` : `${JSON.stringify(a.label)} and ${JSON.stringify(b.label)} read as one label (case and spaces aside)`;
  return `choice labels must be distinct: ${what}`;
}
