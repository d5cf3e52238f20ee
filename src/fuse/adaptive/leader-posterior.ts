import { topTwo } from './settled.js';

/**
 * The stopping rule of Adaptive-Consistency (Aggarwal et al., arXiv 2305.11860): with `a` answers
 * for the leading answer and `b` for the runner-up, the probability that the leader's share of
 * the answer distribution is larger, under a uniform prior, is P(X > 1/2) for X ~ Beta(a+1, b+1).
 * For whole counts that equals P(Binomial(a+b+1, 1/2) <= a), computed here exactly in log space.
 */
export function leaderStaysProbability(leaderCount: number, runnerUpCount: number): number {
  const a = Math.round(leaderCount);
  const b = Math.round(runnerUpCount);
  const n = a + b + 1;
  // Sum of C(n, i) / 2^n for i = 0..a, with log-binomials to stay finite for large n.
  let logC = 0;
  let sum = 0;
  const log2n = n * Math.LN2;
  for (let i = 0; i <= a; i++) {
    if (i > 0) logC += Math.log((n - i + 1) / i);
    sum += Math.exp(logC - log2n);
  }
  return Math.min(1, sum);
}

/** Stop when the current leader (by answer counts) stays the leader with probability >= 1 - delta. */
export function isLeaderLikelyFinal(counts: ArrayLike<number>, delta: number): boolean {
  const { leader, runnerUp } = topTwo(counts);
  if (leader <= 0) return false;
  return leaderStaysProbability(leader, runnerUp) >= 1 - delta;
}
