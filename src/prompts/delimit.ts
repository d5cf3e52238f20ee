/** The tags our templates put around item data. */
export const DELIMITER_TAGS = ['item', 'question', 'choices'] as const;

// Only the `<` is matched (the rest is lookahead), so the data keeps every other character as written.
const TAG_OPENER = new RegExp(`<(?=\\s*/?\\s*(?:${DELIMITER_TAGS.join('|')})\\b)`, 'gi');

/**
 * Characters a reader (or a model) does not see but that split a tag for a regular expression:
 * C0/C1 controls other than tab and newlines, zero-width and joiner characters, bidirectional
 * controls, the soft hyphen, the BOM, variation selectors, Unicode tag characters and lone surrogates.
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\u{e0000}-\u{e0fff}\ud800-\udfff]/gu;

/**
 * Item data as it is put into a prompt: NFKC-normalised (so a fullwidth `＜/item＞` or a small
 * `﹤` becomes the `<` it looks like) with invisible characters removed (so `</\u200bitem>` or
 * `<\u0000/item>` is the tag it reads as), before delimiters are neutralised.
 */
export function normalizeData(data: string): string {
  return data.normalize('NFKC').replace(INVISIBLE, '');
}

/**
 * Makes item data unable to close (or reopen) the block it is quoted in: after normalizing (see
 * normalizeData), any `<item>`, `</item>`, `< / Question >`... inside the data has its `<` written
 * as `&lt;`, so the only real delimiters in a rendered prompt are the template's own. Everything
 * else is left as written, since the wording is what is being classified.
 */
export function neutralizeDelimiters(data: string): string {
  return normalizeData(data).replace(TAG_OPENER, '&lt;');
}
