import { z } from 'zod';
import { fitLogistic, type SparseRows } from '../logistic-regression.js';
import { topTwo } from './settled.js';
import type { StepView } from './stop-rule.js';

/** Number of features of a step (see agreementFeatures). */
const DIM = 12;

/**
 * The `agreement` rule's model: the probability that the decision of the models asked so far is
 * already the decision of the full fusion (every model asked). Fitted on the training folds, on the
 * out-of-fold decisions of every prefix against the full one: agreement is a far less noisy target
 * than gold, and an item that is uncertain for every model (a subjective label) may stop at low
 * confidence when its decision is predicted to be final.
 *
 * Version 1 (`pooled`, the default): one logistic regression for every checkpoint on a few
 * numbers of the step (fused confidence, margin, entropy, share asked, how many asked models side
 * with the leader, how far the vote is from settled, whether the leader held).
 *
 * Version 2 (`per-checkpoint`, an option): one logistic regression per checkpoint, on those numbers
 * plus the step's pattern: the leader's label and each asked model's answer (one-hot by asking
 * position).
 * Why: how often a prefix's decision survives the remaining models depends on how many were
 * asked and on which of them said what (a strong model outvoted by two near-copies of each other
 * is overturned later more often than the same confidence reached otherwise), which one pooled
 * model on summary numbers cannot tell apart. The pattern weights are penalised as the prefix
 * stacking's are (an L2 of 1/n, C = 1), so a checkpoint with few training rows falls back towards
 * its summary numbers. Version 3 (`staged`, an option): version 1's numbers with an intercept per
 * checkpoint and one per leading label. Neither option beat version 1 held out (BENCHMARKS.md).
 */
const PooledModelSchema = z.object({
  features: z.literal(1),
  coef: z.array(z.number()).length(DIM),
  intercept: z.number(),
});
const StageSchema = z.object({
  /** Number of models asked at this checkpoint. */
  asked: z.number().int().positive(),
  coef: z.array(z.number()),
  intercept: z.number(),
});
const PerCheckpointModelSchema = z.object({
  features: z.literal(2),
  /** Number of labels the pattern one-hots were laid out for. */
  K: z.number().int().positive(),
  stages: z.array(StageSchema),
});
const StagedModelSchema = z.object({
  features: z.literal(3),
  K: z.number().int().positive(),
  /** The checkpoints the per-checkpoint intercepts were laid out for. */
  checkpoints: z.array(z.number().int().positive()),
  coef: z.array(z.number()),
  intercept: z.number(),
});
export const AgreementModelSchema = z.discriminatedUnion('features', [PooledModelSchema, PerCheckpointModelSchema, StagedModelSchema]);
export type AgreementModel = z.infer<typeof AgreementModelSchema>;

/** What the model reads of one step: the summary numbers, and the pattern as active one-hot indices. */
export interface StepFeatures {
  /** Number of models asked (the checkpoint). */
  asked: number;
  /** agreementFeatures of the step. */
  summary: number[];
  /** Indices (after the summary numbers) of the leader's label and of each asked model's answer. */
  pattern: number[];
}

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
  // Before any call (checkpoint 0) there is no vote to lead.
  const voteLeads = view.asked !== 0 && topTwo(view.scores).index === lead ? 1 : 0;
  const logit = clip(Math.log(Math.max(p1, 1e-9) / Math.max(1 - p1, 1e-9)), -8, 8) / 8;
  // Whether the decision held since the last checkpoint, and for how many checkpoints in a row.
  const held = view.previous === lead ? 1 : 0;
  const run = Math.min(view.run ?? 1, 8) / 8;
  const first = view.previous === undefined || view.previous < 0 ? 1 : 0;
  return [p1, p1 - p2, sharp, view.askedShare, side, settledness, voteLeads, logit, p1 * view.askedShare, held, run, first];
}

