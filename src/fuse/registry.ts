import { adaptiveStrategy } from './adaptive/adaptive-strategy.js';
import { autoStrategy } from './auto.js';
import { bestModelStrategy } from './best-model.js';
import { calibrated } from './calibration.js';
import { dawidSkeneStrategy, oneCoinDawidSkeneStrategy } from './dawid-skene.js';
import { majorityVoteStrategy } from './majority-vote.js';
import { logSoftVoteStrategy, softVoteStrategy } from './soft-vote.js';
import { stackingStrategy } from './stacking.js';
import { stackingTextStrategy } from './stacking-text.js';
import { type FusionStrategy, StrategyError } from './strategy.js';
import { weightedVoteStrategy } from './weighted-vote.js';

/** Every strategy `fusion eval` runs, in leaderboard order of introduction. */
export const STRATEGIES: readonly FusionStrategy[] = [
  majorityVoteStrategy,
  weightedVoteStrategy,
  softVoteStrategy,
  logSoftVoteStrategy,
  dawidSkeneStrategy,
  oneCoinDawidSkeneStrategy,
  stackingStrategy,
  bestModelStrategy,
  calibrated(softVoteStrategy),
  calibrated(stackingStrategy),
  stackingTextStrategy,
  autoStrategy,
  adaptiveStrategy,
];

export function getStrategy(name: string): FusionStrategy {
  const s = STRATEGIES.find((x) => x.name === name);
  if (!s) throw new StrategyError(`unknown strategy "${name}" (available: ${STRATEGIES.map((x) => x.name).join(', ')})`);
  return s;
}
