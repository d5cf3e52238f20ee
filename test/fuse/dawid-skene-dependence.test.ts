import { describe, expect, it } from 'vitest';
import { bernsteinExcess, type ChanceModel, dependenceWeights, pairAgreement } from '../../src/fuse/dawid-skene-dependence.js';
import { seededRandom } from '../../src/util/random.js';

/**
 * A crowd with known truth over K labels: `strong` independent voters right 90% of the time,
 * `medium` independent ones right 65%, and `copies` voters that repeat one hidden weak voter (right
 * 40%) with probability `fidelity`, else answer on their own as weakly. Every wrong answer is uniform.
 */
function crowd(seed: number, sizes: { strong: number; medium: number; copies: number }, fidelity = 0.9, N = 500, K = 3) {
  const random = seededRandom(seed);
  const M = sizes.strong + sizes.medium + sizes.copies;
  const votes = new Int32Array(N * M);
  const gold = new Int32Array(N);
  const noisy = (t: number, acc: number) => (random() < acc ? t : (t + 1 + Math.floor(random() * (K - 1))) % K);
  for (let i = 0; i < N; i++) {
    const t = Math.floor(random() * K);
    gold[i] = t;
    const leader = noisy(t, 0.4);
    for (let j = 0; j < M; j++) {
      const v = j < sizes.strong ? noisy(t, 0.9) : j < sizes.strong + sizes.medium ? noisy(t, 0.65) : random() < fidelity ? leader : noisy(t, 0.4);
      votes[i * M + j] = v;
    }
  }
  return { votes, gold, N, M, K };
}

/** The model that knows the truth: one-hot posteriors and each voter's confusion rows counted against gold. */
function truthModel(votes: Int32Array, gold: Int32Array, N: number, M: number, K: number): ChanceModel {
  const posteriors = new Float64Array(N * K);
  const confusion = new Float64Array(M * K * K);
  for (let i = 0; i < N; i++) {
    posteriors[i * K + (gold[i] as number)] = 1;
    for (let j = 0; j < M; j++) {
      const c = (j * K + (gold[i] as number)) * K + (votes[i * M + j] as number);
      confusion[c] = (confusion[c] as number) + 1;
    }
  }
  for (let r = 0; r < M * K; r++) {
    let s = 0;
    for (let l = 0; l < K; l++) s += confusion[r * K + l] as number;
    for (let l = 0; l < K; l++) confusion[r * K + l] = s > 0 ? (confusion[r * K + l] as number) / s : 1 / K;
  }
  return { kind: 'confusion', confusion, posteriors, K };
}

describe('dependence given the latent class', () => {
  it('down-weights a family of near-copies of a weak voter; strong and medium independent voters keep full weight', () => {
    const { votes, gold, N, M, K } = crowd(1, { strong: 8, medium: 8, copies: 6 });
    const table = pairAgreement(votes, N, M, new Float64Array(M).fill(1));
    const w = new Float64Array(M);
    dependenceWeights(table, M, truthModel(votes, gold, N, M, K), w);
    for (let j = 0; j < 16; j++) expect(w[j], `independent voter ${j}`).toBe(1);
    // Six copies at a pairwise copy rate near 0.8 carry little more than one voter's worth together.
    for (let j = 16; j < M; j++) expect(w[j], `copy ${j}`).toBeLessThan(0.3);
  });

  it('strong voters agree because they are right: only conditioning on the class tells them from copies', () => {
    const { votes, gold, N, M, K } = crowd(2, { strong: 8, medium: 8, copies: 0 });
    const table = pairAgreement(votes, N, M, new Float64Array(M).fill(1));
    const given = new Float64Array(M);
    dependenceWeights(table, M, truthModel(votes, gold, N, M, K), given);
    expect(Array.from(given)).toEqual(new Array(M).fill(1));
    // Ignoring the class (one latent class, each voter's rows = its answer shares), the strong voters
    // agree far beyond chance and would be taken for a family.
    const blind = truthModel(votes, new Int32Array(N), N, M, K);
    const w = new Float64Array(M);
    dependenceWeights(table, M, blind, w);
    for (let j = 0; j < 8; j++) expect(w[j]).toBeLessThan(1);
  });

  it('on per-item candidates, copies that share a wrong answer are down-weighted', () => {
    const { votes, gold, N, M } = crowd(3, { strong: 4, medium: 4, copies: 4 }, 0.9, 400, 5);
    const cc = new Int32Array(N).fill(5);
    const accuracy = Float64Array.from({ length: M }, (_, j) => {
      let right = 0;
      for (let i = 0; i < N; i++) if (votes[i * M + j] === gold[i]) right++;
      return right / N;
    });
    const table = pairAgreement(votes, N, M, new Float64Array(M).fill(1), cc);
    const w = new Float64Array(M);
    dependenceWeights(table, M, { kind: 'coin', accuracy }, w);
    for (let j = 0; j < 8; j++) expect(w[j]).toBe(1);
    for (let j = 8; j < M; j++) expect(w[j]).toBeLessThan(0.5);
  });

  it('leaves voters with zero weight out of every pair, and a voter that abstains is compared only where both answered', () => {
    const { votes, N, M } = crowd(4, { strong: 3, medium: 0, copies: 3 }, 1, 100);
    for (let i = 0; i < 50; i++) votes[i * M + 5] = -1;
    const table = pairAgreement(votes, N, M, Float64Array.from([1, 1, 1, 1, 0, 1]));
    const pairs = Array.from({ length: table.both.length }, (_, p) => [table.pairs[2 * p], table.pairs[2 * p + 1], table.both[p], table.same[p]]);
    expect(pairs.some(([a, b]) => a === 4 || b === 4)).toBe(false);
    expect(pairs.find(([a, b]) => a === 3 && b === 5)).toEqual([3, 5, 50, 50]);
  });

  it("Bernstein's bound holds: independent agreement of n Bernoulli draws rarely passes it", () => {
    const random = seededRandom(5);
    const L = Math.log(1 / 0.05);
    let over = 0;
    for (let t = 0; t < 2000; t++) {
      const n = 200;
      const p = 0.2 + 0.7 * random();
      let s = 0;
      for (let i = 0; i < n; i++) if (random() < p) s++;
      if (s - n * p > bernsteinExcess(n, p, L)) over++;
    }
    expect(over / 2000).toBeLessThan(0.05);
  });
});
