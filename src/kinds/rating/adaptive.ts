import { mapsFor, type CalibratedState } from './calibrated.js';
import { judgeColumns, scoreAt } from './judge-scores.js';
import type { RatingMatrix } from './rating-matrix.js';

/**
 * Adaptive rating: ask the judges one at a time, most reliable first, and stop when another judge
 * is unlikely to move the fused score. The policy reads a fitted `calibrated` model: each judge's
 * map onto the gold scale and the error variance left after it (per stratum), so a judge's vote
 * weight is the inverse of that variance.
 *
 * After k answers the fused score is the weighted mean m_k of the calibrated scores with weight
 * sum P_k. The next judge n (weight 1/r_n) would move it by w * (y_n - m_k), w = (1/r_n) / (P_k + 1/r_n),
 * and y_n - m_k has variance 1/P_k + r_n under the model; how far the judges asked so far
 * disagree beyond what the model expects scales that variance (their weighted squared deviations
 * per degree of freedom, a ratio near 1 when the model holds, shrunk toward 1 by one pseudo-answer
 * so that two judges agreeing by chance do not end the questioning). The expected absolute move of
 * a normal deviation is sqrt(2/pi) times its standard deviation; the policy stops when that is at
 * most `tolerance` (in score units) or when every judge has been asked.
 *
 * m_k is only the rule's measure of how settled an item is: the fused score the user gets is auto
 * fitted on the judges asked (src/kinds/rating/prefix-auto.ts), and the tolerance is chosen by
 * that score's held-out quality against auto with every judge (adaptive-policy.ts).
 */
export function judgeOrder(s: CalibratedState): number[] {
  return [...s.use].sort((a, b) => (s.pooled.residual[a] as number) - (s.pooled.residual[b] as number) || a - b);
}

/** The expected absolute move of the fused score if `next` were asked, given the calibrated answers so far (judge index, calibrated score). */
export function expectedMove(residual: readonly number[], answers: readonly { judge: number; score: number }[], next: number): number {
  if (answers.length === 0) return Number.POSITIVE_INFINITY;
  let P = 0;
  let num = 0;
  for (const a of answers) {
    const w = 1 / (residual[a.judge] as number);
    P += w;
    num += w * a.score;
  }
  const mean = num / P;
  let chi = 0;
  for (const a of answers) chi += (a.score - mean) ** 2 / (residual[a.judge] as number);
  const k = answers.length;
  const ratio = (chi + 1) / k;
  const rn = residual[next] as number;
  const w = 1 / rn / (P + 1 / rn);
  return w * Math.sqrt((2 / Math.PI) * ratio * (1 / P + rn));
}

export interface AdaptiveRun {
  /** The judges asked per item, in order (an unreadable answer is asked and counts as a call). */
  asked: number[][];
  /** The matrix with only the asked judges' scores and samples: what the fused score may read. */
  seen: RatingMatrix;
}

/**
 * Replays the policy on recorded answers: which judges it would ask per item (never more than
 * `maxCalls`), in `order` (judge indices into `s.judges`; by default s's own), and what it would see.
 */
export function replayAdaptive(s: CalibratedState, m: RatingMatrix, tolerance: number, maxCalls = Number.POSITIVE_INFINITY, order: readonly number[] = judgeOrder(s)): AdaptiveRun {
  const cols = judgeColumns(m, s.judges);
  const J = m.judges.length;
  const scores = new Float64Array(m.scores.length).fill(Number.NaN);
  // Asking a judge brings all of its samples (prompt variants), which the fused score may read too.
  const samples = m.sampleScores?.map(() => new Float64Array(m.scores.length).fill(Number.NaN));
  const asked: number[][] = [];
  for (let i = 0; i < m.itemIds.length; i++) {
    const maps = mapsFor(s, m, i);
    const answers: { judge: number; score: number }[] = [];
    const mine: number[] = [];
    for (let k = 0; k < order.length && k < maxCalls; k++) {
      const j = order[k] as number;
      if (answers.length > 0 && expectedMove(maps.residual, answers, j) <= tolerance) break;
      mine.push(j);
      const c = cols[j] as number;
      if (c >= 0) samples?.forEach((out, k) => (out[i * J + c] = (m.sampleScores?.[k] as Float64Array)[i * J + c] as number));
      const x = scoreAt(m, i, c);
      if (Number.isNaN(x)) continue;
      scores[i * J + c] = x;
      answers.push({ judge: j, score: (maps.a[j] as number) + (maps.b[j] as number) * x });
    }
    asked.push(mine);
  }
  const { sampleScores: _unused, ...rest } = m;
  return { asked, seen: { ...rest, scores, ...(samples ? { sampleScores: samples } : {}) } };
}
