/**
 * The `settled` rule for a weighted vote: the models not yet asked can no longer change the
 * decision when the leader's margin over the runner-up exceeds the total weight still unasked
 * (every unasked model voting for the runner-up would not overturn it). With `slack` 1 this is
 * exact: the same decisions as asking every model. A smaller slack stops earlier, betting that
 * the unasked models will not all side against the leader.
 */
export function isSettled(scores: ArrayLike<number>, remainingWeight: number, slack = 1): boolean {
  const { leader, runnerUp } = topTwo(scores);
  if (leader <= 0) return remainingWeight === 0;
  // A margin equal to the unasked weight is a possible tie (common with samples, which share their
  // model's weight); the remaining weight comes from running sums, so equal can read as just above.
  return leader - runnerUp - slack * remainingWeight > 1e-9 * Math.max(1, leader);
}

/** The largest and second largest of the values (the second is 0 with a single label). */
export function topTwo(values: ArrayLike<number>): { leader: number; runnerUp: number; index: number } {
  let leader = -Infinity;
  let runnerUp = -Infinity;
  let index = -1;
  for (let k = 0; k < values.length; k++) {
    const v = values[k] as number;
    if (v > leader) {
      runnerUp = leader;
      leader = v;
      index = k;
    } else if (v > runnerUp) runnerUp = v;
  }
  return { leader, runnerUp: Number.isFinite(runnerUp) ? runnerUp : 0, index };
}
