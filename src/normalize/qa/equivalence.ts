import { type QaReading, symbolicKey } from './extract.js';
import { addsNegation, negatesShortAnswer, sameNegations } from './negation.js';
import { numbersEqual, parseNumberAnswer } from './numbers.js';
import { answerTokens, containsAllTokens, contentTokens, isContentToken, keyTokens, normalizeAnswer, tokenF1 } from './squad-normalize.js';

type Answer = Extract<QaReading, { kind: 'answer' }>;

/**
 * Two short free-form answers are the same answer when their SQuAD tokens overlap with token F1 at
 * least this much: `Wilhelm Röntgen` ~ `Wilhelm Conrad Röntgen` (0.8), `John Kennedy` ~ `John F. Kennedy`
 * (0.8), but not `George Washington` ~ `George Bush` (0.5).
 */
export const SHORT_FUZZY_MIN_F1 = 0.6;
/**
 * Two sentence-long answers are the same answer when their content tokens (no stopwords, none of the
 * question's own words) overlap with token F1 at least this much.
 */
export const LONG_FUZZY_MIN_F1 = 0.5;

/**
 * Whether two short answers may be one answer written two ways: one adds words to the other
 * (`John Kennedy` ~ `John F. Kennedy`), never swaps one for another. Answers that each name
 * something the other lacks are different answers however many words they share: `May 1, 2021` is
 * not `April 1, 2021`, `Apollo 11` is not `Apollo 13`.
 */
export function shortVariants(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  // An added negator makes the opposite answer (`non-toxic`, `not guilty`), not a longer spelling.
  return ([...sa].every((t) => sb.has(t)) || [...sb].every((t) => sa.has(t))) && !addsNegation(a, b);
}

/** Equivalence of two extracted answers: same key, numeric equality, or (free-form) fuzzy token overlap. */
export function answersEquivalent(a: Answer, b: Answer, questionTokens?: ReadonlySet<string>): boolean {
  if (a.key === b.key) return true;
  if (a.choice !== undefined || b.choice !== undefined) return false;
  if (a.number && b.number) return numbersEqual(a.number, b.number);
  const ta = normalizeAnswer(a.text).split(' ');
  const tb = normalizeAnswer(b.text).split(' ');
  const short = 6;
  if (ta.length <= short && tb.length <= short) return sameShortAnswer(ta, tb, questionTokens);
  if (ta.length <= short) return sentenceStates(answerTokens(b.text), keyTokens(a.text), answerTokens(a.text));
  if (tb.length <= short) return sentenceStates(answerTokens(a.text), keyTokens(b.text), answerTokens(b.text));
  return sameSentenceAnswer(contentTokens(a.text, questionTokens), contentTokens(b.text, questionTokens), ta, tb);
}

/**
 * The three rules by which two free-form answers are one answer, shared by answersEquivalent and
 * the clustering of a question's answers (qa/cluster.ts), which passes tokens it computed once.
 */

/**
 * Two short answers (their tokens) are one answer written two ways: one adds to the other a few
 * words (`John F. Kennedy`), or only words that say nothing of the answer, stopwords and the
 * question's own words (`The city is Paris.` for `Paris` asked "Which city ..."), however many.
 */
export function sameShortAnswer(a: readonly string[], b: readonly string[], questionTokens?: ReadonlySet<string>): boolean {
  if (!shortVariants(a, b)) return false;
  return tokenF1(a, b) >= SHORT_FUZZY_MIN_F1 || addsOnlyEmptyWords(a, b, questionTokens);
}

/** `a` and `b` (one within the other) differ only by stopwords and question words, and the shorter names something the question does not. */
function addsOnlyEmptyWords(a: readonly string[], b: readonly string[], questionTokens?: ReadonlySet<string>): boolean {
  const [inner, outer] = a.length <= b.length ? [a, b] : [b, a];
  if (!inner.some((t) => isContentToken(t, questionTokens))) return false;
  const kept = new Set(inner);
  return outer.every((t) => kept.has(t) || !isContentToken(t, questionTokens));
}

/** A sentence (its tokens) states a short answer: it holds every key token of it (`keys`) and does not negate it (`shortTokens`). */
export function sentenceStates(sentence: readonly string[], keys: readonly string[], shortTokens: readonly string[]): boolean {
  return containsAllTokens(sentence, keys) && !negatesShortAnswer(sentence, shortTokens);
}

/** Two sentences state one answer: their content tokens overlap enough and they negate the same words (`tokens`: all their tokens). */
export function sameSentenceAnswer(contentA: readonly string[], contentB: readonly string[], tokensA: readonly string[], tokensB: readonly string[]): boolean {
  return tokenF1(contentA, contentB) >= LONG_FUZZY_MIN_F1 && sameNegations(tokensA, tokensB);
}

/** Does a free-text gold alias match this answer: same normalized text, same number, or (for short answers) fuzzy. */
export function matchesGold(answer: Answer, gold: string): boolean {
  if (answer.choice !== undefined) return answer.choice.toUpperCase() === gold.trim().toUpperCase();
  if (answer.key.startsWith('expr:') && symbolicKey(gold) === answer.key) return true;
  const g = normalizeAnswer(gold);
  if (g !== '' && normalizeAnswer(answer.text) === g) return true;
  const gn = parseNumberAnswer(gold);
  if (answer.number && gn) return numbersEqual(answer.number, gn);
  return false;
}
