/** The tags our templates put around item data. */
export const DELIMITER_TAGS = ['item', 'question', 'choices'] as const;

// Matched in the folded copy (see foldedCopy); only the `<` is consumed, the rest is lookahead.
const TAG_OPENER = new RegExp(`<(?=\\s*/?\\s*(?:${DELIMITER_TAGS.join('|')})\\b)`, 'gi');

/**
 * Characters a reader (or a model) does not see but that split a tag for a regular expression:
 * controls other than tab and newlines, format characters (zero-width, joiners, bidirectional
 * controls, the BOM, Unicode tag characters), the soft hyphen, fillers, variation selectors and
 * lone surrogates.
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /^(?![\t\n\r])[\p{Cc}\p{Cf}\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\u{e0000}-\u{e0fff}\ud800-\udfff]$/u;

/**
 * The data as a reader sees it, one code point at a time: each NFKC-folded (a fullwidth `＜` or a
 * small `﹤` becomes the `<` it looks like, fullwidth letters become letters), invisible ones
 * dropped. `origin[i]` is the index in `chars` of the code point that folded character `i` came
 * from, so a tag found in the copy is changed in the original and nowhere else.
 */
function foldedCopy(chars: readonly string[]): { text: string; origin: number[] } {
  let text = '';
  const origin: number[] = [];
  chars.forEach((c, k) => {
    if (INVISIBLE.test(c)) return;
    const folded = c.normalize('NFKC');
    text += folded;
    for (let j = 0; j < folded.length; j++) origin.push(k);
  });
  return { text, origin };
}

/**
 * Makes item data unable to close (or reopen) the block it is quoted in. A folded copy of the
 * data (see foldedCopy) is searched for `<item>`, `</item>`, `< / Question >`...; the character
 * that opens each such tag in the original (`<`, `＜`, `﹤`) is written as `&lt;`, so the only real
 * delimiters in a rendered prompt are the template's own. Every other character goes out exactly
 * as written (no normalisation of the whole text: `™`, `x²` or full-width punctuation are what is
 * being classified, and a server may expect them as sent).
 */
export function neutralizeDelimiters(data: string): string {
  if (!/[<\ufe64\uff1c]/u.test(data)) return data;
  const chars = [...data];
  const { text, origin } = foldedCopy(chars);
  const openers = new Set<number>();
  for (const m of text.matchAll(TAG_OPENER)) openers.add(origin[m.index] as number);
  if (openers.size === 0) return data;
  return chars.map((c, k) => (openers.has(k) ? '&lt;' : c)).join('');
}
