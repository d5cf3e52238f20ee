/**
 * Digits as every reader compares them. Models answer in the digits of the language they write
 * (`٣`, `৮`, `१२`) and in full-width forms (`１２`, `（Ｂ）`); a reader that knows only ASCII sees
 * no number or no letter there. Unicode compatibility folding (NFKC) covers full-width forms but
 * not other scripts' digits, and it rewrites what numbers mean (`x²` becomes `x2`), so only these
 * two are folded here.
 */

const FULL_WIDTH = /[\uFF01-\uFF5E]/g;
const IDEOGRAPHIC_SPACE = /\u3000/g;
const NON_ASCII_DIGIT = /(?![0-9])\p{Nd}/gu;
const IS_DIGIT = /^\p{Nd}$/u;

/** Zero of each digit block seen so far, by code point. */
const zeroOf = new Map<number, number>();

/**
 * The value of a decimal digit of any script. Unicode encodes every decimal digit in a run of ten
 * from its zero (a stability guarantee), and runs that touch (the mathematical digits) are whole
 * runs of ten, so the value is the distance from the start of the contiguous run, modulo ten.
 */
function digitValue(cp: number): number {
  let zero = zeroOf.get(cp);
  if (zero === undefined) {
    zero = cp;
    while (zero > 0 && IS_DIGIT.test(String.fromCodePoint(zero - 1))) zero--;
    zeroOf.set(cp, zero);
  }
  return (cp - zero) % 10;
}

/** The text with every decimal digit written in ASCII and full-width ASCII forms folded to ASCII. */
export function asciiDigits(text: string): string {
  // Most answers are ASCII already: one scan decides.
  if (/^[\x00-\x7F]*$/.test(text)) return text;
  return text
    .replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(IDEOGRAPHIC_SPACE, ' ')
    .replace(NON_ASCII_DIGIT, (d) => String(digitValue(d.codePointAt(0) as number)));
}
