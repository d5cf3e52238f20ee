import { bootstrapResamples } from '../validation/bootstrap.js';
import { stratifiedKFold, trainIndices } from '../validation/folds.js';
import { isRight } from './answer-matrix.js';
import type { FusedPrediction } from './strategy.js';
import { fitMixtureWeights, pruneWeights } from './mixture-weights.js';
import { fitTieGate, gatePrediction } from './tie-gate.js';

/**
 * The guard that gives `auto` the oracle property by construction: before the likelihood-weighted
 * mixture of candidates is used, it is checked against the simplest thing `auto` could do instead,
 * picking its single best candidate, and `auto` falls back to that candidate when the mixture loses
 * by more than noise.
 *
 * Both are compared as procedures, on equal footing, on the training data only: over the inner rows
 * whose out-of-fold candidate predictions the mixture is fitted on, each fold's rows are predicted
 * by the mixture whose weights were fitted on the other folds' rows, and by the candidate that
 * scored best on those other rows. Comparing the mixture's held-out score with the best candidate's
 * in-sample score would not do: the best of many candidates looks better on the rows it was picked
 * on than it is, and the guard would fire on every set with many candidates.
 *
 * "Loses" is a one-sided paired test: the mixture loses when the best candidate's score exceeds it
 * by more than FALLBACK_Z bootstrap standard errors of the paired difference (the same resampled
 * rows score both). A tie or a difference inside the noise keeps the mixture, whose point is to
 * remove the variance of a pick made from few items; when the two are equally good, each is the
 * right choice in expectation and a false alarm (at most one in twenty) costs nothing on average.
 * What the guard bounds is the other error: `auto` is never below its best candidate by more than
 * about FALLBACK_Z standard errors of the training data's own noise.
 */

/** One-sided 5% level: a mixture as good as its best candidate is replaced at most once in twenty. */
export const FALLBACK_Z = 1.645;
/**
 * Folds of the check over the inner rows. The candidates' predictions there are already out-of-fold,
 * so these folds refit only the mixture's weights (cheap), and many of them keep each refit close to
 * the fit on all rows: with few folds the held-out mixture is fitted on fewer rows than the one `auto`
 * uses and overfits more, which would make the check fire against a mixture that would have held.
 */
export const FALLBACK_FOLDS = 10;
/** Bootstrap resamples for the standard error of the difference (its relative error is about 1 / sqrt(2B)). */
export const FALLBACK_RESAMPLES = 200;

export interface CheckCandidate {
  name: string;
  /** Out-of-fold distributions on the inner rows (rows it left undecided uniform), n*K. */
  probs: Float64Array;
  decided: Uint8Array;
  /** The rows the mixture's likelihood reads (for QA: the gold column holds the mass of every right column). */
  likelihood: Float64Array;
}

export interface MixtureCheck {
  /**
   * Whether the mixture gates its heaviest component's ties (`tie-gate.ts`): chosen held out on the
   * same folds, false when the gated mixture scored worse than the plain one (absent in older states).
   */
  tieGate?: boolean;
  /** Held-out scores of the plain and of the tie-gated mixture (absent in older states). */
  gateScores?: { plain: number; gated: number };
  /** `mixture`, or `best-candidate` when the mixture lost by more than noise. */
  chosen: 'mixture' | 'best-candidate';
  /** The candidate with the best score on all inner rows: what `auto` falls back to. */
  best: string;
  /** Held-out (cross-fitted) score of the mixture procedure on the inner rows. */
  mixtureScore: number;
  /** Held-out (cross-fitted) score of the pick-the-best-candidate procedure on the inner rows. */
  bestScore: number;
  /** Bootstrap standard error of bestScore - mixtureScore. */
  standardError: number;
  /** One line saying what was chosen and why. */
  why: string;
}

/** Score of a prediction on the given inner rows (rows may repeat: bootstrap resamples). */
export type RowScore = (rows: ArrayLike<number>, prediction: FusedPrediction) => number;

function restrict(pred: FusedPrediction, rows: ArrayLike<number>, K: number): FusedPrediction {
  const probs = new Float64Array(rows.length * K);
  const decided = new Uint8Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r] as number;
    probs.set(pred.probs.subarray(i * K, (i + 1) * K), r * K);
    decided[r] = pred.decided[i] as number;
  }
  return { probs, decided };
}

/** The mixture of `candidates` with `weights` on every row; a row is decided when a weighted candidate decided it. */
export function mixPredictions(candidates: readonly Pick<CheckCandidate, 'probs' | 'decided'>[], weights: readonly number[], n: number, K: number): FusedPrediction {
  const probs = new Float64Array(n * K);
  const decided = new Uint8Array(n);
  candidates.forEach((c, idx) => {
    const w = weights[idx] as number;
    if (w <= 0) return;
    for (let x = 0; x < n * K; x++) probs[x] = (probs[x] as number) + w * (c.probs[x] as number);
    for (let i = 0; i < n; i++) if (c.decided[i] === 1) decided[i] = 1;
  });
  return { probs, decided };
}

