import { majorityVoteStrategy } from './majority-vote.js';
import { type FusionStrategy, StrategyError } from './strategy.js';

/** Every strategy `fusion eval` runs, in leaderboard order of introduction. */
export const STRATEGIES: readonly FusionStrategy[] = [majorityVoteStrategy];

export function getStrategy(name: string): FusionStrategy {
  const s = STRATEGIES.find((x) => x.name === name);
  if (!s) throw new StrategyError(`unknown strategy "${name}" (available: ${STRATEGIES.map((x) => x.name).join(', ')})`);
  return s;
}
