import type { FusedPrediction } from './strategy.js';

/**
 * Honest abstention (selective prediction): the items whose fused winner has probability below
 * `minConfidence` become undecided (`withheld[i] = 1`), so a caller reports "no consensus"
 * instead of a coin flip. Pure: returns a new prediction.
 */
export function withMinConfidence(prediction: FusedPrediction, K: number, minConfidence: number): FusedPrediction & { withheld: Uint8Array } {
  const probs = Float64Array.from(prediction.probs);
  const decided = Uint8Array.from(prediction.decided);
  const withheld = new Uint8Array(decided.length);
  for (let i = 0; i < decided.length; i++) {
    if (decided[i] !== 1) continue;
    let max = 0;
    for (let k = 0; k < K; k++) max = Math.max(max, probs[i * K + k] as number);
    if (max >= minConfidence) continue;
    decided[i] = 0;
    withheld[i] = 1;
  }
  return { ...prediction, probs, decided, withheld };
}
