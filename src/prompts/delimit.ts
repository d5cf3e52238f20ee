/** The tags our templates put around item data. */
export const DELIMITER_TAGS = ['item', 'question', 'choices'] as const;

// Only the `<` is matched (the rest is lookahead), so the data keeps every other character as written.
const TAG_OPENER = new RegExp(`<(?=\\s*/?\\s*(?:${DELIMITER_TAGS.join('|')})\\b)`, 'gi');

/**
 * Makes item data unable to close (or reopen) the block it is quoted in: any `<item>`,
 * `</item>`, `< / Question >`... inside the data has its `<` written as `&lt;`, so the only real
 * delimiters in a rendered prompt are the template's own. Everything else is left as written,
 * since the wording is what is being classified.
 */
export function neutralizeDelimiters(data: string): string {
  return data.replace(TAG_OPENER, '&lt;');
}
