import { describe, expect, it } from 'vitest';
import { labelOutcomes, riskCoverage } from '../../src/eval/risk-coverage.js';

describe('risk-coverage', () => {
  it('keeps the most confident items first and counts undecided ones as least confident and wrong', () => {
    // 4 items, K=2: confidences 0.9 (right), 0.8 (wrong), 0.6 (right), undecided.
    const probs = Float64Array.from([0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0, 0]);
    const decided = Uint8Array.from([1, 1, 1, 0]);
    const gold = Int32Array.from([0, 0, 0, 1]);
    const points = riskCoverage(labelOutcomes(gold, { probs, decided }, 2), [1, 0.75, 0.5, 0.25]);
    expect(points.map((p) => p.accuracy)).toEqual([0.5, 2 / 3, 0.5, 1]);
    expect(points.map((p) => p.minConfidence)).toEqual([0, 0.6, 0.8, 0.9]);
  });
  it('skips unlabelled items', () => {
    const points = riskCoverage(labelOutcomes(Int32Array.from([-1, 1]), { probs: Float64Array.from([1, 0, 0, 1]), decided: Uint8Array.from([1, 1]) }, 2), [1]);
    expect(points[0]).toEqual({ coverage: 1, accuracy: 1, minConfidence: 1 });
  });
});
