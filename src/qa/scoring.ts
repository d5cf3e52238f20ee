import { matchesGold } from '../normalize/qa/equivalence.js';
import { numbersEqual, parseNumberAnswer } from '../normalize/qa/numbers.js';
import { answerTokens, containsAllTokens, contentTokens, tokenF1 } from '../normalize/qa/squad-normalize.js';
import type { QaAnswer } from './types.js';

/** Gold aliases up to this many content tokens may be found inside a sentence-long answer. */
export const GOLD_IN_SENTENCE_MAX_TOKENS = 6;

/** Exact match after normalization against any alias (choice label, number value, SQuAD text). */
export function exactMatch(answer: QaAnswer, gold: readonly string[]): boolean {
  return gold.some((g) => matchesGold(answer, g));
}

/** Best SQuAD token F1 against the aliases (1 for a numeric or choice exact match). */
export function bestTokenF1(answer: QaAnswer, gold: readonly string[]): number {
  if (exactMatch(answer, gold)) return 1;
  if (answer.choice !== undefined) return 0;
  const toks = answerTokens(answer.text);
  let best = 0;
  for (const g of gold) best = Math.max(best, tokenF1(answerTokens(g), toks));
  return best;
}

/**
 * Is the answer right by the gold aliases? Exact match; for free-form sentence answers also when the
 * sentence contains every content token of a short alias (the usual lenient "contains" rule of
 * open-domain QA; numbers by value).
 */
export function goldCorrect(answer: QaAnswer, gold: readonly string[]): boolean {
  if (exactMatch(answer, gold)) return true;
  if (answer.choice !== undefined || answer.number) return false;
  const hay = answerTokens(answer.text);
  for (const g of gold) {
    const n = parseNumberAnswer(g);
    const needle = contentTokens(g);
    if (needle.length === 0 || needle.length > GOLD_IN_SENTENCE_MAX_TOKENS) continue;
    if (n && needle.every((t) => /^\d/.test(t))) {
      if ((answer.text.match(/\d[\d,]*(?:\.\d+)?/g) ?? []).some((d) => numbersEqual({ value: Number(d.replace(/,/g, '')) }, n))) return true;
    } else if (containsAllTokens(hay, needle)) return true;
  }
  return false;
}
