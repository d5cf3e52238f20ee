/**
 * SQuAD-style answer normalization, the de-facto standard for open-domain QA scoring:
 * lowercase, strip punctuation, drop the articles a/an/the, collapse whitespace.
 * We also fold accents (Röntgen = Rontgen) because models and gold lists spell names both ways.
 */

const ARTICLES = new Set(['a', 'an', 'the']);

/** Words that carry no answer content; used only for overlap similarity, never for exact match. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a an the and or but if of at by for with about against between into through during before after above below to from up down in out on off over under ' +
    'again further then once here there when where why how all any both each few more most other some such no nor not only own same so than too very ' +
    'is are was were be been being have has had having do does did doing i me my we our you your he him his she her it its they them their what which who whom ' +
    'this that these those am can will just should would could may might must shall also as it\'s s t according answer based known called'
  ).split(' '),
);

/** Removes diacritics: NFKD then drops combining marks. */
export function foldAccents(text: string): string {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
}

/** The SQuAD normalization (plus accent folding). */
export function normalizeAnswer(text: string): string {
  // NUL marks the kept number separators below: one in the answer itself must not become a "." token.
  const lowered = foldAccents(text).replace(/\u0000/g, ' ').toLowerCase();
  // Keep decimal points and thousands commas inside numbers so "1.5" does not become "1 5".
  const noPunct = lowered.replace(/(\d)[.,](?=\d)/g, '$1\u0000').replace(/[^\p{L}\p{N}\s\u0000]/gu, ' ').replace(/\u0000/g, '.');
  return noPunct
    .split(/\s+/)
    .filter((w) => w !== '' && !ARTICLES.has(w))
    .join(' ');
}

export function answerTokens(text: string): string[] {
  const n = normalizeAnswer(text);
  return n === '' ? [] : n.split(' ');
}

/** Whether a token says something: not a stopword, and none of `exclude` (e.g. the question's own words). */
export function isContentToken(t: string, exclude?: ReadonlySet<string>): boolean {
  return !STOPWORDS.has(t) && !(exclude?.has(t) ?? false);
}

/** The tokens of a text that say something (isContentToken). */
export function contentTokens(text: string, exclude?: ReadonlySet<string>): string[] {
  return answerTokens(text).filter((t) => isContentToken(t, exclude));
}

/** SQuAD token F1 between two token lists (multiset overlap). */
export function tokenF1(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of a) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of b) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      common++;
      counts.set(t, c - 1);
    }
  }
  if (common === 0) return 0;
  const p = common / b.length;
  const r = common / a.length;
  return (2 * p * r) / (p + r);
}

/** True when every token of `needle` occurs in `haystack` (as a bag, order free). */
export function containsAllTokens(haystack: readonly string[], needle: readonly string[]): boolean {
  if (needle.length === 0) return false;
  const counts = new Map<string, number>();
  for (const t of haystack) counts.set(t, (counts.get(t) ?? 0) + 1);
  for (const t of needle) {
    const c = counts.get(t) ?? 0;
    if (c === 0) return false;
    counts.set(t, c - 1);
  }
  return true;
}

/** The tokens a short answer must be found by: its content tokens, or all its tokens when every one is a stopword ("AM", "It"). */
export function keyTokens(text: string): string[] {
  const c = contentTokens(text);
  return c.length > 0 ? c : answerTokens(text);
}
