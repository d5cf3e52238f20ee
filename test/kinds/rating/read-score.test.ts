import { describe, expect, it } from 'vitest';
import { readScore, type ScoreReading } from '../../../src/kinds/rating/read-score.js';
import type { Scale } from '../../../src/kinds/rating/scale.js';

const FIVE: Scale = { min: 1, max: 5 };
const ZERO_FIVE: Scale = { min: 0, max: 5 };
const HUNDRED: Scale = { min: 0, max: 100 };

/** `4 (phrase)` for a score, `!reason` for an abstention. */
function read(output: string, scale: Scale): string {
  const r: ScoreReading = readScore(output, scale);
  return r.kind === 'score' ? `${Number(r.score.toFixed(4))} (${r.method})` : `!${r.reason}`;
}

// Written for these tests in the styles judges answer in (bare numbers, `Score: N/100` headers,
// `I would give ... a score of N` prose, numbered critiques, JSON, Markdown).
const TABLE: [string, Scale, string][] = [
  ['Score: 7/10', { min: 0, max: 10 }, '7 (fraction)'],
  ['Score: 4', FIVE, '4 (phrase)'],
  ['**4**', FIVE, '4 (bold)'],
  ['4.5 out of 5', FIVE, '4.5 (fraction)'],
  ['I would give the translation a score of 85. It reads naturally and keeps the meaning.', HUNDRED, '85 (phrase)'],
  ['{"score": 4}', FIVE, '4 (json)'],
  ['```json\n{"reasoning": "clear and coherent", "score": 3}\n```', FIVE, '3 (json)'],
  ['{"evaluation": {"rating": "4/5", "comment": "good"}}', FIVE, '4 (json)'],
  ['four', FIVE, '4 (word)'],
  ['I would give this story a four.', FIVE, '4 (word)'],
  ['Rating: 3', FIVE, '3 (phrase)'],
  ['85/100', HUNDRED, '85 (fraction)'],
  ['72', HUNDRED, '72 (number)'],
  ['3.6667', FIVE, '3.6667 (number)'],
  ['90\n\nThe translation keeps the meaning but one idiom is rendered word for word.', HUNDRED, '90 (number)'],
  ['Score: 80/100\n\nMostly accurate. The date "3 May" became "5 March", and 2 commas are missing.', HUNDRED, '80 (fraction)'],
  // The final verdict wins over criterion scores and numbered critiques.
  ['1. Accuracy: the meaning is kept.\n2. Fluency: a little stiff.\n3. Coherence: fine.\n\nScore: 4', FIVE, '4 (phrase)'],
  ['Accuracy: 90\nFluency: 80\nCoherence: 100\n\nOverall quality: 88 (good, with stiff phrasing)', HUNDRED, '88 (phrase)'],
  ['Accuracy: 85/100. Minor slips.\n\nFluency: 75/100. Word order is odd.\n\nOverall score: 80/100.', HUNDRED, '80 (fraction)'],
  ['On a scale of 0 to 100, I would rate this translation 65.', HUNDRED, '65 (phrase)'],
  ['Using the 1-5 scale, this deserves a 2.\n\nScore: 2', FIVE, '2 (phrase)'],
  ['I would estimate the overall quality of the translation to be around 70 out of 100.', HUNDRED, '70 (fraction)'],
  ['I would estimate the quality to be around 80-90 out of 100.', HUNDRED, '85 (range)'],
  ['Score: 3\n\nOn reflection the ending is weaker than I thought.\n\nFinal score: 2', FIVE, '2 (phrase)'],
  ['The essay deserves a 3.', FIVE, '3 (phrase)'],
  ["I'd say 4.", FIVE, '4 (phrase)'],
  ['On a 1-5 scale: 4', FIVE, '4 (phrase)'],
  ['(4)', FIVE, '4 (number)'],
  ['3 - coherent, though the middle drags.', FIVE, '3 (number)'],
  ['My score: 8 (out of 10)', { min: 0, max: 10 }, '8 (phrase)'],
  ['The final score is 4, but it could have been 5 with a better ending.', FIVE, '4 (phrase)'],
  // One criterion named with its score is that score; several criteria without a verdict are not one.
  ['Coherence: 4', FIVE, '4 (phrase)'],
  ['Coherence: 4\nEmpathy: 2', FIVE, '!no-score'],
  // A score the judge did not give: a counterfactual after the verdict.
  ['Score: 90\n\nGood. With "le" instead of "la" this would result in a score of 100.', HUNDRED, '90 (phrase)'],
  ['95\nAccurate and fluent; a more idiomatic verb would score a perfect 100.', HUNDRED, '95 (number)'],
  ['Score: 85/100\n\nThe growth figure of 7% is kept but the ministry name is wrong.', HUNDRED, '85 (fraction)'],
  ['I am an AI and cannot judge nuance, but I would give a high score, perhaps around 95 out of 100.', HUNDRED, '95 (fraction)'],
  ['The story is vivid.\n\nFinal verdict: **5**', FIVE, '5 (bold)'],
  ['Score: 4,5', FIVE, '4.5 (phrase)'],
  ['<think>Maybe a 2? Score: 2</think>\nScore: 4', FIVE, '4 (phrase)'],
  // Fractions over another maximum: rescaled when both scales start at 0, refused otherwise.
  ['8.5/10', HUNDRED, '85 (fraction)'],
  ['Score: 4/5', HUNDRED, '80 (fraction)'],
  ['Score: 8/10', FIVE, '!out-of-scale'],
  ['10/10', FIVE, '!out-of-scale'],
  ['On a scale of 1 to 10 I would rate it 8.', FIVE, '!out-of-scale'],
  ['On a scale of 0 to 10 I would rate it 8.', HUNDRED, '80 (phrase)'],
  // Abstentions.
  ['', FIVE, '!empty'],
  ['   \n ', FIVE, '!empty'],
  ['no rating', FIVE, '!no-score'],
  ["I'm sorry, but I cannot rate this text.", FIVE, '!refusal'],
  ['The translation is unrelated to the source. Therefore, it is not possible to give a score.', HUNDRED, '!refusal'],
  ['The translation is fluent and keeps the meaning.', HUNDRED, '!no-score'],
  ['The source mentions 3 ministers and 2020 as the year.', HUNDRED, '!no-score'],
  // Digits of other scripts, and full-width digits, are the same numbers.
  ['Score: \u0664', FIVE, '4 (phrase)'],
  ['\u0968\u096B/\u0967\u0966\u0966', HUNDRED, '25 (fraction)'],
  ['Score: \uFF14', FIVE, '4 (phrase)'],
  // Stars drawn as the rating: the filled ones, out of all when some are empty; a lone star is a bullet.
  ['\u2605\u2605\u2605\u2605\u2606', FIVE, '4 (fraction)'],
  ['Rating: \u2605\u2605\u2605\u2606\u2606', FIVE, '3 (fraction)'],
  ['\u2B50\u2B50\u2B50\u2B50', FIVE, '4 (number)'],
  ['\u2605 Strengths: vivid characters.\n\u2605 Weaknesses: a rushed ending.\n\nScore: 3', FIVE, '3 (phrase)'],
  // Chat-template residue around the answer.
  ['[/INST] 4', FIVE, '4 (number)'],
  ['<|im_start|>assistant\n4<|im_end|>', FIVE, '4 (number)'],
  // A box states the score.
  ['\\boxed{4}', FIVE, '4 (bold)'],
  ['The coherence is good but the ending is abrupt, so the final score is $\\boxed{3}$.', FIVE, '3 (bold)'],
  // A hedge between two scores is their midpoint, as a range is, never the first one.
  ['4 or 5', FIVE, '4.5 (range)'],
  ['I would give it a 3 or 4.', FIVE, '3.5 (range)'],
  // A percentage alone on a 0-100 scale is that score.
  ['85%', HUNDRED, '85 (number)'],
  // A mixed number is its value.
  ['Score: 3 1/2', FIVE, '3.5 (phrase)'],
];

