import { describe, expect, it } from 'vitest';
import { createClassificationNormalizer } from '../../src/normalize/classification.js';
import { FUZZY_MARGIN, FUZZY_THRESHOLD, fuzzyLabel } from '../../src/normalize/fuzzy.js';
import { LabelMatcher, shortName } from '../../src/normalize/label-matcher.js';
import { isWordForm } from '../../src/normalize/stemming.js';
import { canonicalNumber, cleanText, tokenize } from '../../src/normalize/text.js';
import { TASKS } from './fixtures.js';

describe('word forms', () => {
  it.each([
    ['positively', 'positive', true],
    ['negatives', 'negative', true],
    ['neutrality', 'neutral', true],
    ['positivity', 'positive', true],
    ['joyful', 'joy', true],
    ['sad', 'sadness', true],
    ['surprising', 'surprise', true],
    ['position', 'positive', false],
    ['politics', 'polite', false],
    ['impolite', 'polite', false],
    ['joi', 'joy', false],
    ['entailed', 'entailment', true],
    ['contradicts', 'contradiction', true],
  ] as const)('%s is a form of %s: %s', (token, word, expected) => {
    expect(isWordForm(token, word)).toBe(expected);
  });
});

describe('text helpers', () => {
  it('canonicalizes numeric codes', () => {
    expect(canonicalNumber(' 20')).toBe('20');
    expect(canonicalNumber('1.0')).toBe('1');
    expect(canonicalNumber('20.')).toBe('20');
    expect(canonicalNumber('007')).toBe('7');
    expect(canonicalNumber('1.5')).toBeUndefined();
    expect(canonicalNumber('B')).toBeUndefined();
  });

  it('cleans Markdown, typographic quotes and hidden thoughts', () => {
    expect(cleanText('**“Positive”** — clearly')).toBe('"Positive" - clearly');
    expect(cleanText('<think>negative?</think>B')).toBe(' B');
  });

  it('tokenizes with offsets, capitals and line breaks', () => {
    const t = tokenize('B) Anger\nnon-toxic 1.0');
    expect(t.map((x) => x.text)).toEqual(['b', ')', 'anger', 'non', '-', 'toxic', '1.0']);
    expect(t[0]).toMatchObject({ upper: true, start: 0, end: 1, kind: 'word' });
    expect(t[3]?.newline).toBe(true);
    expect(t[6]?.kind).toBe('number');
  });

  it('takes the head of long option names', () => {
    expect(shortName('evidence (providing concrete facts)')).toBe('evidence');
    expect(shortName('incitement to violence (flaunting in-group unity')).toBe('incitement to violence');
    expect(shortName('positive')).toBeUndefined();
  });
});

describe('fuzzy matching', () => {
  const matcher = new LabelMatcher(TASKS.sentiment);
  it(`accepts typos at Jaro-Winkler >= ${FUZZY_THRESHOLD} with margin ${FUZZY_MARGIN}`, () => {
    expect(fuzzyLabel(matcher, 'postive')?.label).toBe(2);
    expect(fuzzyLabel(matcher, 'nuetral')?.label).toBe(1);
  });
  it('reads abbreviations that start exactly one label', () => {
    expect(fuzzyLabel(matcher, 'neg')?.label).toBe(0);
    expect(fuzzyLabel(matcher, 'pos')?.label).toBe(2);
  });
  it('rejects other words and short strings', () => {
    expect(fuzzyLabel(matcher, 'mixed')).toBeUndefined();
    expect(fuzzyLabel(matcher, 'ne')).toBeUndefined();
    expect(fuzzyLabel(matcher, 'n')).toBeUndefined();
  });
});

describe('labels starting with punctuation or numbers', () => {
  it('reads option texts such as `$925.00` and `4.5 stars` where answers stand', () => {
    const normalize = createClassificationNormalizer({ labels: [{ name: '$925.00', aliases: ['A'] }, { name: '$742.97', aliases: ['B'] }, { name: '4.5 stars', aliases: ['C'] }] });
    expect(normalize({ output: 'The answer is **$925.00**.' })).toMatchObject({ kind: 'label', method: 'verdict', dist: new Float64Array([1, 0, 0]) });
    expect(normalize({ output: 'The answer is $742.97 because of compounding.' })).toMatchObject({ dist: new Float64Array([0, 1, 0]) });
    expect(normalize({ output: 'I would rate it 4.5 stars.' })).toMatchObject({ dist: new Float64Array([0, 0, 1]) });
  });
});

describe('option lines in the instructions', () => {
  it('reads the spelling the prompt showed for a letter as that label', () => {
    const task = {
      labels: [
        { name: 'fear', aliases: ['A'] },
        { name: 'anger', aliases: ['B'] },
      ],
      instructions: 'Which emotion?\nA: Scared or anxious\nB: Angry or irritated (hostile)\nC: Not used',
    };
    const normalize = createClassificationNormalizer(task);
    expect(normalize({ output: 'Scared or anxious' })).toMatchObject({ kind: 'label', method: 'alias' });
    expect(normalize({ output: 'Angry or irritated' })).toMatchObject({ kind: 'label' });
    const without = createClassificationNormalizer({ labels: task.labels });
    expect(without({ output: 'Scared or anxious' })).toMatchObject({ kind: 'abstain' });
  });
});
