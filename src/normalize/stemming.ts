import { PorterStemmer } from 'natural/lib/natural/stemmers/index.js';

// Stemming costs a few microseconds a word and answers repeat the same few words, so stems are
// memoized; the cache is bounded so that a stream of odd tokens cannot grow it without limit.
const cache = new Map<string, string>();
const CACHE_LIMIT = 50_000;

/** Porter stem (natural) of a lowercased word, memoized. */
export function stem(word: string): string {
  let s = cache.get(word);
  if (s === undefined) {
    s = PorterStemmer.stem(word);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(word, s);
  }
  return s;
}

/** Suffixes that turn a label word ending in `e` into a derived form (`positive` -> `positivity`). */
const E_DROP_SUFFIXES = ['ity', 'ities', 'ing', 'ed', 'er', 'est', 'ion'];

/**
 * Whether `token` is an inflected or derived form of the label word `word` (both lowercased).
 *
 * The Porter stems must agree, and, because stems alone conflate unrelated words (`position` and
 * `positive` both stem to `posit`, `politics` and `polite` to `polit`), the token must also extend
 * the label word (`positively`, `negatives`, `neutrality`), extend it after dropping a final `e`
 * with a known suffix (`positivity`, `surprising`), be a shorter form of it (`sad` for `sadness`),
 * or share a stem of six letters or more (`entailed` and `entailment` share `entail`).
 * Label words of three letters only match forms that extend them (`joyful`); shorter ones only
 * match exactly: their stems say too little.
 */
export function isWordForm(token: string, word: string): boolean {
  if (token === word) return true;
  if (token.length < 3 || word.length < 3 || token.length > 40) return false;
  const s = stem(token);
  // Three-letter label words (`joy`, `sad`) only match forms that extend them (`joyful`, `sadly`);
  // Porter turns `joy` itself into `joi`, so the token's stem is compared with the word too.
  if (word.length === 3) return token.startsWith(word) && (s === word || s === stem(word));
  if (s !== stem(word)) return false;
  if (token.startsWith(word)) return true;
  // A long shared stem is specific enough on its own (`entailed`/`entailment`, `contradicts`/`contradiction`).
  if (s.length >= 6) return true;
  if (word.endsWith('e')) {
    const root = word.slice(0, -1);
    if (token.startsWith(root) && E_DROP_SUFFIXES.includes(token.slice(root.length))) return true;
  }
  return word.startsWith(token);
}