describe('readScore: a table of judges\' answers', () => {
  it.each(TABLE)('%j on %j reads %s', (output, scale, expected) => {
    expect(read(output, scale)).toBe(expected);
  });
});

describe('readScore: hostile answers', () => {
  it('abstains on scores outside the scale instead of clipping them', () => {
    expect(read('Score: 6', FIVE)).toBe('!out-of-scale');
    expect(read('Score: 0', FIVE)).toBe('!out-of-scale');
    expect(read('Score: -3', HUNDRED)).toBe('!out-of-scale');
    expect(read('Score: 99999999999999999999', HUNDRED)).toBe('!out-of-scale');
    expect(read('Score: 150/100', HUNDRED)).toBe('!out-of-scale');
    // Too large for a double: no number at all, so no score either.
    expect(read('9'.repeat(400), HUNDRED)).toMatch(/^!(?:out-of-scale|no-score)$/);
    const r = readScore('Score: 6', FIVE);
    expect(r.kind === 'abstain' && r.detail).toMatch(/6.*1-5/);
  });
  it('reads no number out of NaN, Infinity, exponents or numbers glued to words', () => {
    expect(read('Score: NaN', FIVE)).toBe('!no-score');
    expect(read('Score: Infinity', FIVE)).toBe('!no-score');
    expect(read('Score: 1e309', HUNDRED)).toBe('!no-score');
    expect(read('{"score": "NaN"}', FIVE)).toBe('!no-score');
    expect(read('{"score": null, "rating": 4}', FIVE)).toBe('4 (json)');
  });
  it('a score key holding null or a list is no score, never a number taken from the reasoning or the first of the list', () => {
    expect(read('{"score": null, "reasoning": "Score: 4"}', FIVE)).toBe('!no-score');
    expect(read('{"score": [4, 5]}', FIVE)).toBe('!no-score');
    expect(read('```json\n{"rating": [2], "comment": "3/5 at best"}\n```', FIVE)).toBe('!no-score');
    expect(readScore('{"score": null}', FIVE)).toMatchObject({ kind: 'abstain', detail: 'JSON "score" is null, not one score' });
  });
  it('takes the last of several stated scores', () => {
    expect(read('Score: 2. Score: 3. Score: 4', FIVE)).toBe('4 (phrase)');
    expect(read('Rating: 5\nRating: 1', FIVE)).toBe('1 (phrase)');
  });
  it('never reads a list marker or the scale\'s bounds as the score', () => {
    expect(read('1. The plot is thin.\n2. The ending is rushed.', FIVE)).toBe('!no-score');
    expect(read('Rate from 1 to 5.', FIVE)).toBe('!no-score');
  });
  it('stays linear on long and pathological inputs', () => {
    const long = `${'The translation is fine, 3 of 4 clauses kept. '.repeat(5000)}Score: 4`;
    const t0 = performance.now();
    expect(read(long, FIVE)).toBe('4 (phrase)');
    expect(read(`${'*'.repeat(50_000)}4`, FIVE)).toBe('4 (number)');
    expect(read(`Score: ${'1/'.repeat(20_000)}`, FIVE)).not.toBe('');
    // A numbered list of 50,000 lines: each marker's siblings are looked up, not searched for.
    expect(read(Array.from({ length: 50_000 }, (_, i) => `${i + 1}. a point`).join('\n'), FIVE)).toBe('!no-score');
    expect(read(`${'1\n'.repeat(50_000)}Score: 4`, FIVE)).toBe('4 (phrase)');
    // Quadratic work on these inputs takes tens of seconds; linear work a few, even on a loaded machine.
    expect(performance.now() - t0).toBeLessThan(15_000);
  });
  it('refuses an invalid scale (a programming error, not an answer)', () => {
    expect(() => readScore('4', { min: 5, max: 1 })).toThrow(RangeError);
    expect(() => readScore('4', { min: 0, max: Number.NaN })).toThrow(RangeError);
  });
  it('every score it returns lies on the scale', () => {
    const outputs = [...TABLE.map(([o]) => o), 'Score: 4.9999', '5.0001', '-0', 'Score: 0.5/1', '**100**', '3 out of 0'];
    for (const scale of [FIVE, ZERO_FIVE, HUNDRED]) {
      for (const o of outputs) {
        const r = readScore(o, scale);
        if (r.kind === 'score') {
          expect(r.score).toBeGreaterThanOrEqual(scale.min);
          expect(r.score).toBeLessThanOrEqual(scale.max);
        }
      }
    }
  });
});
