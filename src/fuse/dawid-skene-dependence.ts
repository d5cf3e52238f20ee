/**
 * Dawid-Skene assumes voters independent given the true class. Families of near-copies (quantised
 * variants, fine-tunes of one base) break that: they agree with one another far more often than
 * their own confusion rows allow, and EM takes their agreement for reliability. Strong independent
 * voters agree too, but because they are right: given the class, their agreement is what their
 * confusion rows predict. So the test is done CONDITIONAL ON THE LATENT CLASS, under the model's own
 * posteriors and rows, and repeated at every EM iteration:
 *
 *   observed agreement O_ab (items both answered) against E_ab = sum_i sum_k T_ik P_a(. | k).P_b(. | k).
 *
 * A pair counts as dependent only when O_ab - E_ab exceeds Bernstein's bound for a sum of
 * independent Bernoulli variables at the family-wise level DEPENDENCE_LEVEL over all pairs (a
 * bound, so it holds whatever the items' agreement chances are; their variance is bounded by the
 * binomial one at the mean chance). Its strength is phi_ab = (O_ab - E_ab) / (n_ab - E_ab), the
 * share of the items on which b repeats a beyond chance (a copy rate: b = a with probability phi,
 * else independent given the class, gives exactly this).
 *
 * Each voter's design effect is then 1 + sum_b phi_ab: g voters with pairwise copy rate rho carry
 * g / (1 + (g - 1) rho) voters' worth of information, so each counts 1 / (1 + (g - 1) rho): exact
 * copies count once together, independent voters fully, and a family is down-weighted, never
 * deleted. The weight is taken relative to the median voter's design effect (see below).
 *
 * Limit: a family that outnumbers the independent voters is not caught. The vote then starts EM on
 * the family's answer, and given that latent the copies are independent while the others agree
 * beyond chance: the two explanations are mirror images, and the answers alone cannot tell them apart.
 * The same mirror image costs the most when the minority block is the right one: a few strong voters
 * among a weak crowd that errs toward one shared tempting answer, on few items (STRONG_FEW_WORLD in
 * test/support/crowd-world-specs.ts, and small item draws of the dev sets in bench/unseen-draws.ts).
 * The vote's latent follows the crowd's attractor, the strong few then agree beyond what their rows
 * predict and are down-weighted as a family, while the crowd's shared attractor, being the typical
 * voter's dependence, is not. Not solved: which block tracks the truth is not in the answers.
 * What is known (bench/dawid-skene-fixed-points.ts): there the truth is a fixed point of this EM,
 * but neither the vote nor EM without the test leads to it, and the statistics that could choose
 * between fixed points point the wrong way in one world or the other. A latent built from a block's
 * correlated answers absorbs that block's dependence: given it, the block looks independent and the
 * voters outside it look like copies. So the fixed point that follows the copies (families world)
 * and the one that follows the crowd's attractor (strong few) both show fewer dependent pairs than
 * the truth, and the first also has the higher likelihood per unit weight. Also tried and dropped:
 * the test at EM-without-the-test's solution, the choice of the fixed point with the least
 * down-weighting or with the most dependence (over starts from each voter's answers), and the
 * design effect taken absolutely instead of relative to the median voter (it catches a family that
 * outnumbers the crowd, and takes a crowd that shares an attractor for one). Starting EM from each
 * flagged block's own answers reaches the truth with the strong few, but neither the most dependence,
 * the pairwise composite likelihood, nor the least copy-like dependence then keeps the right fixed
 * point in both the strong-few and the families worlds. BENCHMARKS.md, "Dawid-Skene on few items",
 * says which world each breaks.
 */

import { median } from '../util/median.js';

/** Family-wise level of the dependence test over all pairs of voters. */
export const DEPENDENCE_LEVEL = 0.05;
/** Pairs are compared on at most this many items (evenly spaced), so the test stays cheap at scale. */
const PAIR_SAMPLE = 4000;

