import { describe, expect, it } from 'vitest';
import { fitMixtureWeights, mixtureLogLikelihood, pruneWeights } from '../../src/fuse/mixture-weights.js';
import { seededRandom } from '../../src/util/random.js';

/** Rows of K=2 distributions from each row's probability of label 0. */
const rows = (p0: number[]): Float64Array => Float64Array.from(p0.flatMap((p) => [p, 1 - p]));

describe('mixture weights', () => {
  it('gives all the weight to a candidate that is always surer of the truth', () => {
    const gold = Int32Array.from([0, 1, 0, 1]);
    const sure = rows([0.9, 0.1, 0.9, 0.1]);
    const coin = rows([0.5, 0.5, 0.5, 0.5]);
    const w = fitMixtureWeights([coin, sure], gold, 2);
    expect(w[1]).toBeGreaterThan(0.999);
  });

  it('splits evenly between two mirror-image candidates', () => {
    // A is right on rows 0-1, B on rows 2-3, with the same confidence: the likelihood is symmetric.
    const gold = Int32Array.from([0, 0, 0, 0]);
    const a = rows([0.9, 0.9, 0.1, 0.1]);
    const b = rows([0.1, 0.1, 0.9, 0.9]);
    const w = fitMixtureWeights([a, b], gold, 2);
    expect(w[0]).toBeCloseTo(0.5, 6);
    expect(w[1]).toBeCloseTo(0.5, 6);
  });

  it('matches the hand-worked optimum of a two-candidate case', () => {
    // Row 0: A gives the truth 1, B 0.5; row 1: A 0 (floored), B 0.5. L(w) = (0.5 + 0.5w)(0.5 - 0.5w) is largest at w = 0.
    const gold = Int32Array.from([0, 0]);
    const w = fitMixtureWeights([rows([1, 0]), rows([0.5, 0.5])], gold, 2);
    expect(w[0]).toBeLessThan(1e-3);
    // An interior optimum: row 0 A 0.8, B 0.2; row 1 A 0.2, B 0.8, so L(w) = (0.2 + 0.6w)(0.8 - 0.6w),
    // whose derivative 0.6(0.8 - 0.6w) - 0.6(0.2 + 0.6w) vanishes at w = 0.5.
    const w2 = fitMixtureWeights([rows([0.8, 0.2]), rows([0.2, 0.8])], Int32Array.from([0, 0]), 2);
    expect(w2[0]).toBeCloseTo(0.5, 5);
  });

  it('reaches the optimum on random candidates: no other point of the simplex does better', () => {
    const random = seededRandom(5);
    const K = 3;
    const n = 200;
    const gold = Int32Array.from({ length: n }, () => Math.floor(random() * K));
    const probs = Array.from({ length: 4 }, () => {
      const p = new Float64Array(n * K);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += (p[i * K + k] = random() + (k === gold[i] ? random() : 0));
        for (let k = 0; k < K; k++) p[i * K + k] = (p[i * K + k] as number) / s;
      }
      return p;
    });
    const w = fitMixtureWeights(probs, gold, K);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    const best = mixtureLogLikelihood(probs, w, gold, K);
    for (let t = 0; t < 200; t++) {
      const v = Array.from({ length: 4 }, () => random());
      const s = v.reduce((a, b) => a + b, 0);
      expect(mixtureLogLikelihood(probs, v.map((x) => x / s), gold, K)).toBeLessThanOrEqual(best + 1e-9);
    }
  });

  it('prunes weights under 1% and renormalizes, keeping the largest when all are small', () => {
    expect(pruneWeights([0.5, 0.005, 0.495])).toEqual([0.5 / 0.995, 0, 0.495 / 0.995]);
    expect(pruneWeights([0.004, 0.006], 0.01)).toEqual([0, 1]);
  });
});