function bestIndex(candidates: readonly CheckCandidate[], rows: ArrayLike<number>, K: number, score: RowScore): number {
  let best = 0;
  let top = -Infinity;
  candidates.forEach((c, idx) => {
    const s = score(rows, restrict(c, rows, K));
    if (s > top) {
      top = s;
      best = idx;
    }
  });
  return best;
}

/**
 * Checks the mixture procedure against the pick-the-best procedure on the inner rows (`gold`, one
 * label per row) and says which `auto` should use. Reads only the candidates' out-of-fold
 * predictions on the training rows and their labels.
 */
export function checkMixture(candidates: readonly CheckCandidate[], gold: Int32Array, K: number, score: RowScore, seed: number): MixtureCheck {
  const n = gold.length;
  const folds = n >= 2 ? stratifiedKFold(gold, Math.min(FALLBACK_FOLDS, n), seed) : [];
  const all = Array.from({ length: n }, (_, i) => i);
  const best = candidates[bestIndex(candidates, all, K, score)] as CheckCandidate;
  const plain: FusedPrediction = { probs: new Float64Array(n * K), decided: new Uint8Array(n) };
  const gated: FusedPrediction = { probs: new Float64Array(n * K), decided: new Uint8Array(n) };
  const pick: FusedPrediction = { probs: new Float64Array(n * K), decided: new Uint8Array(n) };
  const copy = (to: FusedPrediction, from: FusedPrediction, i: number) => {
    to.probs.set(from.probs.subarray(i * K, (i + 1) * K), i * K);
    to.decided[i] = from.decided[i] as number;
  };
  for (const test of folds) {
    const train = trainIndices(n, test);
    const trainGold = Int32Array.from(train, (i) => gold[i] as number);
    const weights = pruneWeights(fitMixtureWeights(candidates.map((c) => restrict({ probs: c.likelihood, decided: c.decided }, train, K).probs), trainGold, K));
    const mixed = mixPredictions(candidates, weights, n, K);
    const gate = fitTieGate(candidates, gold, K, train, weights);
    const withGate = gate ? gatePrediction(mixed, candidates.map((c) => c.probs), gate, K) : mixed;
    const chosen = candidates[bestIndex(candidates, train, K, score)] as CheckCandidate;
    for (const i of test) {
      copy(plain, mixed, i);
      copy(gated, withGate, i);
      copy(pick, chosen, i);
    }
  }
  // The gate is dropped only when it decides the held-out rows worse. A tie (usual when the training
  // data hold few tied rows) keeps it: the plain mixture's split of those rows among the light
  // components was fitted on rows that say nothing about them, the gate's on the rows themselves.
  const plainScore = score(all, plain);
  const gatedScore = score(all, gated);
  const tieGate = gatedScore >= plainScore;
  const mix = tieGate ? gated : plain;
  const mixtureScore = tieGate ? gatedScore : plainScore;
  const bestScore = score(all, pick);
  const difference = bestScore - mixtureScore;
  let sum = 0;
  let sumSq = 0;
  const resamples = bootstrapResamples(n, { seed, resamples: FALLBACK_RESAMPLES });
  for (const idx of resamples) {
    const d = score(idx, restrict(pick, idx, K)) - score(idx, restrict(mix, idx, K));
    sum += d;
    sumSq += d * d;
  }
  const B = resamples.length;
  const variance = B > 1 ? Math.max(0, (sumSq - (sum * sum) / B) / (B - 1)) : 0;
  const standardError = Math.sqrt(variance);
  const loses = difference > 0 && difference > FALLBACK_Z * standardError;
  const figures = `held out on the training folds' inner rows: mixture ${mixtureScore.toFixed(3)} (${tieGate ? 'ties of its heaviest component gated' : 'not gated'}: plain ${plainScore.toFixed(3)}, gated ${gatedScore.toFixed(3)}), best candidate ${bestScore.toFixed(3)}, difference ${difference.toFixed(3)} against ${FALLBACK_Z} x standard error ${standardError.toFixed(3)}`;
  return {
    tieGate,
    gateScores: { plain: plainScore, gated: gatedScore },
    chosen: loses ? 'best-candidate' : 'mixture',
    best: best.name,
    mixtureScore,
    bestScore,
    standardError,
    why: loses ? `fell back to ${best.name}: the mixture lost by more than noise (${figures})` : `kept the mixture: it did not lose by more than noise (${figures})`,
  };
}

/** The gold column of each row holds the probability of any right column: the likelihood the mixture maximizes. */
export function collapseRight(probs: Float64Array, y: Int32Array, right: Uint8Array, K: number): Float64Array {
  const out = Float64Array.from(probs);
  for (let i = 0; i < y.length; i++) {
    let s = 0;
    for (let k = 0; k < K; k++) if (isRight(y, right, K, i, k)) s += probs[i * K + k] as number;
    out[i * K + (y[i] as number)] = s;
  }
  return out;
}
