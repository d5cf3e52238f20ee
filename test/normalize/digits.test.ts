import { describe, expect, it } from 'vitest';
import { asciiDigits } from '../../src/normalize/digits.js';

describe('asciiDigits', () => {
  it.each([
    ['\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669', '0123456789'], // Arabic-Indic
    ['\u06F4\u06F5', '45'], // Persian
    ['\u09E8\u09E6 \u00D7 \u09EA = \u09EE\u09E6', '20 \u00D7 4 = 80'], // Bengali, as in a recorded answer
    ['\u0E51\u0E52', '12'], // Thai
    ['\u0C67\u0C66', '10'], // Telugu
    ['\uFF11\uFF12\uFF0E\uFF15', '12.5'], // full-width
    ['\u{1D7D2}\u{1D7ED}', '41'], // mathematical bold 4, then sans-serif bold 1: touching runs of ten
    ['Option\u3000\uFF22', 'Option B'],
  ])('%j -> %j', (input, expected) => {
    expect(asciiDigits(input)).toBe(expected);
  });

  it('leaves ASCII, superscripts and fractions as written', () => {
    for (const s of ['The answer is 42.', 'x\u00B2 + 10\u00B3', '\u00BD cup', '']) expect(asciiDigits(s)).toBe(s);
  });
});