/** Observed agreement of every pair of voters with a non-zero weight, counted once per EM run. */
export interface PairAgreement {
  /** Voters a < b of each pair, flattened as [a0, b0, a1, b1, ...]. */
  pairs: Int32Array;
  /** Items both answered (with at least two candidates). */
  both: Float64Array;
  /** Items on which both gave the same answer. */
  same: Float64Array;
  /** Per-item candidates only: sum over the items both answered of 1 / (Ki - 1). */
  inverseWrong: Float64Array;
  /** Items sampled, in order. */
  items: Int32Array;
  /** Per voter, the sampled items (indices into `items`) it did not answer. */
  missing: Int32Array[];
  /** log(pairs / DEPENDENCE_LEVEL), the Bernstein bound's exponent. */
  logOdds: number;
}

/**
 * Counts once what does not change across EM iterations. `candidateCounts` is given for per-item
 * candidates (free-form and numeric answers), where items with fewer than two candidates cannot
 * disagree and are left out.
 */
export function pairAgreement(votes: Int32Array, N: number, M: number, weights: Float64Array, candidateCounts?: Int32Array): PairAgreement {
  const stride = Math.max(1, Math.ceil(N / PAIR_SAMPLE));
  const items: number[] = [];
  for (let i = 0; i < N; i += stride) {
    let any = false;
    for (let j = 0; j < M && !any; j++) any = (votes[i * M + j] as number) >= 0;
    if (any && (!candidateCounts || (candidateCounts[i] as number) >= 2)) items.push(i);
  }
  const missing: Int32Array[] = [];
  for (let j = 0; j < M; j++) {
    const m: number[] = [];
    items.forEach((i, s) => {
      if ((votes[i * M + j] as number) < 0) m.push(s);
    });
    missing.push(Int32Array.from(m));
  }
  const voters: number[] = [];
  for (let j = 0; j < M; j++) if ((weights[j] as number) > 0) voters.push(j);
  const P = (voters.length * (voters.length - 1)) / 2;
  const pairs = new Int32Array(2 * P);
  const both = new Float64Array(P);
  const same = new Float64Array(P);
  const inverseWrong = new Float64Array(P);
  let p = 0;
  for (let x = 0; x < voters.length; x++) {
    const a = voters[x] as number;
    for (let y = x + 1; y < voters.length; y++) {
      const b = voters[y] as number;
      pairs[2 * p] = a;
      pairs[2 * p + 1] = b;
      let n = 0;
      let s = 0;
      let inv = 0;
      for (const i of items) {
        const va = votes[i * M + a] as number;
        const vb = votes[i * M + b] as number;
        if (va < 0 || vb < 0) continue;
        n++;
        if (va === vb) s++;
        if (candidateCounts) inv += 1 / ((candidateCounts[i] as number) - 1);
      }
      both[p] = n;
      same[p] = s;
      inverseWrong[p] = inv;
      p++;
    }
  }
  return { pairs, both, same, inverseWrong, items: Int32Array.from(items), missing, logOdds: Math.log(Math.max(1, P) / DEPENDENCE_LEVEL) };
}

/** The largest excess of a sum of n independent Bernoulli variables of mean chance p over its mean that Bernstein's inequality allows at exp(-L). */
export function bernsteinExcess(n: number, p: number, L: number): number {
  const variance = n * p * (1 - p);
  return L / 3 + Math.sqrt((L / 3) ** 2 + 2 * variance * L);
}

/** The model's answer distributions, for the expected agreement of a pair. */
export type ChanceModel =
  /** Shared labels: row-normalized confusion[(j*K + k)*K + l] and the posteriors T[i*K + k]. */
  | { kind: 'confusion'; confusion: Float64Array; posteriors: Float64Array; K: number }
  /** Per-item candidates: each voter's probability of naming the truth; wrong answers spread evenly. */
  | { kind: 'coin'; accuracy: Float64Array };

