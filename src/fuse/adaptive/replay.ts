import type { AnswerMatrix } from '../answer-matrix.js';
import type { FusedPrediction } from '../strategy.js';
import { type StepView, type StopReason, type StopRule, shouldStop } from './stop-rule.js';

/** What the replay needs: the order, where to check the rule, and the fused prediction of any prefix. */
export interface ReplayPlan {
  /**
   * Model indices (columns of the answers) in asking order, each at most once. A column left out
   * is never asked (a call that never gave a readable answer on the training items): the policy's
   * calls and its share asked count only the order's columns.
   */
  order: readonly number[];
  /**
   * Numbers of models asked after which the rule is checked, ascending; the last one is the
   * length of the order. Between two checkpoints the models are asked together (one wave).
   */
  checkpoints: readonly number[];
  /** Weight of each column's vote (for the vote-based rules). */
  weights: ArrayLike<number>;
  rule: StopRule;
  /** For the `agreement` rule: P(the decision so far is the full fusion's) of a step. */
  agreement?: (view: StepView) => number;
  /** Never ask more than this many models per item (stops with reason `max-calls`). */
  maxCalls?: number;
  /**
   * Fused distributions of the items `rows` (row indices of the replayed answers) when only the
   * first `asked` models of the order were asked: row r of the result is rows[r].
   */
  fuse(asked: number, rows: readonly number[]): FusedPrediction;
  /**
   * Checkpoint 0, before any model is asked: a fusion of what the item says without answers (its
   * text), its own agreement model and threshold. An item it stops makes no call (reason
   * `text`). The steps after it see nothing of it (their features are those of a policy without
   * it), so the policy from the first call on is the same with or without it.
   */
  opening?: OpeningStage;
}

export interface OpeningStage {
  fuse(rows: readonly number[]): FusedPrediction;
  agreement(view: StepView): number;
  tau: number;
}

export interface ReplayResult {
  prediction: FusedPrediction;
  /** asked[i*M + j] = 1 when the policy asked model j on item i. */
  asked: Uint8Array;
  /** Models asked per item. */
  calls: Int32Array;
  reasons: StopReason[];
}

/**
 * Replays recorded answers as if asked live: on each item, the models in the plan's order, an
 * answer counting only once its model is asked (an unasked model's answer is not seen, so the
 * savings are measured on real answers). After each checkpoint the rule decides which items stop;
 * the others go on to the next wave.
 */
export function replayPolicy(answers: AnswerMatrix, plan: ReplayPlan): ReplayResult {
  const K = answers.labels.length;
  const M = answers.models.length;
  const N = answers.itemIds.length;
  const probs = new Float64Array(N * K);
  const decided = new Uint8Array(N);
  const asked = new Uint8Array(N * M);
  const calls = new Int32Array(N);
  const reasons: StopReason[] = new Array<StopReason>(N).fill('all-asked');
  // Calls the policy can make: the order's columns (M unless it skips some).
  const A = plan.order.length;
  const cap = Math.max(1, Math.min(A, plan.maxCalls ?? A));
  const checkpoints = [...plan.checkpoints.filter((t) => t >= 1 && t < cap), cap];
  const totalWeight = plan.order.reduce((a, j) => a + (plan.weights[j] as number), 0);
  const scores = new Float64Array(N * K);
  const counts = new Float64Array(N * K);
  let active = Array.from({ length: N }, (_, i) => i);
  // Each item's fused decision at its previous checkpoint and how long it has held (a stable leader is a likely final one).
  const previous = new Int32Array(N).fill(-1);
  const run = new Int32Array(N);
  let done = 0;
  let askedWeight = 0;
  const opening = plan.opening;
  if (opening && active.length > 0) {
    const fused = opening.fuse(active);
    const zero = new Float64Array(K);
    active = active.filter((i, r) => {
      if (fused.decided[r] !== 1) return true;
      const view: StepView = { scores: zero, counts: zero, remainingWeight: totalWeight, fused: fused.probs, offset: r * K, K, askedShare: 0, asked: 0, item: i, previous: -1, run: 1, votes: [] };
      view.agreement = opening.agreement(view);
      if (!shouldStop({ kind: 'agreement', tau: opening.tau }, view)) return true;
      calls[i] = 0;
      reasons[i] = 'text';
      decided[i] = 1;
      probs.set(fused.probs.subarray(r * K, (r + 1) * K), i * K);
      return false;
    });
  }
  for (const t of checkpoints) {
    if (active.length === 0) break;
    // This wave's answers join the running scores and counts.
    for (let s = done; s < t; s++) {
      const j = plan.order[s] as number;
      const wj = plan.weights[j] as number;
      askedWeight += wj;
      for (const i of active) {
        asked[i * M + j] = 1;
        if (answers.present[i * M + j] === 0) continue;
        const v = top(answers.probs, (i * M + j) * K, K);
        scores[i * K + v] = (scores[i * K + v] as number) + wj;
        counts[i * K + v] = (counts[i * K + v] as number) + 1;
      }
    }
    done = t;
    const last = t === cap;
    const fused = plan.fuse(t, active);
    const next: number[] = [];
    active.forEach((i, r) => {
      const view: StepView = {
        scores: scores.subarray(i * K, (i + 1) * K),
        counts: counts.subarray(i * K, (i + 1) * K),
        remainingWeight: Math.max(0, totalWeight - askedWeight),
        fused: fused.probs,
        offset: r * K,
        K,
        askedShare: t / A,
        asked: t,
        item: i,
        previous: previous[i] as number,
      };
      const lead = fused.decided[r] === 1 ? top(fused.probs, r * K, K) : -1;
      run[i] = lead >= 0 && lead === previous[i] ? (run[i] as number) + 1 : 1;
      previous[i] = lead;
      view.run = run[i] as number;
      if (plan.agreement && !last && fused.decided[r] === 1) {
        view.votes = Int32Array.from({ length: t }, (_, s) => {
          const j = plan.order[s] as number;
          return answers.present[i * M + j] === 1 ? top(answers.probs, (i * M + j) * K, K) : -1;
        });
        view.agreement = plan.agreement(view);
      }
      const stop = last || (fused.decided[r] === 1 && shouldStop(plan.rule, view));
      if (!stop) {
        next.push(i);
        return;
      }
      calls[i] = t;
      reasons[i] = !last ? (plan.rule.kind === 'settled' ? 'settled' : 'confident') : t < A ? 'max-calls' : 'all-asked';
      decided[i] = fused.decided[r] as number;
      if (decided[i] === 1) probs.set(fused.probs.subarray(r * K, (r + 1) * K), i * K);
    });
    active = next;
  }
  return { prediction: { probs, decided }, asked, calls, reasons };
}

function top(values: Float64Array, offset: number, K: number): number {
  let best = 0;
  for (let k = 1; k < K; k++) if ((values[offset + k] as number) > (values[offset + best] as number)) best = k;
  return best;
}
