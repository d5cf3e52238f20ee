import type { QaItem } from './schema.js';

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
