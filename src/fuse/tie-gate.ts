import { fitMixtureWeights, pruneWeights } from './mixture-weights.js';
import type { FusedPrediction } from './strategy.js';

/**
 * Who decides a row where the mixture's heaviest component is indifferent.
 *
 * A component whose distribution ties at its top on a row (`central` on two answers that two
 * models each give, a vote split two against two, an undecided component's uniform row) adds the
 * same mass to each tied label: among them the decision falls to the other components, in the
 * proportions of the mixture's weights. Those weights maximize the likelihood of every training
 * row, and when most items are easy the likelihood is dominated by rows where every candidate is
 * right; a candidate that is right on the few tied rows (a weighted vote that learned which pair
 * of models is the better) can hold almost no weight, and a label-free one that takes the other
 * side breaks the ties. On the rows where that component is tied the gate orders its tied labels
 * by a mixture of the other candidates weighted by their likelihood on the training rows where it
 * is tied: the weights that decide those rows are fitted on such rows. Whether the gate is used
 * is checked held out (`checkMixture`) against the plain mixture on the same folds: with few tied
 * rows its weights are a fit on few rows, and it is dropped when it decides held-out rows worse.
 */
export interface TieGate {
  /** Index of the candidate whose ties open the gate (the heaviest in the mixture). */
  of: number;
  /** Weights over the candidates (zero for `of`) of the mixture that orders its tied labels. */
  weights: number[];
}

/**
 * A top margin this small is a tie broken by a strategy's own tie-break, not evidence: `breakTies`
 * moves `TIE_NUDGE` onto the winner, and `central` adds the vote share at a millionth of its scale
 * where centralities are equal. Ten times the larger of the two.
 */
export const TIE_MARGIN = 1e-5;

/** Rows where a distribution's top two labels are within TIE_MARGIN (a uniform row included). */
export function tiedRows(probs: Float64Array, n: number, K: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let top = -Infinity;
    let second = -Infinity;
    for (let k = 0; k < K; k++) {
      const v = probs[i * K + k] as number;
      if (v > top) {
        second = top;
        top = v;
      } else if (v > second) second = v;
    }
    out[i] = top > 0 && top - second <= TIE_MARGIN ? 1 : 0;
  }
  return out;
}

interface GateCandidate {
  /** Decision distributions on the inner rows, n*K. */
  probs: Float64Array;
  /** The rows the likelihood reads (for QA, the gold column holds the mass of every right column). */
  likelihood: Float64Array;
}

function select(p: Float64Array, rows: readonly number[], K: number): Float64Array {
  const out = new Float64Array(rows.length * K);
  rows.forEach((i, r) => out.set(p.subarray(i * K, (i + 1) * K), r * K));
  return out;
}

/**
 * The gate of a mixture with `weights` over `candidates`, fitted on `rows` of the inner rows: the
 * likelihood weights on those of `rows` where the heaviest candidate is tied. Null when it is tied
 * on none of them (nothing to fit) or when its weight is zero.
 */
export function fitTieGate(candidates: readonly GateCandidate[], gold: Int32Array, K: number, rows: readonly number[], weights: readonly number[]): TieGate | null {
  let of = 0;
  weights.forEach((w, c) => {
    if (w > (weights[of] as number)) of = c;
  });
  const heaviest = candidates[of];
  if (!heaviest || !((weights[of] as number) > 0)) return null;
  const tied = tiedRows(heaviest.probs, gold.length, K);
  const at = rows.filter((i) => tied[i] === 1);
  if (at.length === 0) return null;
  const y = Int32Array.from(at, (i) => gold[i] as number);
  // Fitted without the tied candidate: it holds the same share of each of its tied labels, so among
  // them it decides nothing, and its constant share of each tied row's gold would absorb the weight.
  const others = candidates.map((_, c) => c).filter((c) => c !== of);
  if (others.length === 0) return null;
  const u = pruneWeights(fitMixtureWeights(others.map((c) => select((candidates[c] as GateCandidate).likelihood, at, K)), y, K));
  const gated = candidates.map(() => 0);
  others.forEach((c, idx) => {
    gated[c] = u[idx] as number;
  });
  return { of, weights: gated };
}

/**
 * `base` (the plain mixture's prediction over all rows) where the gate's candidate is tied: the mass
 * `base` puts on that candidate's tied labels is split among them in proportion to the gate's
 * mixture of the other candidates (`probs`: each candidate's distributions, undecided rows uniform),
 * the other labels keep theirs. The heaviest component's indifference is kept, and the labels it
 * is indifferent between are ordered by the candidates fitted on such rows.
 */
export function gatePrediction(base: FusedPrediction, probs: readonly Float64Array[], gate: TieGate, K: number): FusedPrediction {
  const n = base.decided.length;
  const out = { probs: Float64Array.from(base.probs), decided: Uint8Array.from(base.decided) };
  const of = probs[gate.of] as Float64Array;
  const tied = tiedRows(of, n, K);
  for (let i = 0; i < n; i++) {
    if (tied[i] === 0 || base.decided[i] === 0) continue;
    let top = -Infinity;
    for (let k = 0; k < K; k++) top = Math.max(top, of[i * K + k] as number);
    let mass = 0;
    let order = 0;
    const q = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      if ((of[i * K + k] as number) < top - TIE_MARGIN) continue;
      mass += base.probs[i * K + k] as number;
      gate.weights.forEach((w, c) => {
        if (w > 0) q[k] = (q[k] as number) + w * ((probs[c] as Float64Array)[i * K + k] as number);
      });
      order += q[k] as number;
    }
    if (!(order > 0)) continue;
    for (let k = 0; k < K; k++) if ((of[i * K + k] as number) >= top - TIE_MARGIN) out.probs[i * K + k] = (mass * (q[k] as number)) / order;
  }
  return out;
}
