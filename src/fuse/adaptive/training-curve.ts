import { decisions } from '../../validation/metrics.js';
import type { AnswerMatrix } from '../answer-matrix.js';
import { type FusedPrediction, predictionRows } from '../strategy.js';
import { type AgreementModel, type AgreementModelKind, agreementProbability, fitAgreement, type StepFeatures, type StopTarget, stepFeatures } from './agreement.js';
import { type LossMetric, lossesWithUnseen, lossStandardErrors, weightedScore } from './loss-bound.js';
import { type BoundSpec, type CurvePoint, lossBoundOf } from './operating-point.js';
import { refineGrid } from './refine-grid.js';
import { type OpeningStage, type ReplayPlan, replayPolicy } from './replay.js';
import type { StepView, StopRule } from './stop-rule.js';
import { meanCallCost } from './usage.js';

/*
 * The adaptive policy measured on its training rows, from the out-of-fold predictions of every
 * checkpoint's prefix fusion: the agreement model's training steps (and its cross-fitted scorer),
 * and the cost/quality curve of every setting of the stopping rule that the operating point is
 * chosen on (src/fuse/adaptive/adaptive-strategy.ts fits the policy with them).
 */

/** The replay's fusion of a prefix, read from out-of-fold predictions of every checkpoint. */
function oofFuse(oof: ReadonlyMap<number, FusedPrediction>, K: number): ReplayPlan['fuse'] {
  return (t, rows) => {
    return predictionRows(oof.get(t) as FusedPrediction, rows, K);
  };
}

export interface AgreementSteps {
  K: number;
  features: StepFeatures[];
  agree: boolean[];
  /** The training row of each step. */
  item: number[];
  /**
   * What stopping at the step loses in expectation: 0 where it agrees with the full fusion, else
   * the full fusion's out-of-fold probability of its own decision minus that of the step's (see
   * `expectedTruth`).
   */
  cost: number[];
}

/**
 * The agreement model's training data, from the training rows: at every checkpoint but the last,
 * the step's features (as the replay sees them) against whether the prefix's out-of-fold decision
 * is the full fusion's out-of-fold decision.
 */
export function agreementSteps(answers: AnswerMatrix, truth: Float64Array, order: readonly number[], checkpoints: readonly number[], weights: readonly number[], oof: ReadonlyMap<number, FusedPrediction>): AgreementSteps {
  const K = answers.labels.length;
  const full = oof.get(order.length) as FusedPrediction;
  const fullDecisions = decisions(full.probs, full.decided, K);
  const own = new Map([...oof].map(([t, p]) => [t, decisions(p.probs, p.decided, K)]));
  const steps: AgreementSteps = { K, features: [], agree: [], item: [], cost: [] };
  const record = (view: StepView): number => {
    const t = view.asked as number;
    const i = view.item as number;
    pushStep(steps, view, (own.get(t) as Int32Array)[i] as number, fullDecisions[i] as number, truth);
    return 0;
  };
  replayPolicy(answers, { order, checkpoints, weights, rule: { kind: 'agreement', tau: Infinity }, fuse: oofFuse(oof, K), agreement: record });
  return steps;
}

/** One step: its features, whether its decision `d` is the full fusion's `f`, and what stopping there loses in expectation. */
function pushStep(steps: AgreementSteps, view: StepView, d: number, f: number, truth: Float64Array): void {
  const i = view.item as number;
  const K = steps.K;
  const right = (k: number) => (k >= 0 ? (truth[i * K + k] as number) : 0);
  steps.features.push(stepFeatures(view));
  steps.agree.push(d === f);
  steps.item.push(i);
  steps.cost.push(d === f ? 0 : Math.max(0, right(f) - right(d)));
}

/**
 * The steps of checkpoint 0 (nothing asked): on every training row the opening fusion decided,
 * its out-of-fold decision against the full fusion's, read as the replay reads it there. Its own
 * agreement model is fitted on these alone, so the model of the later checkpoints stays the one
 * a policy without checkpoint 0 has.
 */