/** The leader of the fused distribution of a step. */
function leaderOf(view: StepView): number {
  let lead = 0;
  for (let k = 1; k < view.K; k++) if ((view.fused[view.offset + k] as number) > (view.fused[view.offset + lead] as number)) lead = k;
  return lead;
}

/**
 * The step as the model reads it. Pattern layout after the DIM summary numbers: K for the
 * leader's label, then K + 1 per asking position (the answer, or none).
 */
export function stepFeatures(view: StepView): StepFeatures {
  const K = view.K;
  const pattern = [leaderOf(view)];
  const votes = view.votes ?? [];
  for (let s = 0; s < votes.length; s++) pattern.push(K + s * (K + 1) + ((votes[s] as number) + 1));
  return { asked: view.asked ?? votes.length, summary: agreementFeatures(view), pattern };
}

function rows(steps: readonly StepFeatures[], dim: number, twice = false): SparseRows {
  const n = steps.length * (twice ? 2 : 1);
  const start = new Int32Array(n + 1);
  const index: number[] = [];
  const value: number[] = [];
  for (let r = 0; r < n; r++) {
    const f = steps[r % steps.length] as StepFeatures;
    for (let d = 0; d < DIM; d++) {
      index.push(d);
      value.push(f.summary[d] ?? 0);
    }
    for (const p of f.pattern) {
      index.push(DIM + p);
      value.push(1);
    }
    start[r + 1] = index.length;
  }
  return { rows: n, dim, start, index: Int32Array.from(index), value: Float64Array.from(value) };
}

/**
 * What the `agreement` rule's model is fitted to foretell at a step: `agreement`, whether the
 * decision so far is the full fusion's; `expected-loss`, what stopping there loses in expectation
 * (a disagreement weighted by how much surer the full fusion is of its own decision than of the
 * step's), so that items the full fusion is itself unsure of stop sooner.
 */
export type StopTarget = 'agreement' | 'expected-loss';

/**
 * `pooled`: version 1 (one model on the summary numbers); `per-checkpoint`: version 2 (one model
 * per checkpoint, with the answer pattern); `staged`: version 3 (one model on the summary numbers,
 * an intercept per checkpoint and one per leading label).
 */
export type AgreementModelKind = 'pooled' | 'per-checkpoint' | 'staged';
export const DEFAULT_AGREEMENT_MODEL: AgreementModelKind = 'pooled';
/** The pooled model's penalty as version 1 fitted it (a near-unpenalised fit of twelve numbers on every step). */
const POOLED_L2 = 1e-3;

/** Width of the pattern for K labels and a checkpoint of `asked` models. */
const patternWidth = (K: number, asked: number) => K + asked * (K + 1);

/**
 * Fits P(agree) per checkpoint on steps' features and whether each step's decision was the full
 * fusion's. With `cost` (per step, in [0, 1]: what stopping there loses in expectation when the
 * decision differs, 0 where it agrees), a step that disagrees counts as a disagreement only by its
 * cost and as an agreement for the rest: the model then gives 1 - the expected loss of stopping,
 * so a step whose decision differs where the full fusion is itself unsure (little to lose) may
 * stop, and one that differs where it is sure may not.
 */
export function fitAgreement(steps: readonly StepFeatures[], agree: readonly boolean[], K: number, cost?: readonly number[], kind: AgreementModelKind = DEFAULT_AGREEMENT_MODEL): AgreementModel {
  if (kind === 'pooled') {
    const fit = fitStage(steps.map((f) => ({ ...f, pattern: [] })), agree, DIM, cost, POOLED_L2);
    return { features: 1, ...fit };
  }
  if (kind === 'staged') {
    const checkpoints = [...new Set(steps.map((f) => f.asked))].sort((a, b) => a - b);
    const fit = fitStage(steps.map((f) => ({ ...f, pattern: stagedPattern(checkpoints, f) })), agree, DIM + checkpoints.length + K, cost, POOLED_L2);
    return { features: 3, K, checkpoints, ...fit };
  }
  const byAsked = new Map<number, number[]>();
  steps.forEach((f, s) => byAsked.set(f.asked, [...(byAsked.get(f.asked) ?? []), s]));
  const stages = [...byAsked.keys()]
    .sort((a, b) => a - b)
    .map((asked) => {
      const at = byAsked.get(asked) as number[];
      const n = at.length;
      return { asked, ...fitStage(at.map((s) => steps[s] as StepFeatures), at.map((s) => agree[s] as boolean), DIM + patternWidth(K, asked), cost ? at.map((s) => cost[s] as number) : undefined, 1 / Math.max(1, n)) };
    });
  return { features: 2, K, stages };
}

