import { describe, expect, it } from 'vitest';
import { extractQaAnswer } from '../../src/normalize/qa/extract.js';
import { answerRegion } from '../../src/normalize/qa/final-answer.js';
import type { Choice } from '../../src/task/schema.js';

const choices: Choice[] = [
  { label: 'A', text: 'Paris' },
  { label: 'B', text: 'London' },
  { label: 'C', text: 'city' },
  { label: 'D', text: '1,000' },
  { label: 'E', text: 'Unsafe practices, Distress, Fear, Serious' },
  { label: 'F', text: 'Safe practices, Wants, Jealousy, Trivial' },
  { label: 'G', text: 'Low-contact service' },
  { label: 'H', text: 'Hypotonic uterine dysfunction' },
  { label: 'I', text: 'Interest, Uncertain, Speculative, Tangible assets' },
  { label: 'J', text: 'None of the above' },
];

const FOLLOW_UP =
  '\n\nQuestion:\nThe _______ is the process of identifying, anticipating and satisfying customer requirements profitably.\nOptions:\nA. Marketing\nB. Advertising\nC. Sales\nAnswer: Let\'s think step by step. We refer to Wikipedia articles on marketing for help. The answer is (A).\n\nQuestion:\nThe';

/** [raw output, expected choice label or `!reason` for an abstention] */
const cases: [string, string][] = [
  [' We refer to Wikipedia articles on advertising for help. Typical bodies suggest adverts must not encourage *unsafe practices*. The answer is (E).\n\n', 'E'],
  ["Let's think step by step. Advertising regulators prevent ads that promote unsafe practices.  The answer is (E).\n", 'E'],
  [` We refer to Wikipedia articles on marketing for help. Adverts must not encourage unsafe practices. The answer is (I).${FOLLOW_UP}`, 'I'],
  [' Advertising regulatory bodies ensure ads do not cause distress. The answer is (I).\n\nNow, combining all the answers we get:\nThe answer is (F).', 'I'],
  ['The city is the answer.\n\n\\boxed{(C) \\text{city}}', 'C'],
  ['So the answer is $\\boxed{C}$.', 'C'],
  ['\\boxed{C}', 'C'],
  ['The difference is $0. The answer is (A) or (J) (zero difference), but the question itself may be incorrect.', '!ambiguous'],
  ['The probability is 50%. The answer is (C) or (I).\n\n\n', '!ambiguous'],
  ['The remaining options are (C), (D), (G). Therefore, the final answer is (C) or (D) or (G).\n\n', '!ambiguous'],
  ['We can find the temperature by interpolating. The answer is approximately 80.0°C, or option (G).', 'G'],
  ['The slowest link is R3, so the throughput is R3. The answer is (M). However, the question does not provide R3.', '!out-of-set'],
  ["This question requires a premium table that isn't provided.  The answer is (Cannot be determined).\n", '!no-label'],
  ['The information provided does not give rates for accidents or territories.  None of the provided answers are correct.', '!no-label'],
  ['B', 'B'],
  ['(B)', 'B'],
  ['B) London', 'B'],
  ['**B. London**', 'B'],
  [' A remote Trojan is a type of Trojan that allows an attacker to control a computer. The answer is not in the options.\n\n', '!no-label'],
  ['The capital of England is London. The answer is London.', 'B'],
  ['The answer is: **(D)**', 'D'],
  ['Reasoning about the options first.\nAnswer: (E)', 'E'],
  ['The correct answer is D.', 'D'],
  ['The answer is not (A). The answer is (B).', 'B'],
  ['', '!empty'],
  ['   \n ', '!empty'],
  [' We refer to Wikipedia articles on cardiology for help. The findings are consistent with aortic stenosis. The most likely diagnosis is (J).\n\n', 'J'],
  ['The answer is (b).', 'B'],
  ['The answer is a city in France.', '!no-label'],
  ["I'm sorry, I can't help with that.", '!refusal'],
  ['I cannot answer questions about this topic.', '!refusal'],
  ['Question: Which one is the capital of France?\nAnswer: The answer is (A).', 'A'],
  ['Several apply. The answer is (A), (D), and (F).', '!ambiguous'],
  ['When there is little contact the service is low-contact. The answer is (G) or (I). However, among the options, "Low-contact service" is the more commonly used term.', '!ambiguous'],
  ['Both (A) and (B) are plausible. The answer is (A) and (B).', '!ambiguous'],
  ['The answer is Hypotonic uterine dysfunction.', 'H'],
  [' We refer to Wikipedia articles on obstetrics for help. The most likely diagnosis is (A) hypotonic uterine dysfunction.\n\n', 'A'],
  ['The answer is (1,000).', 'D'],
  ['The closest answer is $2400.\n\nThe answer is (J)', 'J'],
  ['The answer is option C.', 'C'],
  ['The answer is (H).\n\nQuestion:\nA 37-year-old woman comes to the physician.\nOptions:\nA. Acute sinusitis\nB. Acute bronchitis\nAnswer: Let\'s think step by step. The answer is (A).', 'H'],
  [' The pH is computed from Ka.\n\nQuestion:\nWhat is the pH of 0.1 M acetic acid?\nOptions:\nA. 2.9\nB. 3.4\nAnswer: Let\'s think step by step. The answer is (A).', '!no-label'],
  ['Here are the steps:\n\nQuestion 6:\n* (a) the rate of change is 0.20\n\nThe answer is (I).', 'I'],
  ['I think the answer is (C) because I reviewed every option.', 'C'],
  ['The answer is (E) Unsafe practices, Distress, Fear, Serious.', 'E'],
  ['The answer is either (B) or (C).', '!ambiguous'],
  ['The answer is B/C.', '!ambiguous'],
  ['The answer is: Unsafe practices, Distress, Fear, Serious', 'E'],
  ['Final Answer: (G)', 'G'],
  ['Thus, the answer is \\boxed{\\text{(G)}}.', 'G'],
  // Full-width letters and brackets are the option letter.
  ['\uFF22', 'B'],
  ['The answer is \uFF08\uFF23\uFF09.', 'C'],
  // `Option B` with the word capitalised; two letters offered together are no single answer.
  ['Option B', 'B'],
  ['Choice (C)', 'C'],
  ['B or C', '!ambiguous'],
  ['B and C.', '!ambiguous'],
  ['A remote Trojan or a virus', '!no-label'],
  ['The answer is (A) Paris. However, the question asks for the capital in 1800, so the answer is (B).', 'B'],
  ['The answer is (A).\n\nLet me check: the first computation was wrong. On reflection, the answer is (C).', 'C'],
  // An end-of-sequence marker printed after the answer.
  ['The total is $\\boxed{185.80}$.\nFinal answer: E<EOS_TOKEN>\n\n', 'E'],
];

