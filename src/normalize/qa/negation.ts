/**
 * Negation in free-form answers. Answers that share their words but one negates them are opposite
 * answers: `non-toxic` is not `toxic`, `not guilty` is not `guilty`. Token overlap cannot see that
 * (the negator is one added word, as `F.` is in `John F. Kennedy`), so the rules that merge answers
 * written two ways ask this module first.
 */

/** Tokens (after SQuAD normalization, which splits `isn't` into `isn t`) that negate what follows. */
const NEGATORS: ReadonlySet<string> = new Set([
  'not', 'no', 'non', 'never', 'none', 'neither', 'nor', 'without', 'cannot', 'nothing', 'nobody', 'nowhere',
  'isn', 'aren', 'wasn', 'weren', 'don', 'doesn', 'didn', 'won', 'wouldn', 'shouldn', 'couldn', 'hasn', 'haven', 'hadn', 'mustn',
]);

export function isNegator(token: string): boolean {
  return NEGATORS.has(token);
}

/**
 * Whether the words one short answer adds to the other (`extra`, the tokens of the longer not in the
 * shorter) negate it: then the two are opposite answers, not one answer written two ways.
 */
export function addsNegation(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return a.some((t) => isNegator(t) && !sb.has(t)) || b.some((t) => isNegator(t) && !sa.has(t));
}

/**
 * Whether a sentence negates a short answer it contains: a negator right before the answer's first
 * word (`... is not toxic` for `toxic`), when the short answer is not itself negated.
 */
export function negatesShortAnswer(sentence: readonly string[], short: readonly string[]): boolean {
  const first = short[0];
  if (first === undefined || short.some(isNegator)) return false;
  for (let i = 1; i < sentence.length; i++) if (sentence[i] === first && isNegator(sentence[i - 1] as string)) return true;
  return false;
}

/** The words a sentence negates: each token right after a negator (`not toxic`, `Paris, not Lyon`). */
export function negatedWords(tokens: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 1; i < tokens.length; i++) if (isNegator(tokens[i - 1] as string) && !isNegator(tokens[i] as string)) out.add(tokens[i] as string);
  return out;
}

/**
 * Whether two sentences negate the same words: sentences that share most of their words state the
 * same answer only then (`Paris, not Lyon` and `Lyon, not Paris` share every word).
 */
export function sameNegations(a: readonly string[], b: readonly string[]): boolean {
  const na = negatedWords(a);
  const nb = negatedWords(b);
  return na.size === nb.size && [...na].every((t) => nb.has(t));
}