/**
 * Per voter, min(1, (1 + typical) / (1 + S)), where S sums the copy rates phi of the pairs it
 * belongs to that the test at DEPENDENCE_LEVEL finds dependent given the latent class and `typical`
 * is the median voter's S; written into `out`. Voters outside every pair get 1.
 */
export function dependenceWeights(table: PairAgreement, M: number, model: ChanceModel, out: Float64Array): void {
  const P = table.both.length;
  let mass: Float64Array | undefined;
  let missMass: Float64Array | undefined;
  const K = model.kind === 'confusion' ? model.K : 0;
  if (model.kind === 'confusion') {
    // Class mass over the sampled items, and per voter over the sampled items it did not answer.
    mass = new Float64Array(K);
    for (const i of table.items) for (let k = 0; k < K; k++) mass[k] = (mass[k] as number) + (model.posteriors[i * K + k] as number);
    missMass = new Float64Array(M * K);
    for (let j = 0; j < M; j++) {
      for (const s of table.missing[j] as Int32Array) {
        const i = table.items[s] as number;
        for (let k = 0; k < K; k++) missMass[j * K + k] = (missMass[j * K + k] as number) + (model.posteriors[i * K + k] as number);
      }
    }
  }
  const pairMass = new Float64Array(K);
  const shared = new Float64Array(M);
  const voters = new Set<number>();
  for (let p = 0; p < P; p++) {
    const n = table.both[p] as number;
    if (n === 0) continue;
    const a = table.pairs[2 * p] as number;
    const b = table.pairs[2 * p + 1] as number;
    voters.add(a);
    voters.add(b);
    let expected = 0;
    if (model.kind === 'confusion') {
      const m = mass as Float64Array;
      const miss = missMass as Float64Array;
      for (let k = 0; k < K; k++) pairMass[k] = (m[k] as number) - (miss[a * K + k] as number) - (miss[b * K + k] as number);
      // Items neither answered were taken off twice.
      const missB = table.missing[b] as Int32Array;
      if (missB.length > 0) {
        for (const s of table.missing[a] as Int32Array) {
          if (!binaryHas(missB, s)) continue;
          const i = table.items[s] as number;
          for (let k = 0; k < K; k++) pairMass[k] = (pairMass[k] as number) + (model.posteriors[i * K + k] as number);
        }
      }
      for (let k = 0; k < K; k++) {
        let chance = 0;
        const ra = (a * K + k) * K;
        const rb = (b * K + k) * K;
        for (let l = 0; l < K; l++) chance += (model.confusion[ra + l] as number) * (model.confusion[rb + l] as number);
        expected += (pairMass[k] as number) * chance;
      }
    } else {
      const qa = model.accuracy[a] as number;
      const qb = model.accuracy[b] as number;
      expected = n * qa * qb + (1 - qa) * (1 - qb) * (table.inverseWrong[p] as number);
    }
    const excess = (table.same[p] as number) - expected;
    if (n - expected <= 0 || excess <= bernsteinExcess(n, expected / n, table.logOdds)) continue;
    const phi = Math.min(1, excess / (n - expected));
    shared[a] = (shared[a] as number) + phi;
    shared[b] = (shared[b] as number) + phi;
  }
  // Dependence the whole crowd shares (item difficulty, a common tempting wrong answer) scales every
  // voter alike and leaves the balance between voters as it is; what misleads EM is dependence
  // concentrated in some voters. So each voter's design effect is taken relative to the typical
  // (median) voter's, and no voter is weighed above 1.
  const typical = voters.size === 0 ? 0 : median(Array.from(voters, (j) => shared[j] as number));
  for (let j = 0; j < M; j++) out[j] = Math.min(1, (1 + typical) / (1 + (shared[j] as number)));
}

function binaryHas(sorted: Int32Array, x: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid] as number;
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
