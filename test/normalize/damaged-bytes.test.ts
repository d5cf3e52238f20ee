import { describe, expect, it } from 'vitest';
import { readScore } from '../../src/kinds/rating/read-score.js';
import { createClassificationNormalizer } from '../../src/normalize/classification.js';
import { extractQaAnswer } from '../../src/normalize/qa/extract.js';

// A provider's bytes that are not valid UTF-8 decode to U+FFFD: what stood there is lost. A label,
// an answer or a score read through a lost character could have been another one (`neg\uFFFDative`,
// `isn\uFFFD\uFFFD\uFFFDt positive`: a curly apostrophe cut), so the reader abstains with the reason
// `encoding`; a lost character elsewhere (a mangled quote in a critique) leaves the reading alone.
const L = (name: string) => ({ name, aliases: [] });
const sentiment = createClassificationNormalizer({ labels: [L('negative'), L('positive'), L('neutral')] });
const binary = createClassificationNormalizer({ labels: [L('negative'), L('positive')] });
const D = '\uFFFD';

describe('answers with bytes lost in decoding (U+FFFD)', () => {
  it.each([`neg${D}ative`, `negat${D}ve`, `Answer: posit${D}ve`, `The sentiment is ${D}${D}positive`, `I think it is neg${D}`, `neutra${D}`])('classification: %j abstains as encoding', (output) => {
    expect(sentiment({ output })).toMatchObject({ kind: 'abstain', reason: 'encoding' });
  });

  it('classification: a lost apostrophe in a negation is not read as the label it negates', () => {
    expect(binary({ output: `It isn${D}${D}${D}t positive.` })).toMatchObject({ kind: 'abstain', reason: 'encoding' });
    expect(binary({ output: `Answer: neg${D}ative\nI first considered positive.` })).toMatchObject({ kind: 'abstain', reason: 'encoding' });
  });

  it('classification: a lost character away from the answer changes nothing', () => {
    expect(sentiment({ output: `Negative. The reviewer says ${D}${D} was bad.` })).toMatchObject({ kind: 'label', dist: Float64Array.from([1, 0, 0]) });
    expect(sentiment({ output: `positive ${D}` })).toMatchObject({ kind: 'label' });
  });

  it('QA: a free-form, numeric or choice answer read through a lost character abstains; one stated clear of it is read', () => {
    expect(extractQaAnswer(`The answer is Z${D}${D}rich.`, { answerType: 'free-form' })).toMatchObject({ kind: 'abstain', reason: 'encoding' });
    expect(extractQaAnswer(`So 40 + 2 = 42.\n#### 4${D}`, { answerType: 'numeric' })).toMatchObject({ kind: 'abstain', reason: 'encoding' });
    expect(extractQaAnswer(`The mangled word ${D}${D}umes aside, the total is 42.\n#### 42`, { answerType: 'numeric' })).toMatchObject({ kind: 'answer', key: expect.stringContaining('42') });
    const choices = [{ label: 'A', text: 'Paris' }, { label: 'B', text: 'Rome' }];
    expect(extractQaAnswer(`The answer is (B${D}`, { answerType: 'multiple-choice', choices })).toMatchObject({ kind: 'abstain', reason: 'encoding' });
    expect(extractQaAnswer(`The answer is (B).`, { answerType: 'multiple-choice', choices })).toMatchObject({ kind: 'answer', choice: 'B' });
  });

  it('rating: a score read through a lost character abstains; a lost character in the critique does not', () => {
    const scale = { min: 0, max: 100 };
    expect(readScore(`Fluent but for one word.\nScore: 8${D}`, scale)).toMatchObject({ kind: 'abstain', reason: 'encoding' });
    expect(readScore(`It should read "${D}${D}umes" (e-cigarette).\nScore: 85`, scale)).toMatchObject({ kind: 'score', score: 85 });
    expect(readScore(`Score: 4${D}5`, { min: 1, max: 5 })).toMatchObject({ kind: 'abstain', reason: 'encoding' });
  });
});
