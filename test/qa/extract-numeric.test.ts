import { describe, expect, it } from 'vitest';
import { extractQaAnswer } from '../../src/normalize/qa/extract.js';
import { findNumbers, numberKey, numbersEqual, parseNumberAnswer } from '../../src/normalize/qa/numbers.js';

/** [raw output, expected canonical number key or `!reason`] */
const cases: [string, string][] = [
  ['Since half of 2 is 1, it takes 1 bolt of white fiber.\n\n\\boxed{3} bolts in total.', '3'],
  ['Adding these together, we find that a robe takes 2 + 1 = 3 bolts in total.\n\nSo, the final answer is \\boxed{3}.', '3'],
  ['Brian will walk 70 / 2 = <<70/2=35>>35 miles in seven days.\n\nTherefore, Brian will walk 35 miles in seven days.', '35'],
  [' Each cookie costs $0.10, so the total cost is $6.00. He will receive $4.00 in change. Therefore, the answer is \\boxed{$4.00}.', '4'],
  ['Thus, the company will receive \\(\\boxed{140000}\\) dollars from selling the bars.', '140000'],
  ['Total revenue = 70,000 bars * $2/bar = $140,000.\n#### 140,000', '140000'],
  ['\\[\n\\text{Total water} = \\frac{43}{3} \\text{ liters}\n\\]\n\nTherefore, the amount of water is \\(\\boxed{\\frac{43}{3}}\\).', numberKey(43 / 3)],
  ['-30 / 3 = -10.\n\nTherefore, the average highest temperature is \\boxed{-10} degrees Fahrenheit.', '-10'],
  ['The answer is 1,000.', '1000'],
  ['The answer is 1000.0', '1000'],
  ['The answer is one thousand.', '1000'],
  ['It takes either 35 or 36 minutes. The answer is 35 or 36 minutes.', '!ambiguous'],
  ['#### 18', '18'],
  ['She sells 9 eggs at $2 each. The answer is: 18 dollars.', '18'],
  ['Let x be the number of states. Solving, the answer is x = 18.', '18'],
  ['3 + 4 = 7. The answer is 7.', '7'],
  [' She has 5 apples left. The answer is 5.\n\nQ: John has 3 apples and buys 5 more. How many apples does he have?\nA: 3 + 5 = 8. The answer is 8.', '5'],
  ['The answer is 37.5 minutes.', '37.5'],
  [' It would take him \\boxed{37.5} minutes to speak 10 pages if each page has 450 words per page.', '37.5'],
  ['The discount is 50%.', '50'],
  ['', '!empty'],
  ['I cannot solve this problem without more information.', '!refusal'],
  ["I'm sorry, I can't help with that.", '!refusal'],
  ['No number here at all.', '!no-label'],
  ['The answer is \\boxed{1{,}000}.', '1000'],
  ["Janet makes $18 every day at the farmers' market.", '18'],
  ['First guess \\boxed{18}, then checking again we keep it: \\boxed{20}', '20'],
  ['The answer is 1/2.', '0.5'],
  ['The answer is twenty-five.', '25'],
  ['The total is three hundred and twelve.', '312'],
  [' Siobhan has 25 jewels. \\boxed{25}', '25'],
  ['Walter received \\(\\boxed{81}\\) dollars from selling the remaining apples.', '81'],
  ['Remaining brownies = 66 - 18 = 48 brownies\n\nThus, the number of brownies left is \\(\\boxed{48}\\).', '48'],
  ['So the final answer is \\boxed{\\$1,200}.', '1200'],
  ['The final answer is $\\boxed{0.25}$.', '0.25'],
  ['Answer: 42', '42'],
  ['The answer is -3.', '-3'],
  ['He paid \\boxed{\\$ 12.50} in total.', '12.5'],
  ['Option two costs 1000 + 350 = 1350 pesos, so the answer is 1000 + 350 = 1350 pesos. He saves 1600 - 1350 = 250 pesos.\n\nAnswer: \\boxed{250}.', '250'],
  ['The answer is 18 or eighteen dollars.', '18'],
  // Digits of the language the model answers in, and full-width digits, are the same numbers.
  ['The answer to this question is \\boxed{\u09EE}', '8'],
  ['The answer to this question is  \u09EB', '5'],
  ['The answer is \u0663.', '3'],
  ['\u0627\u0644\u062C\u0648\u0627\u0628 \u0647\u0648 \u0661\u0662', '12'],
  ['The answer is \uFF11\uFF12.', '12'],
  ['The answer is \u0967\u0968\u0969.', '123'],
  // A later statement that corrects the earlier one is the answer.
  ['The answer is 12. Actually, wait, I forgot the last day: the answer is 13.', '13'],
  ['The answer is 12. The answer is 12 because 3 * 4 = 12.', '12'],
  ['So the answer is 42<EOS_TOKEN>', '42'],
  // Reasoning that stops inside an expression never reached its result.
  ['After 20 months the price is 103.2 + 20.64 = 123.84 dollars.\nAfter 22 months the price is 123.84 + (', '!no-label'],
  ['4x - 12 + x/3 = 341\n\n4x - 12 + x/3 =', '!no-label'],
  ['So 9 + 6 = 15 litres are left.', '15'],
  // An answer that ends on a link or a dash after a word has reached its result.
  ['The total is 42 apples. Source: https://example.com/', '42'],
  ['She has 42 apples in all -', '42'],
  ['3 * 4 = 12, and 12 +', '!no-label'],
  // Mixed numbers: a whole and a proper fraction are one number.
  ['The answer is 3 1/2 cups.', '3.5'],
  ['The answer is \\boxed{2\\frac{1}{2}}', '2.5'],
  ['She walks 12 3/4 miles. The answer is 12 3/4.', '12.75'],
];

