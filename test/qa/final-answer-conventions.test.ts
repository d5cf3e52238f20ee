import { describe, expect, it } from 'vitest';
import { extractQaAnswer } from '../../src/normalize/qa/extract.js';
import { stripChatResidue } from '../../src/normalize/text.js';
import { decimalMark, numberKey } from '../../src/normalize/qa/numbers.js';
import { isProgram } from '../../src/normalize/qa/program.js';
import type { QaAnswerType } from '../../src/task/schema.js';

const read = (output: string, answerType: QaAnswerType = 'numeric') => {
  const r = extractQaAnswer(output, { answerType, ...(answerType === 'multiple-choice' ? { choices: [{ label: 'A', text: 'Yes' }, { label: 'B', text: 'No' }] } : {}) });
  return r.kind === 'answer' ? r.key : `!${r.reason}`;
};

describe('the final statement wins over an opening Answer: followed by reasoning', () => {
  it.each([
    // Chain-of-thought in the `ans =` convention: the opening `Answer:` starts the worked answer.
    [
      "Answer: Janet uses 3 eggs for breakfast and 4 for muffins, so she uses 3 + 4 = <<3+4=7>>7 eggs daily.\nShe has 16 eggs laid per day, so she has 16 - 7 = <<16-7=9>>9 eggs left to sell at the farmers' market.\nShe sells each egg for $2, so she makes 9 * 2 = $<<9*2=18>>18 per day at the farmers' market.\nans = 18",
      '18',
    ],
    ['Answer: The robe needs 2 bolts of blue and 2 / 2 = 1 bolt of white fiber.\nIn total 2 + 1 = 3 bolts.\nans = 3', '3'],
    ['Answer: Each box holds 12 pens.\nThere are 5 boxes, so 5 * 12 = 60 pens.\n#### 60', '60'],
    ['Answer: First, 4 + 4 = 8.\nThen 8 * 3 = 24.\nThe answer is 24.', '24'],
    ['Answer: 2 + 5 = 7 apples are picked.\nShe gives away 2, so \\boxed{5} remain.', '5'],
    // A short `Answer:` at the end is still the answer.
    ['She has 16 - 7 = 9 eggs and sells them at $2.\nAnswer: 18', '18'],
    // A box that corrects an earlier box: the last deliberate answer is the one committed to.
    ['So the total is \\boxed{40}. Wait, I forgot the tax: 40 + 4 = 44, so the answer is \\boxed{44}.', '44'],
  ])('%#', (output, key) => {
    expect(read(output)).toBe(key);
  });

  it('a Markdown heading of four hashes is no `#### N` answer', () => {
    const output = '### Step-by-Step Solution:\n\n#### Step 1: Assign the speeds.\nDana skips at 3 mph and runs at 6 mph.\n\n#### Step 5: Total distance\n12 + 6 = 18 miles.\n\n#### Final Answer:\nThe answer to this question is \\(\\boxed{18}\\).';
    expect(read(output)).toBe('18');
  });
});

describe('units and text inside \\boxed{}', () => {
  it.each([
    ['John is still \\(\\boxed{45 \\, \\text{miles}}\\) away from home.', '45'],
    ['The answer to this question is \\boxed{\\$18}.', '18'],
    ['The answer to this question is \\boxed{18 \\text{ dollars}}', '18'],
    ['The answer to this question is \\boxed{60\\%}.', '60'],
    ['Therefore the answer is \\boxed{\\text{12 apples}}.', '12'],
  ])('%j -> %s', (output, key) => {
    expect(read(output)).toBe(key);
  });
});

describe('thousands separators by locale', () => {
  it.each([
    // German/Spanish: a dot groups thousands when the answer writes numbers that way.
    ['Die Kosten betragen 240.000 $ + 24.000 $ + 12.000 $ = 276.000 $.\n\nThe answer to this question is \\boxed{276.000}', '276000'],
    ['Ella gana 35.000 $ + 22.500 $ = 57.500 $ al año.\n\nThe answer to this question is \\boxed{57.500}', '57500'],
    ['Die Zinsen sind 50.000 x 0,05 = 2.500 US-Dollar.\n\nThe answer to this question is \\boxed{12.500}.', '12500'],
    ['Es kostet 2,5 Euro pro Stück, also 4 * 2,5 = 10.\n\\boxed{10}', '10'],
    ['Sie zahlt 7,50 € pro Woche.\nThe answer to this question is \\boxed{7,50}', '7.5'],
    // English: a comma groups thousands, a point is decimal.
    ['The total is 1,234 + 1,000 = 2,234.\nThe answer is \\boxed{2,234}.', '2234'],
    ['Each costs $6.67, so \\boxed{13.34} dollars in all.', '13.34'],
    ['The pool holds 2.5 gallons more, so \\boxed{1.500} is wrong; it is \\boxed{1.5}', '1.5'],
    // French/Russian: a (no-break) space groups thousands.
    ['Coût total : 240\u00a0000\u00a0$ + 36\u00a0000\u00a0$ = 276\u00a0000\u00a0$.\n\nLa réponse est \\boxed{276\u00a0000}.', '276000'],
    ['Таким образом, у нее 50 x 1150 = $57 500 в год.\n\nThe answer to this question is \\boxed{57 500}.', '57500'],
  ])('%#: %j', (output, key) => {
    expect(read(output)).toBe(key);
  });

  it('judges the decimal mark from the whole answer', () => {
    expect(decimalMark('240.000 $ + 36.000 $')).toBe('comma');
    expect(decimalMark('0,05 * 50.000')).toBe('comma');
    expect(decimalMark('1.200.000 Einwohner')).toBe('comma');
    expect(decimalMark('3.125 hours')).toBe('point');
    expect(decimalMark('1.000 kg and 2.5 kg')).toBe('point');
    expect(decimalMark('1,000 and 2.000')).toBe('point');
  });
});

