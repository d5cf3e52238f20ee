import { StrategyError } from '../../fuse/strategy.js';
import { adaptiveRating } from './adaptive-policy.js';
import { autoRating } from './auto.js';
import { bestModelRating, calibratedRating } from './calibrated.js';
import { judgeModelRating } from './judge-model.js';
import { meanRating } from './mean.js';
import { medianRating } from './median.js';
import { reliabilityWeightedRating } from './reliability-weighted.js';
import { stackingRating } from './stacking.js';
import type { RatingStrategy } from './strategy.js';
import { trimmedMeanRating } from './trimmed-mean.js';

export const RATING_STRATEGIES: readonly RatingStrategy[] = [
  meanRating,
  medianRating,
  trimmedMeanRating,
  reliabilityWeightedRating,
  calibratedRating,
  bestModelRating,
  stackingRating,
  judgeModelRating,
  autoRating,
  adaptiveRating,
];

export const DEFAULT_RATING_STRATEGY = 'auto';

export function getRatingStrategy(name: string): RatingStrategy {
  const found = RATING_STRATEGIES.find((s) => s.name === name);
  if (!found) throw new StrategyError(`unknown rating strategy "${name}"; known: ${RATING_STRATEGIES.map((s) => s.name).join(', ')}`);
  return found;
}
