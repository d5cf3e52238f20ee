/** What a decoder puts where the bytes it was given were not valid UTF-8: the character there is lost. */
const LOST = '\uFFFD';

/**
 * A damaged word: letters, marks and digits run together with at least one lost character
 * (`neg\uFFFDative`, `isn\uFFFD\uFFFD\uFFFDt` with its curly apostrophe cut, `8\uFFFD`). Punctuation
 * and spaces bound it, so a JSON answer's quotes and braces stay whole.
 */
const DAMAGED_WORD = /[\p{L}\p{M}\p{N}\uFFFD]*\uFFFD[\p{L}\p{M}\p{N}\uFFFD]*/gu;

/**
 * What a damaged word is filled with to see whether it matters: nothing, a negation, and two digits
 * (a lost digit of a number or a score). The reader adds its own answers (label names, option letters).
 */
const FILLS = [LOST, 'not', '0', '7'];
const DIGIT_FILL = /^\d+$/;
const LETTER = /\p{L}/u;

/**
 * `fill` in place of the damaged word `word`. A decoder never loses an ASCII byte (it resynchronizes
 * on it), so what is lost is a character outside ASCII: in a word of letters, a letter or a mark of
 * that word (the word may have been any other word, a label or a negation, but not a number); next to
 * digits or alone, possibly a digit (`8\uFFFD` may have been `8\u00BD`, a native or superscript digit).
 */
const fillWord = (word: string, fill: string): string => (DIGIT_FILL.test(fill) && LETTER.test(word) ? LOST : fill);

export interface LostBytesRead<R> {
  /** True when two readings are the same answer (or the same abstention). */
  same(a: R, b: R): boolean;
  /** The abstention of an answer that depends on what was lost. */
  abstain(detail: string): R;
  /** The reader's own answers a damaged word might have spelt. */
  answers?: readonly string[];
}

/**
 * Reads `raw` with `read`, never through a lost character: an answer read from a word the decoder
 * damaged could have been another answer (`neg\uFFFDative` is not evidence for `negative`; the
 * model may have written anything there), and a damaged word beside the answer may have been a
 * negation. So every damaged word is filled in turn with a blank, a negation, digits and each of the
 * reader's answers: when every filling reads the same, the damage does not touch the answer and
 * that reading stands; otherwise the answer abstains (`encoding`), since what decides it is lost.
 * Text without a lost character is read once, as it is.
 */
export function readAroundLostBytes<R>(raw: string, read: (text: string) => R, how: LostBytesRead<R>): R {
  if (!raw.includes(LOST)) return read(raw);
  const fill = (filler: string): string => raw.replace(DAMAGED_WORD, (word) => fillWord(word, filler));
  const first = read(fill(LOST));
  for (const word of [...FILLS.slice(1), ...(how.answers ?? [])]) {
    if (!how.same(first, read(fill(word)))) {
      const damaged = raw.match(DAMAGED_WORD)?.find((w) => w !== '') ?? LOST;
      return how.abstain(`bytes lost in decoding: ${JSON.stringify(damaged.slice(0, 60))}`);
    }
  }
  return first;
}