export function openingSteps(answers: AnswerMatrix, truth: Float64Array, order: readonly number[], weights: readonly number[], opening: FusedPrediction, full: FusedPrediction): AgreementSteps {
  const K = answers.labels.length;
  const fullDecisions = decisions(full.probs, full.decided, K);
  const own = decisions(opening.probs, opening.decided, K);
  const steps: AgreementSteps = { K, features: [], agree: [], item: [], cost: [] };
  const record = (view: StepView): number => {
    pushStep(steps, view, own[view.item as number] as number, fullDecisions[view.item as number] as number, truth);
    return 0;
  };
  // A policy that never stops at checkpoint 0 (tau = Infinity) and stops everything at the first checkpoint: only checkpoint 0's steps are recorded.
  replayPolicy(answers, {
    order,
    checkpoints: [order.length],
    weights,
    rule: { kind: 'agreement', tau: Infinity },
    fuse: (_t, rows) => ({ probs: new Float64Array(rows.length * K), decided: new Uint8Array(rows.length) }),
    opening: { fuse: (rows) => predictionRows(opening, rows, K), agreement: record, tau: Infinity },
    maxCalls: 1,
  });
  return steps;
}

/** The agreement model on the given steps (all when `keep` is absent); undefined when there is none. */
export function fitSteps(steps: AgreementSteps, target: StopTarget, kind: AgreementModelKind | undefined, keep?: (item: number) => boolean): AgreementModel | undefined {
  const features: StepFeatures[] = [];
  const agree: boolean[] = [];
  const cost: number[] = [];
  steps.item.forEach((i, s) => {
    if (keep && !keep(i)) return;
    features.push(steps.features[s] as StepFeatures);
    agree.push(steps.agree[s] as boolean);
    cost.push(steps.cost[s] as number);
  });
  if (agree.length === 0) return undefined;
  return fitAgreement(features, agree, steps.K, target === 'expected-loss' ? cost : undefined, kind);
}

/**
 * The agreement scorer the curve is measured with: on each inner test fold, the agreement model
 * fitted on the steps of the other folds' rows, so no row's stopping decision comes from a model
 * that saw whether that row's prefix agreed (fitted on every row, the model would know its own
 * rows and the curve would look cheaper than the policy is on new items).
 */
export function crossFittedAgreement(steps: AgreementSteps, target: StopTarget, kind: AgreementModelKind | undefined, folds: readonly (readonly number[])[], n: number): Pick<ReplayPlan, 'agreement'> {
  const foldOf = new Int32Array(n).fill(-1);
  folds.forEach((test, f) => test.forEach((r) => (foldOf[r] = f)));
  const models = folds.map((_, f) => fitSteps(steps, target, kind, (i) => foldOf[i] !== f));
  return {
    agreement: (view) => {
      const model = models[foldOf[view.item as number] as number];
      return model ? agreementProbability(model, stepFeatures(view)) : 0;
    },
  };
}

/** A threshold of checkpoint 0 that stops no item there (an agreement above 1): the policy as it is without checkpoint 0. */
export const stopsNoneAtZero = (rule: StopRule): boolean => rule.kind === 'agreement' && rule.tau > 1;

export interface Curve {
  points: CurvePoint[];
}

/**
 * Cost/quality of every setting of the rule, replayed on out-of-fold fused predictions of the
 * training rows. Each point's `lossBound` is its loss made non-increasing in calls (pooled
 * adjacent violators) plus `caution` standard errors of that loss (a paired bootstrap over the
 * rows): the bound the target is held to. With `resolution` > 0 the grid is first refined so that
 * neighbouring settings differ by at most that many calls where the rule allows (see `refineGrid`).
 *
 * With an opening stage (checkpoint 0: the policy's own rule fixed at the setting whose bound was
 * `opening.bound`, `grid` its thresholds) two things keep its stops from looking free. They are a
 * claim of their own, decided by another fusion with its own agreement model, so the rows must
 * vouch for them apart from the later checkpoints' stops: one pseudo-disagreement each (see
 * `lossesWithUnseen`); sharing one, stops at 0 with no disagreement would cost nothing, their
 * doubt already paid by the later checkpoints' real disagreements. And every threshold's bound is
 * the setting's own bound plus what its stops add to it (their loss, their spread and their
 * pseudo-disagreement): measured against the full strategy alone, the stops could spend a
 * training loss below the bound that the setting showed, which is luck of the rows it was chosen
 * on (the cheapest of many within the target). That bound counts from 0 when it is below: asking
 * fewer models does not beat the full strategy in expectation (the smoothing of the losses
 * assumes the same). Without both, new items were decided from texts that foretell nothing.
 * Along checkpoint 0's thresholds the losses are not smoothed: they decide from another source
 * than the models, which can be right where the models asked are wrong, so the loss need not grow
 * as the calls fall, and pooling a threshold's gain with the thresholds that stop nothing would
 * erase what an informative text is worth. Each threshold is held by its own loss and spread, and
 * the walk down from "never stop at 0" still ends at the first one over the target.
 */
