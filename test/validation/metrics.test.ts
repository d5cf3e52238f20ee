import { describe, expect, it } from 'vitest';
import { cohensKappa, fleissKappa } from '../../src/eval/agreement.js';
import { scoreClassification } from '../../src/validation/metrics.js';

/** Builds a prediction from hard labels (-1 = abstain) with one-hot rows. */
function hard(labels: number[], K: number) {
  const probs = new Float64Array(labels.length * K);
  const decided = new Uint8Array(labels.length);
  labels.forEach((k, i) => {
    if (k < 0) return;
    probs[i * K + k] = 1;
    decided[i] = 1;
  });
  return { probs, decided };
}

describe('scoreClassification', () => {
  // gold:  a a a b b c ; pred: a a b b c -1(abstain)
  const gold = Int32Array.from([0, 0, 0, 1, 1, 2]);
  const pred = hard([0, 0, 1, 1, 2, -1], 3);
  const s = scoreClassification(gold, pred, ['a', 'b', 'c']);

  it('counts an abstention as wrong in accuracy and as a miss in recall', () => {
    expect(s.accuracy).toBeCloseTo(3 / 6);
    expect(s.coverage).toBeCloseTo(5 / 6);
    expect(s.selectiveAccuracy).toBeCloseTo(3 / 5);
  });

  it('computes per-class precision, recall and F1 by hand', () => {
    // a: tp 2, predicted 2, support 3 -> P 1, R 2/3, F1 0.8
    // b: tp 1, predicted 2, support 2 -> P 0.5, R 0.5, F1 0.5
    // c: tp 0, predicted 1, support 1 -> 0
    expect(s.perClass[0]).toMatchObject({ label: 'a', precision: 1, support: 3 });
    expect(s.perClass[0]?.recall).toBeCloseTo(2 / 3);
    expect(s.perClass[0]?.f1).toBeCloseTo(0.8);
    expect(s.perClass[1]).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(s.perClass[2]).toMatchObject({ precision: 0, recall: 0, f1: 0 });
    expect(s.macroF1).toBeCloseTo((0.8 + 0.5 + 0) / 3);
  });

  it('averages macro-F1 over labels seen in gold or predictions only (scikit-learn default)', () => {
    const r = scoreClassification(Int32Array.from([0, 1]), hard([0, 1], 3), ['a', 'b', 'never']);
    expect(r.macroF1).toBe(1);
  });

  it('skips unlabelled items (gold -1)', () => {
    const r = scoreClassification(Int32Array.from([0, -1, 1]), hard([0, 0, 0], 2), ['a', 'b']);
    expect(r.accuracy).toBe(0.5);
  });

  it('computes Brier score and ECE on soft predictions', () => {
    const probs = Float64Array.from([0.8, 0.2, 0.6, 0.4]);
    const r = scoreClassification(Int32Array.from([0, 1]), { probs, decided: Uint8Array.from([1, 1]) }, ['a', 'b']);
    // item 1: (0.8-1)^2 + 0.2^2 = 0.08; item 2: 0.6^2 + (0.4-1)^2 = 0.72; mean 0.4
    expect(r.brier).toBeCloseTo(0.4);
    // bins: conf 0.8 right (bin 8), conf 0.6 wrong (bin 6): ECE = 0.5*|1-0.8| + 0.5*|0-0.6| = 0.4
    expect(r.ece).toBeCloseTo(0.4);
  });
});

describe('agreement', () => {
  it("computes Cohen's kappa as worked by hand", () => {
    // 10 items: both yes 4, both no 3, a yes/b no 2, a no/b yes 1 -> po 0.7,
    // pa(yes)=0.6, pb(yes)=0.5 -> pe = 0.3 + 0.2 = 0.5 -> kappa 0.4
    const a = Int32Array.from([1, 1, 1, 1, 0, 0, 0, 1, 1, 0]);
    const b = Int32Array.from([1, 1, 1, 1, 0, 0, 0, 0, 0, 1]);
    expect(cohensKappa(a, b, 2)).toBeCloseTo(0.4);
  });

  it("ignores items either rater skipped in Cohen's kappa", () => {
    expect(cohensKappa(Int32Array.from([0, 1, -1]), Int32Array.from([0, 1, 0]), 2)).toBe(1);
  });

  it("computes Fleiss' kappa on the textbook example (Wikipedia, 10 items x 14 raters)", () => {
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    const raters = Array.from({ length: 14 }, () => new Int32Array(10));
    table.forEach((counts, i) => {
      let r = 0;
      counts.forEach((c, k) => {
        for (let t = 0; t < c; t++) (raters[r++] as Int32Array)[i] = k;
      });
    });
    expect(fleissKappa(raters, 5)).toBeCloseTo(0.21, 2);
  });
});
