import type { AnswerMatrix } from './answer-matrix.js';
import { type FusedPrediction, StrategyError } from './strategy.js';

/** The refusal of a strategy that uses the labels' order, on a task whose labels have none (or differ per item). */
export function requireOrderedLabels(strategy: string, answers: AnswerMatrix): void {
  if (answers.candidates !== undefined) {
    throw new StrategyError(`${strategy} needs a fixed label set listed from low to high; here the candidate answers differ per item`);
  }
  if (answers.ordered !== true) {
    throw new StrategyError(`${strategy} needs an ordered task ("ordered": true in task.json, labels listed from low to high); this task's labels have no order`);
  }
}

/**
 * The label that minimises the expected absolute rank error under a distribution over K ordered
 * labels: its weighted median (the lowest rank whose cumulative probability reaches one half).
 * When the cumulative probability is exactly one half, every rank from there to the next one with
 * probability minimises it alike (votes split 2-2 between ranks 1 and 3 make ranks 1, 2 and 3 equal);
 * the one nearest the distribution's mean is taken (2 there: it also has the least squared error),
 * the lower one on a further tie.
 */
export function weightedMedianRank(probs: ArrayLike<number>, offset: number, K: number): number {
  let total = 0;
  let mean = 0;
  for (let k = 0; k < K; k++) {
    total += probs[offset + k] as number;
    mean += k * (probs[offset + k] as number);
  }
  if (!(total > 0)) return -1;
  mean /= total;
  const tolerance = 1e-9 * total;
  let cumulative = 0;
  let lo = 0;
  for (; lo < K; lo++) {
    cumulative += probs[offset + lo] as number;
    if (cumulative >= total / 2 - tolerance) break;
  }
  lo = Math.min(lo, K - 1);
  if (Math.abs(cumulative - total / 2) > tolerance) return lo;
  let hi = lo + 1;
  while (hi < K && !((probs[offset + hi] as number) > 0)) hi++;
  if (hi >= K) return lo;
  const nearest = Math.min(hi, Math.max(lo, Math.round(mean)));
  // Math.round rounds halves up; a mean exactly between two ranks goes to the lower one.
  return nearest - lo > 0 && Math.abs(nearest - 0.5 - mean) < 1e-12 ? nearest - 1 : nearest;
}

/**
 * A prediction whose decision (its top label) is each item's weighted median rank. The
 * distribution keeps the fused probabilities' values, with the median's and the mode's exchanged:
 * the median becomes the top label and the stated confidence stays what the fused distribution
 * gave its most probable label (no probability is invented, none is lost).
 */
export function medianDecision(fused: FusedPrediction, K: number): FusedPrediction {
  const N = fused.decided.length;
  const probs = Float64Array.from(fused.probs);
  for (let i = 0; i < N; i++) {
    if (fused.decided[i] !== 1) continue;
    const off = i * K;
    const median = weightedMedianRank(fused.probs, off, K);
    if (median < 0) continue;
    let mode = 0;
    for (let k = 1; k < K; k++) if ((probs[off + k] as number) > (probs[off + mode] as number)) mode = k;
    const top = probs[off + mode] as number;
    probs[off + mode] = probs[off + median] as number;
    probs[off + median] = top;
    // Equal probabilities elsewhere would hand the decision to the first of them: lift the median by a hair.
    let tied = false;
    for (let k = 0; k < K; k++) if (k !== median && (probs[off + k] as number) >= top) tied = true;
    if (tied) {
      const lift = 1e-9;
      probs[off + median] = top + lift;
      for (let k = 0; k < K; k++) probs[off + k] = (probs[off + k] as number) / (1 + lift);
    }
  }
  return { probs, decided: Uint8Array.from(fused.decided) };
}
