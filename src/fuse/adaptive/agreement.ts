import { z } from 'zod';
import { fitLogistic, type SparseRows } from '../logistic-regression.js';
import { topTwo } from './settled.js';
import type { StepView } from './stop-rule.js';

/** Number of features of a step (see agreementFeatures). */
const DIM = 12;

/**
 * The `agreement` rule's model: the probability that the decision of the models asked so far is
 * already the decision of the full fusion (every model asked), from a few numbers of the step
 * (fused confidence, margin, entropy, share asked, how many asked models side with the leader,
 * how far the vote is from settled). A logistic regression fitted on the training folds, on the
 * out-of-fold decisions of every prefix against the full one: agreement is a far less noisy target
 * than gold, and an item that is uncertain for every model (a subjective label) may stop at low
 * confidence when its decision is predicted to be final.
 */
export const AgreementModelSchema = z.object({
  /** Feature set version: a saved model is only read with the features it was fitted on. */
  features: z.literal(1),
  coef: z.array(z.number()).length(DIM),
  intercept: z.number(),
});
export type AgreementModel = z.infer<typeof AgreementModelSchema>;

const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** The features of one step (all within about [-1, 1]). */
export function agreementFeatures(view: StepView): number[] {
  const { fused, offset, K } = view;
  let p1 = 0;
  let p2 = 0;
  let lead = 0;
  let entropy = 0;
  for (let k = 0; k < K; k++) {
    const p = fused[offset + k] as number;
    if (p > p1) {
      p2 = p1;
      p1 = p;
      lead = k;
    } else if (p > p2) p2 = p;
    if (p > 0) entropy -= p * Math.log(p);
  }
  const sharp = K > 1 ? 1 - entropy / Math.log(K) : 1;
  let answered = 0;
  for (let k = 0; k < K; k++) answered += view.counts[k] as number;
  const side = answered > 0 ? (view.counts[lead] as number) / answered : 0;
  let askedWeight = 0;
  let other = 0;
  for (let k = 0; k < K; k++) {
    askedWeight += view.scores[k] as number;
    if (k !== lead) other = Math.max(other, view.scores[k] as number);
  }
  const total = askedWeight + view.remainingWeight;
  const settledness = total > 0 ? clip(((view.scores[lead] as number) - other - view.remainingWeight) / total, -1, 1) : 0;
  const voteLeads = topTwo(view.scores).index === lead ? 1 : 0;
  const logit = clip(Math.log(Math.max(p1, 1e-9) / Math.max(1 - p1, 1e-9)), -8, 8) / 8;
  // Whether the decision held since the last checkpoint, and for how many checkpoints in a row.
  const held = view.previous === lead ? 1 : 0;
  const run = Math.min(view.run ?? 1, 8) / 8;
  const first = view.previous === undefined || view.previous < 0 ? 1 : 0;
  return [p1, p1 - p2, sharp, view.askedShare, side, settledness, voteLeads, logit, p1 * view.askedShare, held, run, first];
}

function rows(features: readonly (readonly number[])[]): SparseRows {
  const n = features.length;
  const start = new Int32Array(n + 1);
  const index = new Int32Array(n * DIM);
  const value = new Float64Array(n * DIM);
  features.forEach((f, r) => {
    start[r + 1] = (r + 1) * DIM;
    for (let d = 0; d < DIM; d++) {
      index[r * DIM + d] = d;
      value[r * DIM + d] = f[d] ?? 0;
    }
  });
  return { rows: n, dim: DIM, start, index, value };
}

/**
 * Fits P(agree) on steps' features and whether each step's decision was the full fusion's. With
 * `cost` (per step, in [0, 1]: what stopping there loses in expectation when the decision differs,
 * 0 where it agrees), a step that disagrees counts as a disagreement only by its cost and as an
 * agreement for the rest: the model then gives 1 - the expected loss of stopping, so a step whose
 * decision differs where the full fusion is itself unsure (little to lose) may stop, and one that
 * differs where it is sure may not.
 */
export function fitAgreement(features: readonly (readonly number[])[], agree: readonly boolean[], cost?: readonly number[]): AgreementModel {
  const n = agree.length;
  const harm = agree.map((a, s) => (a ? 0 : Math.min(1, Math.max(0, cost ? (cost[s] as number) : 1))));
  const yes = harm.reduce((a, h) => a + (1 - h), 0);
  // One outcome only (e.g. every prefix already decides as the full fusion): its smoothed rate, whatever the step.
  if (yes <= 0 || yes >= n) return { features: 1, coef: new Array<number>(DIM).fill(0), intercept: Math.log((yes + 0.5) / (n - yes + 0.5)) };
  if (!cost) {
    const m = fitLogistic(rows(features), Int32Array.from(agree, (a) => (a ? 1 : 0)), 2, { l2: 1e-3 });
    return twoClass(m);
  }
  // Each step twice, as an agreement of weight 1 - harm and a disagreement of weight harm (a soft label).
  const doubled = [...features, ...features];
  const y = Int32Array.from({ length: 2 * n }, (_, r) => (r < n ? 1 : 0));
  const sampleWeights = Float64Array.from({ length: 2 * n }, (_, r) => (r < n ? 1 - (harm[r] as number) : (harm[r - n] as number)));
  return twoClass(fitLogistic(rows(doubled), y, 2, { l2: 1e-3, sampleWeights }));
}

/** Two-class softmax: the log-odds of class 1 are the differences of its coefficients. */
function twoClass(m: { coef: Float64Array; intercept: Float64Array }): AgreementModel {
  const coef = Array.from({ length: DIM }, (_, d) => (m.coef[d * 2 + 1] as number) - (m.coef[d * 2] as number));
  return { features: 1, coef, intercept: (m.intercept[1] as number) - (m.intercept[0] as number) };
}

/** P(the step's decision is the full fusion's). */
export function agreementProbability(model: AgreementModel, features: readonly number[]): number {
  let z = model.intercept;
  for (let d = 0; d < DIM; d++) z += (model.coef[d] as number) * (features[d] ?? 0);
  return 1 / (1 + Math.exp(-z));
}
