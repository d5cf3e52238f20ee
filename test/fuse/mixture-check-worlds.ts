/**
 * Synthetic worlds of candidate predictions with known truth, for the check of `auto`'s mixture
 * against its best candidate: rows of out-of-fold distributions as `auto` sees them.
 */
import { seededRandom } from '../../src/util/random.js';
import type { CheckCandidate } from '../../src/fuse/mixture-check.js';

export interface CandidateWorld {
  gold: Int32Array;
  K: number;
  candidates: CheckCandidate[];
}

function candidate(name: string, probs: Float64Array, n: number): CheckCandidate {
  return { name, probs, decided: new Uint8Array(n).fill(1), likelihood: probs };
}

/**
 * One good candidate that is right on `accuracy` of the rows but underconfident (it puts `confidence`
 * on its pick and spreads the rest), and `junk` candidates that answer a uniformly random label
 * with certainty: on few rows, some junk candidates are right where the good one is unsure by luck,
 * the likelihood rewards them, and the mixture's argmax follows their noise on new rows.
 */
export function junkWorld(o: { n: number; K: number; junk: number; accuracy: number; confidence: number; seed: number }): CandidateWorld {
  const random = seededRandom(o.seed);
  const { n, K } = o;
  const gold = Int32Array.from({ length: n }, () => Math.floor(random() * K));
  const good = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    const g = gold[i] as number;
    const pick = random() < o.accuracy ? g : (g + 1 + Math.floor(random() * (K - 1))) % K;
    for (let k = 0; k < K; k++) good[i * K + k] = k === pick ? o.confidence : (1 - o.confidence) / (K - 1);
  }
  const candidates = [candidate('good', good, n)];
  for (let c = 0; c < o.junk; c++) {
    const p = new Float64Array(n * K);
    for (let i = 0; i < n; i++) p[i * K + Math.floor(random() * K)] = 1;
    candidates.push(candidate(`junk-${c}`, p, n));
  }
  return { gold, K, candidates };
}

/**
 * Two calibrated candidates that each know half of the items (rows of one kind and of the other)
 * and guess uniformly elsewhere: the mixture is right wherever either knows, each alone only on
 * its half, so mixing genuinely helps.
 */
export function complementaryWorld(o: { n: number; K: number; seed: number }): CandidateWorld {
  const random = seededRandom(o.seed);
  const { n, K } = o;
  const gold = Int32Array.from({ length: n }, () => Math.floor(random() * K));
  const a = new Float64Array(n * K);
  const b = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    const g = gold[i] as number;
    const knower = random() < 0.5 ? a : b;
    const guesser = knower === a ? b : a;
    for (let k = 0; k < K; k++) {
      knower[i * K + k] = k === g ? 0.9 : 0.1 / (K - 1);
      guesser[i * K + k] = 1 / K + (random() - 0.5) * 0.01;
    }
  }
  return { gold, K, candidates: [candidate('a', a, n), candidate('b', b, n)] };
}
