import { describe, expect, it } from 'vitest';
import { createClassificationNormalizer } from '../../src/normalize/classification.js';
import { readJsonAnswer } from '../../src/normalize/json-answer.js';
import type { NormalizedLabel } from '../../src/normalize/types.js';
import { TASKS } from './fixtures.js';

const rounded = (n: NormalizedLabel) => (n.kind === 'label' ? Array.from(n.dist).map((x) => Number(x.toFixed(6))) : n.reason);

describe('JSON answers', () => {
  const sentiment = createClassificationNormalizer(TASKS.sentiment);
  const emotion = createClassificationNormalizer(TASKS.emotion);

  it('reads a label and a confidence from a fenced code block', () => {
    const n = sentiment({ output: 'Here is my answer:\n```json\n{"label": "positive", "confidence": 0.9}\n```' });
    expect(n).toMatchObject({ kind: 'label', method: 'json', confidence: 0.9 });
    expect(rounded(n)).toEqual([0.05, 0.05, 0.9]);
  });

  it('a label key holding a list of several labels is ambiguous, a null is empty: never the first label named', () => {
    expect(sentiment({ output: '{"label": ["positive", "negative"]}' })).toMatchObject({ kind: 'abstain', reason: 'ambiguous' });
    expect(sentiment({ output: '```json\n{"answer": ["negative", "neutral"], "confidence": 0.9}\n```' })).toMatchObject({ kind: 'abstain', reason: 'ambiguous' });
    expect(sentiment({ output: '{"label": null}' })).toMatchObject({ kind: 'abstain', reason: 'empty' });
    // One label, however often it is listed, is that label; a label written as one value wins over a null elsewhere.
    expect(sentiment({ output: '{"label": ["positive"]}' })).toMatchObject({ kind: 'label', method: 'json' });
    expect(rounded(sentiment({ output: '{"label": ["positive", "Positive"]}' }))).toEqual([0, 0, 1]);
    expect(rounded(sentiment({ output: '{"label": null, "sentiment": "negative"}' }))).toEqual([1, 0, 0]);
  });

  it('reads percentages, 0-100 numbers and confidence words', () => {
    expect(rounded(sentiment({ output: '{"sentiment": "Negative", "confidence": "80%"}' }))).toEqual([0.8, 0.1, 0.1]);
    expect(rounded(sentiment({ output: '{"answer": "neutral", "probability": 60}' }))).toEqual([0.2, 0.6, 0.2]);
    expect(rounded(sentiment({ output: '{"label": "neutral", "confidence": "high"}' }))).toEqual([0.05, 0.9, 0.05]);
    expect(rounded(sentiment({ output: '{"label": "neutral", "score": 1}' }))).toEqual([0, 1, 0]);
  });

  it('keeps the chosen label the most likely when the stated confidence is low', () => {
    const n = sentiment({ output: '{"label": "positive", "confidence": 0.1}' });
    const d = rounded(n) as number[];
    expect(d[2]).toBeCloseTo(1 / 3 + 0.01, 6);
    expect(Math.max(...d)).toBe(d[2]);
  });

  it('reads option letters and label names inside JSON values', () => {
    expect(rounded(emotion({ output: '{"answer": "B"}' }))).toEqual([0, 1, 0, 0, 0, 0]);
    expect(rounded(emotion({ output: '{"answer": "(C) Joy", "confidence": 1}' }))).toEqual([0, 0, 1, 0, 0, 0]);
    expect(rounded(emotion({ output: '{"choice": 4}' }))).toBe('out-of-set');
  });

  it('reads a whole distribution, renormalized over the known labels', () => {
    expect(rounded(sentiment({ output: '{"positive": 0.7, "neutral": 0.2, "negative": 0.1}' }))).toEqual([0.1, 0.2, 0.7]);
    expect(rounded(sentiment({ output: '{"probabilities": {"Positive": 3, "Negative": 1, "mixed": 4}}' }))).toEqual([0.25, 0, 0.75]);
  });

  it('reads a sentence in the label field as text', () => {
    expect(rounded(sentiment({ output: '{"answer": "The sentiment is negative because sales fell."}' }))).toEqual([1, 0, 0]);
    expect(sentiment({ output: '{"answer": "The text reports quarterly figures for the bank."}' })).toMatchObject({ kind: 'abstain', reason: 'no-label' });
  });

  it('abstains on labels outside the set and on two labels', () => {
    expect(sentiment({ output: '{"label": "bullish", "confidence": 0.7}' })).toMatchObject({ kind: 'abstain', reason: 'out-of-set' });
    expect(sentiment({ output: '{"label": "positive or neutral"}' })).toMatchObject({ kind: 'abstain', reason: 'ambiguous' });
    expect(sentiment({ output: '{"label": ""}' })).toMatchObject({ kind: 'abstain', reason: 'empty' });
  });

  it('falls back to the text when the JSON is invalid or has no label field', () => {
    expect(rounded(sentiment({ output: '{label: positive}' }))).toEqual([0, 0, 1]);
    expect(rounded(sentiment({ output: 'The answer is negative {see note}' }))).toEqual([1, 0, 0]);
    expect(readJsonAnswer('{"reasoning": "long"}')).toBeUndefined();
    expect(readJsonAnswer('no json here')).toBeUndefined();
  });

  it('validates field types with zod', () => {
    expect(readJsonAnswer('{"label": {"name": "positive"}}')).toBeUndefined();
    expect(readJsonAnswer('{"label": "positive", "confidence": 0.4, "rationale": "x"}')).toEqual({ label: 'positive', confidence: 0.4 });
  });
});
