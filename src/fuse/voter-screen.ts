/**
 * Voters that an unsupervised model must not count as independent evidence: a voter that gives the
 * same answer on (nearly) every item says nothing about any item, and voters that copy one another
 * are one voice however many times they are listed. Left unchecked, both look like highly reliable
 * voters to Dawid-Skene (they agree with the consensus they make) and drag it onto their answer.
 */
export interface VoterScreen {
  /** Per model: 0 for a constant voter, 1/g for each of g copies, else 1. */
  weights: Float64Array;
  /** Models whose most common answer covers at least CONSTANT_SHARE of their answers. */
  constant: number[];
  /** Groups of two or more models that copy one another (see DUPLICATE_AGREEMENT and NEAR_COPY_AGREEMENT). */
  duplicates: number[][];
}

/** Fewer answers than this prove nothing: a voter is judged only on at least this many. */
export const SCREEN_MIN_ANSWERS = 20;
export const CONSTANT_SHARE = 0.99;
export const DUPLICATE_AGREEMENT = 0.99;
/**
 * Near copies: two voters that agree on at least this share of items, and (in centered agreement)
 * at least COPY_EXCESS more than independent voters of their skill would, as read from outsiders
 * (median over triads). Strong independent voters agree because both are right, and agree with
 * strong outsiders too; copies of a weak voter agree far more than their agreement with anyone
 * else allows.
 */
export const NEAR_COPY_AGREEMENT = 0.85;
export const COPY_EXCESS = 0.3;
/** Outsiders read per pair (the first ones that copy neither), to bound the cost. */
const TRIAD_OUTSIDERS = 24;
const MIN_TRIAD_DENOMINATOR = 0.2;
/** Pairs are compared on at most this many items (evenly spaced), so screening stays cheap at scale. */
const PAIR_SAMPLE = 4000;

/**
 * Screens hard votes (votes[i*M + j], -1 = abstained). `nameOf(i, k)` names column k of item i:
 * the label index when labels are shared, the candidate's text when they differ per item (so that a
 * voter answering the same junk on every question is seen as constant). `chanceAgreement` is the
 * agreement of two voters that answer at random (1/K for K shared labels; 0, the default, when
 * candidates differ per item).
 */
export function screenVoters(votes: Int32Array, N: number, M: number, nameOf: (i: number, k: number) => number | string, chanceAgreement?: number): VoterScreen {
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
  const agreement = new Float64Array(M * M).fill(Number.NaN);
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
      if (both < SCREEN_MIN_ANSWERS) continue;
      agreement[a * M + b] = same / both;
      agreement[b * M + a] = same / both;
    }
  }
  // Centered agreement: for independent one-coin voters it is the product of their skills s_a s_b,
  // so the skill product of a pair can be read off outsiders c, d as c_ac c_bd / c_cd (a triad).
  const chance = chanceAgreement ?? 0;
  const centered = (x: number): number => (x - chance) / (1 - chance);
  const expected = (a: number, b: number): number => {
    const outsiders: number[] = [];
    for (let c = 0; c < M && outsiders.length < TRIAD_OUTSIDERS; c++) {
      if (c === a || c === b) continue;
      const xa = agreement[a * M + c] as number;
      const xb = agreement[b * M + c] as number;
      if (Number.isNaN(xa) || Number.isNaN(xb) || xa >= NEAR_COPY_AGREEMENT || xb >= NEAR_COPY_AGREEMENT) continue;
      outsiders.push(c);
    }
    const xs: number[] = [];
    for (const c of outsiders) {
      for (const d of outsiders) {
        if (c === d) continue;
        const cd = centered(agreement[c * M + d] as number);
        if (!(cd > MIN_TRIAD_DENOMINATOR)) continue;
        xs.push((centered(agreement[a * M + c] as number) * centered(agreement[b * M + d] as number)) / cd);
      }
    }
    if (xs.length === 0) return Number.NaN;
    xs.sort((x, y) => x - y);
    return xs[Math.floor((xs.length - 1) / 2)] as number;
  };
  const parent = Int32Array.from({ length: M }, (_, j) => j);
  const find = (j: number): number => {
    let r = j;
    while (parent[r] !== r) r = parent[r] as number;
    return r;
  };
  for (let a = 0; a < M; a++) {
    for (let b = a + 1; b < M; b++) {
      const x = agreement[a * M + b] as number;
      if (Number.isNaN(x)) continue;
      const copy = x >= DUPLICATE_AGREEMENT || (x >= NEAR_COPY_AGREEMENT && centered(x) - expected(a, b) >= COPY_EXCESS);
      if (!copy) continue;
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