function fitStage(steps: readonly StepFeatures[], agree: readonly boolean[], dim: number, cost: readonly number[] | undefined, l2: number): { coef: number[]; intercept: number } {
  const n = agree.length;
  const harm = agree.map((a, s) => (a ? 0 : Math.min(1, Math.max(0, cost ? (cost[s] as number) : 1))));
  const yes = harm.reduce((a, h) => a + (1 - h), 0);
  // One outcome only (e.g. every prefix already decides as the full fusion): its smoothed rate, whatever the step.
  if (yes <= 0 || yes >= n) return { coef: new Array<number>(dim).fill(0), intercept: Math.log((yes + 0.5) / (n - yes + 0.5)) };
  if (!cost) return twoClass(fitLogistic(rows(steps, dim), Int32Array.from(agree, (a) => (a ? 1 : 0)), 2, { l2 }), dim);
  // Each step twice, as an agreement of weight 1 - harm and a disagreement of weight harm (a soft label).
  const y = Int32Array.from({ length: 2 * n }, (_, r) => (r < n ? 1 : 0));
  const sampleWeights = Float64Array.from({ length: 2 * n }, (_, r) => (r < n ? 1 - (harm[r] as number) : (harm[r - n] as number)));
  return twoClass(fitLogistic(rows(steps, dim, true), y, 2, { l2, sampleWeights }), dim);
}

/** Two-class softmax: the log-odds of class 1 are the differences of its coefficients. */
function twoClass(m: { coef: Float64Array; intercept: Float64Array }, dim: number): { coef: number[]; intercept: number } {
  const coef = Array.from({ length: dim }, (_, d) => (m.coef[d * 2 + 1] as number) - (m.coef[d * 2] as number));
  return { coef, intercept: (m.intercept[1] as number) - (m.intercept[0] as number) };
}

/** Version 3's one-hots: the checkpoint's intercept (none for a checkpoint not fitted), then the leader's label. */
function stagedPattern(checkpoints: readonly number[], step: StepFeatures): number[] {
  const c = checkpoints.indexOf(step.asked);
  const lead = checkpoints.length + (step.pattern[0] as number);
  return c >= 0 ? [c, lead] : [lead];
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** P(the step's decision is the full fusion's); 0 (ask on) at a checkpoint the model has no stage for. */
export function agreementProbability(model: AgreementModel, step: StepFeatures): number {
  if (model.features === 1) {
    let z = model.intercept;
    for (let d = 0; d < DIM; d++) z += (model.coef[d] as number) * (step.summary[d] ?? 0);
    return sigmoid(z);
  }
  if (model.features === 3) {
    let z = model.intercept;
    for (let d = 0; d < DIM; d++) z += (model.coef[d] ?? 0) * (step.summary[d] ?? 0);
    for (const p of stagedPattern(model.checkpoints, step)) z += model.coef[DIM + p] ?? 0;
    return sigmoid(z);
  }
  const stage = model.stages.find((s) => s.asked === step.asked);
  if (!stage) return 0;
  let z = stage.intercept;
  for (let d = 0; d < DIM; d++) z += (stage.coef[d] ?? 0) * (step.summary[d] ?? 0);
  for (const p of step.pattern) z += stage.coef[DIM + p] ?? 0;
  return sigmoid(z);
}
