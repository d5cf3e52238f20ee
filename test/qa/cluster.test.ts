import { describe, expect, it } from 'vitest';
import { buildItemAnswers } from '../../src/qa/build-items.js';
import type { QaContext } from '../../src/normalize/qa/extract.js';

function clustersOf(question: string, ctx: QaContext, outputs: string[]): number[] {
  const { item, answerIndex } = buildItemAnswers(
    'q',
    question,
    ctx,
    outputs.map((output, model) => ({ model, output })),
    outputs.length,
  );
  return Array.from(answerIndex, (a) => (a < 0 ? -1 : (item.clusterOf[a] as number)));
}

const freeForm: QaContext = { answerType: 'free-form' };

describe('clustering free-form answers (EVOUNA-NQ shapes)', () => {
  it('puts the short answer and every sentence containing it in one cluster', () => {
    expect(
      clustersOf('who got the first nobel prize in physics', freeForm, [
        'Wilhelm Röntgen',
        'The first Nobel Prize in Physics was awarded to Wilhelm Röntgen in 1901.',
        'The first Nobel Prize in Physics was awarded in 1901 to Wilhelm Röntgen for his discovery of X-rays.',
        'The first Nobel Prize in Physics was awarded in 1901 to Wilhelm Conrad Röntgen, a German physicist.',
        'According to Wikipedia, Wilhelm Conrad Röntgen of Germany got the first Nobel Prize in Physics in 1901 for his discovery of X-rays.',
      ]),
    ).toEqual([0, 0, 0, 0, 0]);
  });

  it('joins a short statement of an answer to it when the added words say nothing of the answer', () => {
    // "The city is Paris." adds only a stopword and a word of the question: the same answer, where
    // token F1 alone (0.5) kept them apart. A short answer that adds a name is another answer.
    expect(clustersOf('Which city is the capital of France?', freeForm, ['Paris', 'The city is Paris.', 'It is Paris', 'Paris or Lyon', 'Lyon'])).toEqual([0, 0, 0, 1, 2]);
    // A short answer made of the question's own words is no answer to join.
    expect(clustersOf('Who owns Reading FC?', freeForm, ['Reading', 'It is Reading', 'Dai Yongge'])).toEqual([0, 1, 2]);
    // Negation still separates.
    expect(clustersOf('Is the comment toxic?', freeForm, ['toxic', 'It is not toxic'])).toEqual([0, 1]);
  });

  it('keeps an answer apart from its negation, short or in a sentence', () => {
    expect(
      clustersOf('how would you describe this comment', freeForm, [
        'toxic',
        'non-toxic',
        'Toxic',
        'After reading it twice, I would say that the comment is not toxic at all.',
        'After reading it twice, I would say that the comment is toxic and rude.',
      ]),
    ).toEqual([0, 1, 0, 2, 0]);
    // Sentences with no short answer to join: alike in words, opposite in what they negate.
    expect(
      clustersOf('which city is the capital', freeForm, [
        'As far as I can tell from the sources, the capital is Paris, not Lyon.',
        'As far as I can tell from the sources, the capital is Lyon, not Paris.',
        'As far as I can tell from these sources, the capital is Paris, not Lyon.',
      ]),
    ).toEqual([0, 1, 0]);
  });

  it('joins sentences to a stopword-like short answer ("AM")', () => {
    expect(
      clustersOf('which mode is used for short wave broadcast service', freeForm, [
        'AM',
        'Shortwave broadcast service is typically used in the AM broadcasting mode.',
        'The mode used for short wave broadcast service is amplitude modulation (AM).',
      ]),
    ).toEqual([0, 0, 0]);
  });

  it('separates different answers', () => {
    expect(
      clustersOf('who played michael scott in the office', freeForm, [
        'Ed Helms',
        'Steve Carell played the role of Michael Scott in The Office.',
        'Michael Scott was played by Steve Carell.',
        'Ed Helms',
      ]),
    ).toEqual([0, 1, 1, 0]);
  });

  it('merges near-identical short answers and numbers, keeps different people apart', () => {
    expect(clustersOf('who', freeForm, ['John F. Kennedy', 'John Kennedy', 'George Washington', 'George Bush'])).toEqual([0, 0, 1, 2]);
    expect(clustersOf('how many episodes are there in dragon ball z', freeForm, ['291 episodes', '291', 'There are 291 episodes in Dragon Ball Z.', '276'])).toEqual([0, 0, 0, 1]);
  });

  it('leaves refusals out of every cluster', () => {
    expect(clustersOf('who is rose in the fall season 2', freeForm, ["I'm sorry, I don't know.", 'Rose Stagg'])).toEqual([-1, 0]);
  });
});

describe('clustering numbers and choices', () => {
  it('1,000 / 1000.0 / one thousand / $1,000 are one numeric answer, 1001 another', () => {
    expect(
      clustersOf('how much', { answerType: 'numeric' }, [
        'The answer is 1,000.',
        'So the total is \\boxed{1000.0}',
        'The answer is one thousand.',
        'She pays $1,000 in total.\n#### 1000',
        'The answer is 1001.',
      ]),
    ).toEqual([0, 0, 0, 0, 1]);
  });

  it('choice letter and choice text are one answer', () => {
    const choices = [
      { label: 'A', text: 'town' },
      { label: 'B', text: 'village' },
      { label: 'C', text: 'city' },
    ];
    expect(
      clustersOf('which?', { answerType: 'multiple-choice', choices }, ['\\boxed{(C) \\text{city}}', 'The answer is city.', 'The answer is (C).', 'The answer is (A).', 'The answer is (A) or (C).']),
    ).toEqual([0, 0, 0, 1, -1]);
  });
});

describe('item summary', () => {
  it('several samples of one model make one voice: shares sum to 1 per answering model', () => {
    const { item } = buildItemAnswers(
      'q',
      'how many',
      { answerType: 'numeric' },
      [
        { model: 0, sample: 0, output: '\\boxed{3}' },
        { model: 0, sample: 1, output: '\\boxed{3}' },
        { model: 0, sample: 2, output: '\\boxed{4}' },
        { model: 1, output: '\\boxed{4}' },
        { model: 2, output: 'no idea' },
      ],
      3,
    );
    const C = item.clusters.length;
    expect(C).toBe(2);
    expect(item.share[0]).toBeCloseTo(2 / 3);
    expect(item.share[1]).toBeCloseTo(1 / 3);
    expect(item.share[C + 1]).toBe(1);
    expect(Array.from(item.answered)).toEqual([1, 1, 0]);
    // centrality of model 1's "4": model 0 agrees with it in 1 of 3 samples.
    expect(item.centrality[3]).toBeCloseTo(1 / 3);
  });
});

describe('short answers that only repeat the question', () => {
  it('do not swallow the sentences that restate the question', () => {
    expect(
      clustersOf('who is the owner of reading football club', freeForm, [
        'Reading',
        'The owner of Reading Football Club is Dai Yongge.',
        'Reading Football Club is owned by Dai Yongge and Dai Xiu Li.',
      ]),
    ).toEqual([0, 1, 1]);
  });
});
