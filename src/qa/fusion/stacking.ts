import type { AnswerCorrectness, FittedQaStrategy, QaItemAnswers, QaStrategy } from '../types.js';

/** L2 penalty on the weights (per training item); keeps rarely-seen models near zero weight. */
export const STACKING_L2 = 0.01;
const ITERATIONS = 200;
const LEARNING_RATE = 0.05;

/**
 * Features of each answer as a candidate fused answer, D = 3M per answer:
 * - which models back its cluster (their shares of it): a learned, correlation-aware vote;
 * - which model wrote it (one-hot): whose phrasing to trust when judged by people;
 * - its mean similarity to each other model's answers: soft support for free-form answers.
 */
export function candidateFeatures(item: QaItemAnswers, M: number): Float64Array {
  const A = item.answers.length;
  const C = item.clusters.length;
  const D = 3 * M;
  const x = new Float64Array(A * D);
  const perModel = new Float64Array(M);
  for (const a of item.answers) perModel[a.model] = (perModel[a.model] as number) + 1;
  for (let a = 0; a < A; a++) {
    const row = a * D;
    const c = item.clusterOf[a] as number;
    const own = (item.answers[a] as { model: number }).model;
    for (let m = 0; m < M; m++) x[row + m] = item.share[m * C + c] as number;
    x[row + M + own] = 1;
    for (let b = 0; b < A; b++) {
      const mb = (item.answers[b] as { model: number }).model;
      if (mb === own) continue;
      x[row + 2 * M + mb] = (x[row + 2 * M + mb] as number) + (item.sim[a * A + b] as number) / (perModel[mb] as number);
    }
  }
  return x;
}

function scoresOf(x: Float64Array, A: number, w: Float64Array): Float64Array {
  const D = w.length;
  const s = new Float64Array(A);
  for (let a = 0; a < A; a++) {
    let v = 0;
    for (let d = 0; d < D; d++) v += (x[a * D + d] as number) * (w[d] as number);
    s[a] = v;
  }
  return s;
}

function softmax(s: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of s) max = Math.max(max, v);
  let z = 0;
  const p = new Float64Array(s.length);
  for (let k = 0; k < s.length; k++) {
    p[k] = Math.exp((s[k] as number) - max);
    z += p[k] as number;
  }
  for (let k = 0; k < s.length; k++) p[k] = (p[k] as number) / z;
  return p;
}

/**
 * Learns the weights of a conditional-logit ranker over candidate answers: maximizes, over training
 * items, the log-probability of picking a correct answer (any correct one), with an L2 penalty.
 * Adam steps from zero weights; deterministic.
 */
export function fitRanker(train: readonly QaItemAnswers[], correct: readonly AnswerCorrectness[], M: number): Float64Array {
  const D = 3 * M;
  const data: { x: Float64Array; A: number; good: Uint8Array }[] = [];
  train.forEach((item, i) => {
    const corr = correct[i] ?? [];
    const A = item.answers.length;
    if (A < 2) return;
    const good = Uint8Array.from(item.answers, (_, a) => (corr[a] === true ? 1 : 0));
    const known = item.answers.every((_, a) => corr[a] !== null && corr[a] !== undefined);
    let nGood = 0;
    for (const g of good) nGood += g;
    // Items where every answer is right, or none is, carry no information about whom to trust.
    if (!known || nGood === 0 || nGood === A) return;
    data.push({ x: candidateFeatures(item, M), A, good });
  });
  const w = new Float64Array(D);
  if (data.length === 0) return w;
  const m1 = new Float64Array(D);
  const m2 = new Float64Array(D);
  const grad = new Float64Array(D);
  const n = data.length;
  for (let t = 1; t <= ITERATIONS; t++) {
    grad.fill(0);
    for (const { x, A, good } of data) {
      const p = softmax(scoresOf(x, A, w));
      let pGood = 0;
      for (let a = 0; a < A; a++) if (good[a]) pGood += p[a] as number;
      // d/dw log sum_{good} p = E_{p | good}[x] - E_p[x]
      for (let a = 0; a < A; a++) {
        const coef = (good[a] ? (p[a] as number) / pGood : 0) - (p[a] as number);
        if (coef === 0) continue;
        const row = a * D;
        for (let d = 0; d < D; d++) grad[d] = (grad[d] as number) + coef * (x[row + d] as number);
      }
    }
    for (let d = 0; d < D; d++) {
      const g = -(grad[d] as number) / n + STACKING_L2 * (w[d] as number);
      m1[d] = 0.9 * (m1[d] as number) + 0.1 * g;
      m2[d] = 0.999 * (m2[d] as number) + 0.001 * g * g;
      const mh = (m1[d] as number) / (1 - 0.9 ** t);
      const vh = (m2[d] as number) / (1 - 0.999 ** t);
      w[d] = (w[d] as number) - (LEARNING_RATE * mh) / (Math.sqrt(vh) + 1e-8);
    }
  }
  return w;
}

/**
 * Supervised ranking of candidate answers (stacking for QA): learns from training items which
 * coalitions of models and whose phrasing tend to be right, then picks the best-scored answer.
 */
export const stacking: QaStrategy = {
  name: 'stacking',
  supervised: true,
  fit(train, correct, { models }): FittedQaStrategy {
    const M = models.length;
    const w = fitRanker(train, correct, M);
    return {
      name: 'stacking',
      pick: (item) => {
        const A = item.answers.length;
        if (A === 0) return null;
        const s = scoresOf(candidateFeatures(item, M), A, w);
        let best = 0;
        for (let a = 1; a < A; a++) if ((s[a] as number) > (s[best] as number) + 1e-12) best = a;
        const p = softmax(s);
        const cluster = item.clusterOf[best] as number;
        let support = 0;
        for (const a of item.clusters[cluster]?.members ?? []) support += p[a] as number;
        return { cluster, representative: best, support };
      },
      state: () => ({ models: [...models], weights: [...w] }),
    };
  },
};
