/**
 * The cascade rule (FrugalGPT, arXiv 2305.05176; Mixture-of-Thought cascades, arXiv 2310.03094):
 * stop asking when the fused prediction of the models asked so far gives its top label at least
 * `threshold`, i.e. escalate to the next model only while the fused confidence is low.
 */
export function isConfident(fused: ArrayLike<number>, offset: number, K: number, threshold: number): boolean {
  let max = 0;
  for (let k = 0; k < K; k++) max = Math.max(max, fused[offset + k] as number);
  return max >= threshold;
}
