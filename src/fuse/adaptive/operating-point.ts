import { z } from 'zod';
import { StopRuleSchema } from './stop-rule.js';

/** One setting of a stopping rule measured on training folds: the cost/quality curve is a list of these. */
export const CurvePointSchema = z.object({
  rule: StopRuleSchema,
  /** Mean models asked per item. */
  calls: z.number(),
  /** Mean USD per item, null when a model asked has no price. */
  cost: z.number().nullable(),
  /** Macro-F1 (accuracy for QA) of the policy's decisions. */
  score: z.number(),
  /** Score of the full strategy minus `score` (negative when stopping early does better). */
  loss: z.number(),
  /**
   * An upper confidence bound on `loss`: the loss made non-increasing in calls plus `caution`
   * standard errors of it (a paired bootstrap over the training rows): what `maxLoss` is held to.
   */
  lossBound: z.number(),
  /** Paired-bootstrap standard error of `loss`. */
  lossSe: z.number().optional(),
  /**
   * The loss scored against the full strategy's out-of-fold probabilities instead of the labels
   * (see `expectedTruth`), and its standard error: what the bound is held to with the `expected` estimate.
   */
  expectedLoss: z.number().optional(),
  expectedLossSe: z.number().optional(),
  /**
   * `loss`, `lossSe`, `expectedLoss` and `expectedLossSe` with one disagreement the training rows
   * did not show added (see `lossesWithUnseen`): what the bound is held to with `unseen: 'pseudo'`.
   */
  unseenLoss: z.number().optional(),
  unseenLossSe: z.number().optional(),
  expectedUnseenLoss: z.number().optional(),
  expectedUnseenLossSe: z.number().optional(),
});
export type CurvePoint = z.infer<typeof CurvePointSchema>;

/**
 * What a policy is fitted for: at most `maxLoss` (a fraction: 0.005 is half a point) below the
 * full strategy with as few calls as possible, or the best score within `maxCalls` models or
 * `maxCost` USD per item.
 */
export const TargetSchema = z.object({
  maxLoss: z.number().min(0).optional(),
  maxCalls: z.number().positive().optional(),
  maxCost: z.number().nonnegative().optional(),
});
export type Target = z.infer<typeof TargetSchema>;

export const DEFAULT_TARGET: Target = { maxLoss: 0.005 };

/**
 * What a setting's training-fold loss is scored against: `labels`, the gold labels (each row the
 * policy decides otherwise than the full strategy moves the loss by a whole row, either way), or
 * `expected`, the full strategy's out-of-fold probabilities recalibrated on the labels (the loss it
 * expects if they are calibrated on the rows where the policy decides otherwise; see
 * `expectedTruth`). `expected` has the lower variance but is only as right as those probabilities
 * are on exactly the rows that matter, which no label-free check can tell: on one dev set it
 * underestimated the loss under every fold seed (BENCHMARKS.md, "The operating point: a
 * lower-variance loss estimate"), so the labels stay the default.
 */
export type LossEstimate = 'labels' | 'expected';
export const DEFAULT_LOSS_ESTIMATE: LossEstimate = 'labels';

/**
 * What the training rows are taken to show: `none`, only what they show (a setting that decided
 * every row as the full strategy did has loss and standard error 0, however few the rows), or
 * `pseudo`, one more disagreement than they show (see `lossesWithUnseen`), so that a setting
 * chosen on few rows must have seen enough of them to bound what it has not seen. The default:
 * with `none`, zero disagreements in n rows read as a loss of 0 known exactly, so on a small
 * training set the cheapest of many settings that merely happened to agree on those rows is
 * chosen and the `maxLoss` promise is broken on new items; the pseudo-row makes a setting earn its
 * early stops with enough agreeing rows, which costs calls only when the rows are few (a policy
 * fitted on a few dozen items then asks every model at the default target; a looser `maxLoss` or
 * a `maxCalls` budget is the user's way to trade). Evidence in BENCHMARKS.md, "One disagreement
 * the rows did not show".
 */
export type UnseenDisagreement = 'none' | 'pseudo';
export const DEFAULT_UNSEEN: UnseenDisagreement = 'pseudo';

/** How a point's bound is computed from its measured losses. */
export interface BoundSpec {
  caution: number;
  estimate: LossEstimate;
  /** Default DEFAULT_UNSEEN. */
  unseen?: UnseenDisagreement;
}

/**
 * Each point's bound: its loss under `estimate` (and `unseen`), made non-increasing in calls (see
 * `monotoneLosses`; not when `monotone` is false, for settings along which asking fewer models
 * need not lose more), plus `caution` standard errors of that loss.
 */
export function lossBoundOf(points: readonly CurvePoint[], bound: BoundSpec, monotone = true): number[] {
  const expected = bound.estimate === 'expected';
  const pseudo = (bound.unseen ?? DEFAULT_UNSEEN) === 'pseudo';
  const measured = (p: CurvePoint) => (expected ? (p.expectedLoss ?? p.loss) : p.loss);
  const loss = points.map((p) => (pseudo ? ((expected ? p.expectedUnseenLoss : p.unseenLoss) ?? measured(p)) : measured(p)));
  const se = points.map((p) => (pseudo ? (expected ? p.expectedUnseenLossSe : p.unseenLossSe) : expected ? p.expectedLossSe : p.lossSe) ?? 0);
  const smooth = monotone
    ? monotoneLosses(
        points.map((p) => p.calls),
        loss,
      )
    : loss;
  return smooth.map((l, i) => l + bound.caution * (se[i] as number));
}

