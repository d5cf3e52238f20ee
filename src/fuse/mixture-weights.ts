/**
 * Weights of a linear mixture of candidate predictors (a "super learner"): the non-negative
 * weights summing to one that maximize the log-likelihood of the gold labels under the mixture
 * of the candidates' out-of-fold distributions. The objective is concave in the weights and the
 * EM update below increases it monotonically, so no step size or learning rate is needed.
 * Averaging candidates rather than picking one cuts the variance of a pick made from a few
 * hundred items, and a calibrated candidate that is right where others are wrong keeps a share.
 */

/** A candidate's probability of the gold label never counts below this, so one zero cannot dominate. */
export const MIXTURE_FLOOR = 1e-6;
export const MIXTURE_MAX_ITERATIONS = 1000;
/** Stop when no weight moves by more than this in one EM step. */
export const MIXTURE_TOLERANCE = 1e-7;

/**
 * `probs[c][i*K + k]`: candidate c's probability of label k on row i (rows where it had no answer
 * should hold a uniform row). `gold[i]` is row i's label (all rows labelled). Returns one weight
 * per candidate; equal weights when there are no rows.
 */
export function fitMixtureWeights(probs: readonly Float64Array[], gold: Int32Array, K: number): number[] {
  const C = probs.length;
  const n = gold.length;
  let w = new Array<number>(C).fill(1 / C);
  if (C <= 1 || n === 0) return w;
  const like = new Float64Array(n * C);
  for (let i = 0; i < n; i++) {
    const y = gold[i] as number;
    for (let c = 0; c < C; c++) like[i * C + c] = Math.max((probs[c] as Float64Array)[i * K + y] as number, MIXTURE_FLOOR);
  }
  for (let it = 0; it < MIXTURE_MAX_ITERATIONS; it++) {
    // E-step: each row's responsibility per candidate; M-step: the weights are their means.
    const next = new Array<number>(C).fill(0);
    for (let i = 0; i < n; i++) {
      let total = 0;
      for (let c = 0; c < C; c++) total += (w[c] as number) * (like[i * C + c] as number);
      for (let c = 0; c < C; c++) next[c] = (next[c] as number) + ((w[c] as number) * (like[i * C + c] as number)) / (total * n);
    }
    let change = 0;
    for (let c = 0; c < C; c++) change = Math.max(change, Math.abs((next[c] as number) - (w[c] as number)));
    w = next;
    if (change < MIXTURE_TOLERANCE) break;
  }
  return w;
}

/** Mean log-likelihood of the gold labels under the mixture (the quantity the weights maximize). */
export function mixtureLogLikelihood(probs: readonly Float64Array[], weights: readonly number[], gold: Int32Array, K: number): number {
  let s = 0;
  for (let i = 0; i < gold.length; i++) {
    const y = gold[i] as number;
    let p = 0;
    probs.forEach((pc, c) => {
      p += (weights[c] as number) * Math.max(pc[i * K + y] as number, MIXTURE_FLOOR);
    });
    s += Math.log(p);
  }
  return gold.length > 0 ? s / gold.length : 0;
}

/**
 * Drops weights below `min` and renormalizes: a candidate with under 1% of the mass hardly moves
 * an argmax, and dropping it saves refitting it. Keeps the largest weight when all are below.
 */
export function pruneWeights(weights: readonly number[], min = 0.01): number[] {
  let best = 0;
  weights.forEach((v, c) => {
    if (v > (weights[best] as number)) best = c;
  });
  const kept = weights.map((v, c) => (v >= min || c === best ? v : 0));
  const sum = kept.reduce((a, b) => a + b, 0);
  return kept.map((v) => (sum > 0 ? v / sum : 0));
}