describe('numeric extraction on real-looking outputs', () => {
  it.each(cases)('%#: %j', (output, expected) => {
    const r = extractQaAnswer(output, { answerType: 'numeric' });
    if (expected.startsWith('!')) {
      expect(r.kind === 'abstain' ? r.reason : `answer:${r.kind === 'answer' ? r.key : ''}`).toBe(expected.slice(1));
    } else {
      expect(r.kind === 'answer' ? r.key : `abstain:${r.kind === 'abstain' ? r.reason : ''}`).toBe(expected);
    }
  });
});

describe('numbers', () => {
  const n = (s: string) => {
    const p = parseNumberAnswer(s);
    if (!p) throw new Error(`no number in ${s}`);
    return p;
  };
  it('reads 1,000 / 1000.0 / one thousand / $1,000.00 as the same value', () => {
    const values = ['1,000', '1000.0', 'one thousand', '$1,000.00', '1000'].map((s) => n(s));
    for (const v of values) expect(numbersEqual(v, values[0] as typeof v)).toBe(true);
    expect(new Set(values.map((v) => numberKey(v.value))).size).toBe(1);
  });
  it('keeps currency and units apart from the value', () => {
    expect(n('$5').currency).toBe('USD');
    expect(n('5 dollars').currency).toBe('USD');
    expect(numbersEqual(n('$5'), n('5 dollars'))).toBe(true);
    expect(numbersEqual(n('$5'), n('5'))).toBe(true);
    expect(numbersEqual(n('€5'), n('$5'))).toBe(false);
    expect(n('5 km').unit).toBe('km');
    expect(numbersEqual(n('5 km'), n('5 m'))).toBe(false);
    expect(numbersEqual(n('5 km'), n('5'))).toBe(true);
    expect(numbersEqual(n('30%'), n('30 minutes'))).toBe(false);
    expect(numbersEqual(n('3 bolts'), n('3 bolt'))).toBe(true);
  });
  it('distinguishes values and tolerates float noise', () => {
    expect(numbersEqual(n('0.1'), { value: 0.1 + 1e-15 })).toBe(true);
    expect(numbersEqual(n('1000'), n('1001'))).toBe(false);
    expect(numberKey(0.1 + 0.2)).toBe('0.3');
  });
  it('finds numbers in prose in order, with signs and fractions', () => {
    expect(findNumbers('From -3 to 4.5, then 3/4 of it.').map((x) => x.value)).toEqual([-3, 4.5, 0.75]);
    expect(findNumbers('twenty-one and 7').map((x) => x.value)).toEqual([21, 7]);
  });
});

describe('symbolic answers in numeric tasks', () => {
  it.each([
    ['The answer is \\boxed{\\sqrt{2}}.', 'expr:\\sqrt{2}'],
    ['Thus \\boxed{\\frac{\\sqrt{3}}{2}}', 'expr:\\frac{\\sqrt{3}}{2}'],
    ['So \\boxed{2^{10}}', 'expr:2^{10}'],
    ['\\boxed{3\\pi}', 'expr:3\\pi'],
    ['The answer is x = 18.', '18'],
    ['\\boxed{60000 \\text{ hours}}', '60000'],
    ['\\boxed{\\frac{43}{3}}', numberKey(43 / 3)],
  ])('%j -> %s', (output, key) => {
    const r = extractQaAnswer(output, { answerType: 'numeric' });
    expect(r.kind === 'answer' ? r.key : 'abstain').toBe(key);
  });
});