/**
 * The point of the curve that meets the target: with a call or cost budget, the best score within
 * it (the cheapest point when none fits); otherwise the fewest calls (then lowest cost) whose
 * `lossBound` is within `maxLoss`, walking from the most calls down and stopping at the first
 * point that is not (a setting is only trusted when every costlier one also met the target), or
 * the smallest bound when no point is within it.
 */
export function chooseOperatingPoint(curve: readonly CurvePoint[], target: Target = DEFAULT_TARGET): CurvePoint {
  if (curve.length === 0) throw new RangeError('chooseOperatingPoint: empty curve');
  const cheapest = (xs: readonly CurvePoint[]) => [...xs].sort((a, b) => a.calls - b.calls || (a.cost ?? 0) - (b.cost ?? 0) || b.score - a.score)[0] as CurvePoint;
  const best = (xs: readonly CurvePoint[]) => [...xs].sort((a, b) => b.score - a.score || a.calls - b.calls)[0] as CurvePoint;
  if (target.maxCalls !== undefined || target.maxCost !== undefined) {
    const within = curve.filter(
      (p) => (target.maxCalls === undefined || p.calls <= target.maxCalls) && (target.maxCost === undefined || (p.cost !== null && p.cost <= target.maxCost)),
    );
    const pool = target.maxLoss !== undefined ? within.filter((p) => p.lossBound <= (target.maxLoss as number) + 1e-12) : within;
    if (pool.length > 0) return target.maxLoss !== undefined ? cheapest(pool) : best(pool);
    return within.length > 0 ? best(within) : cheapest(curve);
  }
  const maxLoss = target.maxLoss ?? (DEFAULT_TARGET.maxLoss as number);
  const ok: CurvePoint[] = [];
  for (const p of [...curve].sort((a, b) => b.calls - a.calls)) {
    if (p.lossBound > maxLoss + 1e-12) break;
    ok.push(p);
  }
  if (ok.length > 0) return cheapest(ok);
  return [...curve].sort((a, b) => a.lossBound - b.lossBound || a.calls - b.calls)[0] as CurvePoint;
}

/** A call or cost budget with no loss target: the user asked for the best score within the budget. */
export const budgetOnly = (target: Target): boolean => target.maxLoss === undefined && (target.maxCalls !== undefined || target.maxCost !== undefined);

/**
 * The target checkpoint 0's threshold is held to, given `without`, the point of its own curve that
 * never stops there (the policy as chosen without it). A loss target is a promise about the whole
 * policy, so checkpoint 0 is held to the same `maxLoss`. A budget with no loss target asks for the
 * best score within the budget, which the policy without checkpoint 0 already is; checkpoint 0
 * only takes calls away, so it may cost nothing the bound can see: it is held to the bound of the
 * policy without it, within the same budget. A fixed loss in its place would be a promise the user
 * did not make: it would let checkpoint 0 lose score the user asked to keep, and refuse it
 * wherever the budget alone puts the policy over that loss, however well the texts foretell.
 * The target returned is that loss alone, the budget left out: checkpoint 0's thresholds only take
 * calls (and their cost) away from the policy without it, so the budget it met is met by each, and
 * held to a loss the thresholds are walked down from "never stop at 0" to the first over it (see
 * chooseOperatingPoint); with the budget in, the cheapest threshold anywhere within the bound would
 * be taken, one whose bound dipped by luck past a threshold that broke it.
 */
export function openingTarget(target: Target, without: Pick<CurvePoint, 'lossBound'>): { maxLoss: number } {
  if (budgetOnly(target)) return { maxLoss: without.lossBound };
  return { maxLoss: target.maxLoss ?? (DEFAULT_TARGET.maxLoss as number) };
}

/**
 * The losses of a curve's points made non-increasing in calls (pool-adjacent-violators, equal
 * weights): asking more models cannot, in expectation, lose more. Each point's raw training loss is
 * noisy by about as much as the target; pooling a lucky dip with its neighbours keeps the cheapest
 * setting that merely looks within the target from being picked, and a spike from blocking the
 * cheaper settings past it. Returns the smoothed loss of `calls[i]`/`losses[i]`, in input order.
 */
export function monotoneLosses(calls: readonly number[], losses: readonly number[]): number[] {
  const idx = calls.map((_, i) => i).sort((a, b) => (calls[b] as number) - (calls[a] as number) || a - b);
  // From the most calls down, the loss may only grow: PAVA for a non-decreasing sequence.
  const blocks: { sum: number; n: number; members: number[] }[] = [];
  for (const i of idx) {
    blocks.push({ sum: losses[i] as number, n: 1, members: [i] });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1] as (typeof blocks)[number];
      const prev = blocks[blocks.length - 2] as (typeof blocks)[number];
      if (prev.sum / prev.n <= last.sum / last.n) break;
      blocks.pop();
      prev.sum += last.sum;
      prev.n += last.n;
      prev.members.push(...last.members);
    }
  }
  const out = new Array<number>(calls.length).fill(0);
  for (const b of blocks) for (const i of b.members) out[i] = b.sum / b.n;
  return out;
}
