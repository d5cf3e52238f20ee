import { describe, expect, it } from 'vitest';
import { spreadConfidence, statedConfidence, VERBAL_CONFIDENCE } from '../../src/normalize/confidence.js';
import { createClassificationNormalizer } from '../../src/normalize/classification.js';
import { TASKS } from './fixtures.js';

describe('confidence', () => {
  it('reads numeric confidence in its usual spellings', () => {
    expect(statedConfidence('positive (confidence: 80%)')).toBeCloseTo(0.8);
    expect(statedConfidence('confidence 0.65')).toBeCloseTo(0.65);
    expect(statedConfidence('probability = 0.9')).toBeCloseTo(0.9);
    expect(statedConfidence('i am 90% sure')).toBeCloseTo(0.9);
    expect(statedConfidence('confidence: 8/10')).toBeCloseTo(0.8);
    expect(statedConfidence('negative (70%)')).toBeCloseTo(0.7);
  });

  it('reads verbal confidence with the documented table, the longest phrase winning', () => {
    expect(statedConfidence("i'm fairly sure it is positive")).toBe(0.75);
    expect(statedConfidence('definitely negative')).toBe(0.95);
    expect(statedConfidence('i am not very confident')).toBe(0.5);
    expect(statedConfidence('not sure, maybe neutral')).toBe(0.45);
    expect(statedConfidence('positive')).toBeUndefined();
    expect(statedConfidence('the article has a liberal leaning')).toBeUndefined();
    for (const [phrase, c] of VERBAL_CONFIDENCE) expect(statedConfidence(`${phrase} b`)).toBe(c);
  });

  it('spreads the rest evenly and keeps the chosen label on top', () => {
    expect(Array.from(spreadConfidence(3, 2, 0.8)).map((x) => Number(x.toFixed(6)))).toEqual([0.1, 0.1, 0.8]);
    expect(Array.from(spreadConfidence(2, 0, undefined))).toEqual([1, 0]);
    const low = spreadConfidence(4, 1, 0.05);
    expect(low[1]).toBeCloseTo(0.26);
    expect(low.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('shapes text answers', () => {
    const n = createClassificationNormalizer(TASKS.sentiment)({ output: "Negative, I'm fairly sure." });
    expect(n).toMatchObject({ kind: 'label', confidence: 0.75 });
    if (n.kind === 'label') expect(Array.from(n.dist).map((x) => Number(x.toFixed(6)))).toEqual([0.75, 0.125, 0.125]);
  });
});