describe('fractions', () => {
  it.each([
    ['So x = -31/3.\nThe answer is -31/3.', numberKey(-31 / 3)],
    ['The answer is \\boxed{-\\frac{31}{3}}.', numberKey(-31 / 3)],
    ['The answer is \\boxed{\\frac{-31}{3}}', numberKey(-31 / 3)],
    ['The answer is \\boxed{\\dfrac{3}{4}}', '0.75'],
    ['#### 7/2', '3.5'],
  ])('%j -> %s', (output, key) => {
    expect(read(output)).toBe(key);
  });
});

describe('chat-template residue', () => {
  it.each([
    ['assistant\n\nThe answer to this question is \\boxed{5}.', '5'],
    ['<|start_header_id|>assistant<|end_header_id|>\n\nThe answer is 12.<|eot_id|>', '12'],
    ['<|im_start|>assistant\n42<|im_end|>', '42'],
    ['[/INST] The answer is 7.</s>', '7'],
  ])('%j -> %s', (output, key) => {
    expect(read(output)).toBe(key);
  });

  it('leaves a bare letter readable once the role header is gone', () => {
    expect(read('assistant\n\nB', 'multiple-choice')).toBe('B');
    expect(stripChatResidue('assistant\n\nParis')).toBe('Paris');
    expect(read('assistant\n\nParis', 'free-form')).toBe('paris');
  });

  it('keeps a first line that is the answer itself', () => {
    expect(stripChatResidue('The assistant manager earns $5.')).toBe('The assistant manager earns $5.');
  });
});

describe('program code that was never run is an abstention (unexecuted-code)', () => {
  const gsmProgram = '# Python code, return ans\neggs_per_day = 16\neggs_for_breakfast = 3\neggs_for_muffins = 4\neggs_for_market = eggs_per_day - eggs_for_breakfast - eggs_for_muffins\nprice_per_egg = 2\nans = eggs_for_market * price_per_egg';
  const loopProgram = '# Python code, return ans\nsprint_distance = 60\nnum_of_sprint_per_week = 3\nans = 0\nfor i in range(num_of_sprint_per_week):\n    ans += sprint_distance';
  const plainNames = '# Python code, return ans\nlength = 5\nwidth = 6\nheight = 4\nans = length * width * height';
  const dateProgram = "# Yesterday was April 30, 2021, then today is May 1, 2021\ntoday = date(2021, 4, 30) + relativedelta(days=1)\n# The answer formatted with %m/%d/%Y is\nans = today.strftime('%m/%d/%Y')";
  const yesNoProgram = '# Always face forward. Take 3 steps forward. Take 2 steps back.\nposition = 0\nposition += 3\nposition -= 2\nans = "Yes" if position == 0 else "No"';
  const fenced = '```python\ndef solve():\n    total = 16 - 3 - 4\n    return total * 2\n\nprint(solve())\n```';

  it.each([
    [gsmProgram, 'numeric'],
    [loopProgram, 'numeric'],
    [plainNames, 'numeric'],
    [fenced, 'numeric'],
    [dateProgram, 'free-form'],
    [yesNoProgram, 'multiple-choice'],
  ] as [string, QaAnswerType][])('%#', (output, type) => {
    expect(read(output, type)).toBe('!unexecuted-code');
  });

  it('reads the answer its author stated in prose after the code', () => {
    const withConclusion = 'To find the total, add the blue and the white bolts.\n\nbolts_of_blue_fiber = 2\nbolts_of_white_fiber = bolts_of_blue_fiber / 2\ntotal_bolts = bolts_of_blue_fiber + bolts_of_white_fiber\n\nThe total number of bolts required for the robe is 3.';
    expect(read(withConclusion)).toBe('3');
    expect(read(`${gsmProgram}\n# prints 18\n\nThe answer is 18.`)).toBe('18');
  });

  it('short answers on separate lines are not a program', () => {
    expect(isProgram('yes\nno')).toBe(false);
    expect(read('paris\nfrance', 'free-form')).toBe('paris france');
  });

  it('worked arithmetic is not a program', () => {
    expect(isProgram('x = 5\ny = 10\nx + y = 15')).toBe(false);
    expect(isProgram('k_g = 0.00125 * (23.6 / 17.84)\nk_g = 0.00125 * 2500\nk_g = 3.125')).toBe(false);
    expect(isProgram('Total revenue = 70,000 bars * $2/bar = $140,000.\n#### 140000')).toBe(false);
    expect(isProgram('d = sqrt(9 + 16) = 5\nArea = 5 * 5 = 25')).toBe(false);
    expect(read('Answer: 16 - 3 - 4 = 9 eggs are sold.\nThey bring 9 * 2 = 18 dollars.\nans = 18')).toBe('18');
  });
});
