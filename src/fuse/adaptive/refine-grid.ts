import type { StopRule } from './stop-rule.js';

/**
 * A setting of the same rule between two settings `more` (asks more models) and `fewer`, or null
 * when there is none (different kinds or decays, or no room left). Thresholds near 1 are where
 * the calls move most with many models (an agreement model's probabilities crowd towards 1 as the
 * prefix grows), so thresholds are split by the geometric mean of their distances to 1 (about the
 * midpoint in log-odds), deltas geometrically, slacks arithmetically. A threshold of 1 or more
 * (never stop) stands for a distance to 1 a sixteenth of its neighbour's.
 */
export function between(more: StopRule, fewer: StopRule): StopRule | null {
  const towardsOne = (hi: number, lo: number): number | null => {
    const dLo = Math.min(1, 1 - lo);
    if (!(dLo > 0)) return null;
    const dHi = hi >= 1 ? dLo / 16 : 1 - hi;
    const mid = 1 - Math.sqrt(dHi * dLo);
    return mid < Math.min(hi, 1) - 1e-12 && mid > lo + 1e-12 ? mid : null;
  };
  if (more.kind === 'agreement' && fewer.kind === 'agreement') {
    const tau = towardsOne(more.tau, fewer.tau);
    return tau === null ? null : { kind: 'agreement', tau };
  }
  if (more.kind === 'cascade' && fewer.kind === 'cascade' && more.decay === fewer.decay) {
    const threshold = towardsOne(more.threshold, fewer.threshold);
    return threshold === null ? null : { kind: 'cascade', threshold, decay: more.decay };
  }
  if (more.kind === 'posterior' && fewer.kind === 'posterior' && more.delta > 0 && fewer.delta > more.delta * (1 + 1e-9)) {
    return { kind: 'posterior', delta: Math.sqrt(more.delta * fewer.delta) };
  }
  if (more.kind === 'settled' && fewer.kind === 'settled' && more.slack > fewer.slack + 1e-9) {
    return { kind: 'settled', slack: (more.slack + fewer.slack) / 2 };
  }
  return null;
}

/**
 * The grid (ordered from most to fewest calls) with settings inserted wherever two neighbours'
 * mean calls differ by more than `resolution`, halving such gaps for at most `rounds` rounds.
 * A fixed grid of thresholds spans the calls unevenly: with a hundred models, two neighbouring
 * thresholds near 1 can ask a few models per item and most of them, and the cheapest setting the
 * bound accepts is then the dear one. Refined, the curve has a point every `resolution` calls (where the rule
 * can tell them apart), so the choice is made on calls, not on where the grid happened to fall.
 * `callsOf` is called at most once per setting.
 */
export function refineGrid(grid: readonly StopRule[], callsOf: (rule: StopRule) => number, resolution: number, rounds = 6): StopRule[] {
  let rules = [...grid];
  const calls = new Map<StopRule, number>();
  const of = (r: StopRule) => {
    if (!calls.has(r)) calls.set(r, callsOf(r));
    return calls.get(r) as number;
  };
  for (let round = 0; round < rounds; round++) {
    const next: StopRule[] = [];
    let inserted = false;
    rules.forEach((r, i) => {
      next.push(r);
      const after = rules[i + 1];
      if (!after || of(r) - of(after) <= resolution) return;
      const mid = between(r, after);
      if (!mid) return;
      next.push(mid);
      inserted = true;
    });
    rules = next;
    if (!inserted) break;
  }
  return rules;
}

/**
 * The calls resolution of the refined grid for M models: an eighth of the range of calls (1 to M)
 * and at least one call, so that the curve has some eight points across its range whatever the
 * number of models (a resolution, not a value fitted to any data).
 */
export function gridResolution(M: number): number {
  return Math.max(1, (M - 1) / 8);
}
