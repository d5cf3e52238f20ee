/**
 * Voters that an unsupervised model must not count as independent evidence, by construction: a
 * voter that gives the same answer on (nearly) every item says nothing about any item, and a voter
 * whose answers repeat another's on (nearly) every item adds nothing to it. Left unchecked, both
 * look like highly reliable voters to Dawid-Skene (they agree with the consensus they make).
 *
 * Partial copies are not merged here. Strong independent voters agree because they are right, and
 * telling them from partial copies without a latent class needs a model of chance agreement that
 * real crowds break: the earlier test (agreement beyond what triads of outsiders allow, groups joined
 * transitively) merged dozens of strong, independent voters into one voice when the outsiders were
 * biased, and handed the decision to the weak ones (test/fuse/dawid-skene-worlds.test.ts). Partial
 * copies are down-weighted inside EM instead, by agreement beyond chance given the model's own
 * latent class (dawid-skene-dependence.ts).
 */
export interface VoterScreen {
  /** Per model: 0 for a constant voter, 1/g for each of g duplicates, else 1. */
  weights: Float64Array;
  /** Models whose most common answer covers at least CONSTANT_SHARE of their answers. */
  constant: number[];
  /** Groups of two or more models whose answers are the same on at least DUPLICATE_AGREEMENT of the items both answered. */
  duplicates: number[][];
}

/** Fewer answers than this prove nothing: a voter is judged only on at least this many. */
export const SCREEN_MIN_ANSWERS = 20;
export const CONSTANT_SHARE = 0.99;
export const DUPLICATE_AGREEMENT = 0.99;
/** Pairs are compared on at most this many items (evenly spaced), so screening stays cheap at scale. */
const PAIR_SAMPLE = 4000;

/**
 * Screens hard votes (votes[i*M + j], -1 = abstained). `nameOf(i, k)` names column k of item i:
 * the label index when labels are shared, the candidate's text when they differ per item (so that a
 * voter answering the same junk on every question is seen as constant).
 */
export function screenVoters(votes: Int32Array, N: number, M: number, nameOf: (i: number, k: number) => number | string): VoterScreen {
  const weights = new Float64Array(M).fill(1);
  const constant: number[] = [];
  for (let j = 0; j < M; j++) {
    const tally = new Map<number | string, number>();
    let n = 0;
    let top = 0;
    for (let i = 0; i < N; i++) {
      const v = votes[i * M + j] as number;
      if (v < 0) continue;
      const name = nameOf(i, v);
      const c = (tally.get(name) ?? 0) + 1;
      tally.set(name, c);
      if (c > top) top = c;
      n++;
    }
    if (n >= SCREEN_MIN_ANSWERS && top >= CONSTANT_SHARE * n) {
      constant.push(j);
      weights[j] = 0;
    }
  }

  const stride = Math.max(1, Math.ceil(N / PAIR_SAMPLE));
  const parent = Int32Array.from({ length: M }, (_, j) => j);
  const find = (j: number): number => {
    let r = j;
    while (parent[r] !== r) r = parent[r] as number;
    return r;
  };
  for (let a = 0; a < M; a++) {
    if (weights[a] === 0) continue;
    for (let b = a + 1; b < M; b++) {
      if (weights[b] === 0) continue;
      let both = 0;
      let same = 0;
      for (let i = 0; i < N; i += stride) {
        const va = votes[i * M + a] as number;
        const vb = votes[i * M + b] as number;
        if (va < 0 || vb < 0) continue;
        both++;
        if (va === vb) same++;
      }
      if (both < SCREEN_MIN_ANSWERS || same < DUPLICATE_AGREEMENT * both) continue;
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }
  const groups = new Map<number, number[]>();
  for (let j = 0; j < M; j++) {
    if (weights[j] === 0) continue;
    const r = find(j);
    const g = groups.get(r);
    if (g) g.push(j);
    else groups.set(r, [j]);
  }
  const duplicates = [...groups.values()].filter((g) => g.length > 1);
  for (const g of duplicates) for (const j of g) weights[j] = 1 / g.length;
  return { weights, constant, duplicates };
}

