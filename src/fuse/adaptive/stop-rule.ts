import { z } from 'zod';
import { isConfident } from './cascade.js';
import { isLeaderLikelyFinal } from './leader-posterior.js';
import { isSettled } from './settled.js';

/**
 * A per-item stopping rule with its one parameter: `settled` (slack on the unasked weight, 1 =
 * exact), `posterior` (delta of the Adaptive-Consistency rule) or `cascade` (fused-confidence
 * threshold) or `agreement` (threshold on the predicted agreement with the full fusion). Larger
 * `slack`, smaller `delta` and larger `threshold` or `tau` ask more models.
 */
export const StopRuleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('settled'), slack: z.number().min(0) }),
  z.object({ kind: z.literal('posterior'), delta: z.number().min(0).max(1) }),
  z.object({
    kind: z.literal('cascade'),
    threshold: z.number().min(0),
    /**
     * The threshold falls by `decay` times the share of models already asked: an item still
     * uncertain after most models is one the rest will rarely settle, so it stops sooner.
     */
    decay: z.number().min(0).max(1).default(0),
  }),
  /** Stop once the policy's agreement model gives P(this decision is the full fusion's) at least `tau`. */
  z.object({ kind: z.literal('agreement'), tau: z.number().min(0) }),
]);
export type StopRule = z.infer<typeof StopRuleSchema>;
export type StopRuleKind = StopRule['kind'];

/**
 * Why an item stopped being asked: shown per item by `fusion run` and counted by the replay.
 * `text`: decided from the item's text before any model was asked.
 */
export type StopReason = 'settled' | 'confident' | 'all-asked' | 'max-calls' | 'text';

/** What a rule sees of one item after some models were asked. */
export interface StepView {
  /** Weighted-vote scores per label of the answers so far. */
  scores: Float64Array;
  /** Hard answer counts per label so far. */
  counts: Float64Array;
  /** Sum of the weights of the models not yet asked. */
  remainingWeight: number;
  /** The fused distribution of the answers so far (K values at `offset`). */
  fused: Float64Array;
  offset: number;
  K: number;
  /** Share of the models asked so far (0..1). */
  askedShare: number;
  /** The fused decision at the item's previous checkpoint (-1 at the first), and for how many checkpoints in a row it has been the same (1: new). */
  previous?: number;
  run?: number;
  /** Number of models asked so far, and the item's row in the replayed answers. */
  asked?: number;
  item?: number;
  /** For the `agreement` rule's model: the hard answer of each model asked so far, in asking order (-1: none). */
  votes?: ArrayLike<number>;
  /** For the `agreement` rule: P(the decision so far is the full fusion's), from the policy's agreement model. */
  agreement?: number;
}

/** True when the rule stops asking on this item. */
export function shouldStop(rule: StopRule, view: StepView): boolean {
  switch (rule.kind) {
    case 'settled':
      return isSettled(view.scores, view.remainingWeight, rule.slack);
    case 'posterior':
      return isLeaderLikelyFinal(view.counts, rule.delta);
    case 'cascade':
      return isConfident(view.fused, view.offset, view.K, rule.threshold - rule.decay * view.askedShare);
    case 'agreement':
      return view.agreement !== undefined && view.agreement >= rule.tau;
  }
}

/** The parameters tried when a rule's parameter is chosen on training folds, from most to fewest calls. */
export function ruleGrid(kind: StopRuleKind): StopRule[] {
  switch (kind) {
    case 'settled':
      return [1, 0.9, 0.75, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0].map((slack) => ({ kind, slack }));
    case 'posterior':
      return [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3].map((delta) => ({ kind, delta }));
    case 'cascade':
      return [0, 0.3, 0.6].flatMap((decay) =>
        [1.01, 0.999, 0.995, 0.99, 0.98, 0.97, 0.95, 0.93, 0.9, 0.87, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5, 0.4, 0.3].map((threshold) => ({ kind, threshold, decay })),
      );
    case 'agreement':
      return [1.01, 0.999, 0.995, 0.99, 0.985, 0.98, 0.975, 0.97, 0.965, 0.96, 0.95, 0.94, 0.93, 0.92, 0.9, 0.88, 0.85, 0.8, 0.75, 0.7, 0.6, 0.5, 0.3, 0].map((tau) => ({ kind, tau }));
  }
}

/**
 * A parameter as a description prints it: a grid value as written; a refined one (refine-grid.ts
 * splits gaps geometrically, so it has every digit a float has) with three significant digits of
 * its distance to the nearer of 0 and 1, since that distance is what moves the calls. The rule
 * itself keeps the full value; this is text for people.
 */
export function shortParameter(x: number): string {
  if (!Number.isFinite(x) || Number(x.toPrecision(3)) === x) return String(x);
  const distance = Math.min(Math.abs(x), Math.abs(1 - x));
  const places = distance > 0 ? Math.max(0, Math.ceil(-Math.log10(distance)) + 2) : 3;
  return String(Number(x.toFixed(Math.min(places, 12))));
}

/** A rule's parameter as text, e.g. `threshold=0.95`. */
export function ruleSetting(rule: StopRule): string {
  switch (rule.kind) {
    case 'settled':
      return `slack=${shortParameter(rule.slack)}`;
    case 'posterior':
      return `delta=${shortParameter(rule.delta)}`;
    case 'cascade':
      return `threshold=${shortParameter(rule.threshold)}${rule.decay ? `,decay=${shortParameter(rule.decay)}` : ''}`;
    case 'agreement':
      return `tau=${shortParameter(rule.tau)}`;
  }
}