describe('multiple-choice extraction on real-looking outputs', () => {
  it.each(cases)('%#: %j', (output, expected) => {
    const r = extractQaAnswer(output, { answerType: 'multiple-choice', choices });
    if (expected.startsWith('!')) {
      expect(r.kind).toBe('abstain');
      if (r.kind === 'abstain') expect(r.reason).toBe(expected.slice(1));
    } else {
      expect(r.kind === 'answer' ? r.choice : `abstain:${r.kind === 'abstain' ? r.reason : ''}`).toBe(expected);
    }
  });

  it('cuts a base model\'s invented follow-up questions off the answer region', () => {
    const { region, cut } = answerRegion(`Blah blah. The answer is (I).${FOLLOW_UP}`);
    expect(cut).toBe(true);
    expect(region).not.toContain('Marketing');
  });

  it('keeps a restated question at the very start', () => {
    expect(answerRegion('\nQuestion: restated\nThe answer is (A).').cut).toBe(false);
  });
});

describe('choices labelled other than A-J', () => {
  const numbered: Choice[] = [
    { label: '1', text: 'red' },
    { label: '2', text: 'green' },
    { label: '3', text: 'blue' },
  ];
  it.each([
    ['The answer is 2.', '2'],
    ['The answer is (3).', '3'],
    ['The answer is blue.', '3'],
    ['Answer: option 1', '1'],
  ])('%j -> %s', (output, label) => {
    const r = extractQaAnswer(output, { answerType: 'multiple-choice', choices: numbered });
    expect(r.kind === 'answer' ? r.choice : 'abstain').toBe(label);
  });
});

describe('a bare choice that is not offered', () => {
  const two: Choice[] = [
    { label: 'A', text: 'yes' },
    { label: 'B', text: 'no' },
  ];
  it.each(['C', '(C)', 'C)', '**C.**'])('%j is out-of-set, not no-label', (output) => {
    const r = extractQaAnswer(output, { answerType: 'multiple-choice', choices: two });
    expect(r.kind === 'abstain' ? r.reason : r.kind).toBe('out-of-set');
  });
  it('"A remote Trojan" with A offered is still not read as the choice A', () => {
    const r = extractQaAnswer('A remote Trojan', { answerType: 'multiple-choice', choices: two });
    expect(r.kind).toBe('abstain');
  });
});
