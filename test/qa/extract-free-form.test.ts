import { describe, expect, it } from 'vitest';
import { answersEquivalent } from '../../src/normalize/qa/equivalence.js';
import { extractQaAnswer } from '../../src/normalize/qa/extract.js';
import { normalizeAnswer, tokenF1 } from '../../src/normalize/qa/squad-normalize.js';

/** [raw output, expected key or `!reason`] */
const cases: [string, string][] = [
  ['Wilhelm Röntgen', 'wilhelm rontgen'],
  ['The answer is Paris.', 'paris'],
  ["I'm sorry, I don't know.", '!refusal'],
  ['As an AI language model, I do not have access to real-time information. However, Monday Night Football is broadcast on ESPN.', 'as ai language model i do not have access to real time information however monday night football is broadcast on espn'],
  ['291 episodes', '#291'],
  ['291', '#291'],
  ['', '!empty'],
  ['"The Beatles"', 'beatles'],
  ['Health Points', 'health points'],
  ['28 July 1914', '28 july 1914'],
  ['AC/DC', 'ac dc'],
  ['Answer: Mary Kom', 'mary kom'],
  ['I cannot answer that.', '!refusal'],
  ['You can shout "Bingo!". Another option is to shout "Game over".', 'you can shout bingo another option is to shout game over'],
  ['The answer is Lyon. Actually, wait: the capital is not Lyon, so the answer is Paris.', 'paris'],
  // A title that opens with the words of a refusal is an answer; the refusal is written in sentence case.
  ["I Don't Know Why: a song written by Jesse Harris, sung by Norah Jones.", 'i don t know why song written by jesse harris sung by norah jones'],
  ["I Can't Help Myself (Sugar Pie Honey Bunch)", 'i can t help myself sugar pie honey bunch'],
  ["I'm sorry, I don't know.", '!refusal'],
];

describe('free-form extraction', () => {
  it.each(cases)('%#: %j', (output, expected) => {
    const r = extractQaAnswer(output, { answerType: 'free-form' });
    if (expected.startsWith('!')) expect(r.kind === 'abstain' ? r.reason : 'answer').toBe(expected.slice(1));
    else expect(r.kind === 'answer' ? r.key : 'abstain').toBe(expected);
  });
});

describe('SQuAD normalization and equivalence', () => {
  it('lowercases, strips punctuation and articles, folds accents, keeps decimals', () => {
    expect(normalizeAnswer('The  Eiffel Tower!')).toBe('eiffel tower');
    expect(normalizeAnswer('Röntgen')).toBe('rontgen');
    expect(normalizeAnswer('An apple, a pear')).toBe('apple pear');
    expect(normalizeAnswer('3.5 m')).toBe('3.5 m');
    // A NUL in the answer is no number separator: junk of controls and punctuation reads as nothing.
    expect(normalizeAnswer('\u0000\u0001 ??? \ufffd')).toBe('');
    expect(normalizeAnswer('x\u0000y')).toBe('x y');
    expect(extractQaAnswer('\u0000\u0001 ??? \ufffd', { answerType: 'free-form' })).toMatchObject({ kind: 'abstain' });
  });
  it('token F1 is SQuAD\'s', () => {
    expect(tokenF1(['wilhelm', 'rontgen'], ['wilhelm', 'conrad', 'rontgen'])).toBeCloseTo(0.8);
    expect(tokenF1(['a'], ['b'])).toBe(0);
    expect(tokenF1([], [])).toBe(1);
  });
  const read = (s: string) => {
    const r = extractQaAnswer(s, { answerType: 'free-form' });
    if (r.kind !== 'answer') throw new Error(s);
    return r;
  };
  it.each([
    ['Wilhelm Röntgen', 'Wilhelm Conrad Röntgen', true],
    ['John F. Kennedy', 'John Kennedy', true],
    ['George Washington', 'George Bush', false],
    ['291 episodes', '291', true],
    ['Wilhelm Röntgen', 'The first Nobel Prize in Physics was awarded to Wilhelm Röntgen in 1901.', true],
    ['AM', 'The mode used for short wave broadcast service is amplitude modulation (AM).', true],
    ['Ed Helms', 'Steve Carell played the role of Michael Scott in the series.', false],
    // A negator is not one more word of the same answer: it makes the opposite one.
    ['toxic', 'non-toxic', false],
    ['guilty', 'not guilty', false],
    ['toxic', 'The comment is not toxic.', false],
    ['toxic', 'The comment the user posted under the video is clearly toxic.', true],
    ['No', 'No, it is not.', false],
  ] as const)('%j ~ %j: %s', (a, b, same) => {
    expect(answersEquivalent(read(a), read(b))).toBe(same);
  });
});