export function measureCurve(
  answers: AnswerMatrix,
  y: Int32Array,
  grid: readonly StopRule[],
  order: readonly number[],
  checkpoints: readonly number[],
  weights: readonly number[],
  oof: ReadonlyMap<number, FusedPrediction>,
  pricePerCall: readonly (number | null)[],
  maxCalls: number | undefined,
  bound: BoundSpec & { metric: LossMetric },
  expected: { probs: Float64Array },
  agreement: Pick<ReplayPlan, 'agreement'>,
  seed: number,
  resolution: number,
  opening?: { stage: Omit<OpeningStage, 'tau'>; rule: StopRule; bound: number },
): Curve {
  const K = answers.labels.length;
  const M = answers.models.length;
  const { metric } = bound;
  const full = oof.get(order.length) as FusedPrediction;
  const fullDecisions = decisions(full.probs, full.decided, K);
  const fullScore = weightedScore(y, fullDecisions, K, metric);
  const fullExpected = weightedScore(expected, fullDecisions, K, metric);
  const measured = new Map<StopRule, { point: CurvePoint; own: Int32Array; claims: number }>();
  // The most models a row can be asked: a policy that asks them on every row decides as the full strategy does.
  const most = Math.min(order.length, maxCalls ?? Infinity);
  const measure = (rule: StopRule) => {
    const known = measured.get(rule);
    if (known) return known;
    // With an opening stage, `rule` is its threshold (an agreement rule) and the policy's own rule is fixed.
    const plan = opening ? { rule: opening.rule, opening: { ...opening.stage, tau: rule.kind === 'agreement' ? rule.tau : Infinity } } : { rule };
    const r = replayPolicy(answers, { order, checkpoints, weights, ...plan, fuse: oofFuse(oof, K), ...agreement, ...(maxCalls ? { maxCalls } : {}) });
    const d = decisions(r.prediction.probs, r.prediction.decided, K);
    const score = weightedScore(y, d, K, metric);
    const calls = r.calls.reduce((a, b) => a + b, 0) / Math.max(1, r.calls.length);
    const point: CurvePoint = { rule, calls, cost: meanCallCost(r.asked, M, pricePerCall), score, loss: fullScore - score, lossBound: 0, expectedLoss: fullExpected - weightedScore(expected, d, K, metric) };
    // The stages that stop a row before the full strategy, each a claim the rows must vouch for:
    // the checkpoints from the first call on, and checkpoint 0.
    const claims = (r.calls.some((c) => c > 0 && c < most) ? 1 : 0) + (r.calls.some((c) => c === 0) ? 1 : 0);
    measured.set(rule, { point, own: d, claims });
    return { point, own: d, claims };
  };
  const rules = resolution > 0 ? refineGrid(grid, (rule) => measure(rule).point.calls, resolution) : grid;
  const points = rules.map((rule) => measure(rule).point);
  const own = rules.map((rule) => measure(rule).own);
  const se = lossStandardErrors(y, fullDecisions, own, K, metric, seed);
  const expectedSe = lossStandardErrors(expected, fullDecisions, own, K, metric, seed);
  const claims = rules.map((rule) => measure(rule).claims);
  const unseen = lossesWithUnseen(y, fullDecisions, own, claims, K, metric, seed);
  const expectedUnseen = lossesWithUnseen(expected, fullDecisions, own, claims, K, metric, seed);
  points.forEach((p, i) =>
    Object.assign(p, {
      lossSe: se[i] as number,
      expectedLossSe: expectedSe[i] as number,
      unseenLoss: unseen.loss[i] as number,
      unseenLossSe: unseen.se[i] as number,
      expectedUnseenLoss: expectedUnseen.loss[i] as number,
      expectedUnseenLossSe: expectedUnseen.se[i] as number,
    }),
  );
  const bounds = lossBoundOf(points, bound, !opening);
  // The policy without the opening stage: the threshold that stops no row at 0 (the grid's first).
  const without = opening ? points.findIndex((p) => stopsNoneAtZero(p.rule)) : -1;
  const shift = opening && without >= 0 ? Math.max(0, opening.bound) - (bounds[without] as number) : 0;
  points.forEach((p, i) => (p.lossBound = (bounds[i] as number) + shift));
  return { points };
}
