import { adaptiveStrategy } from './adaptive/adaptive-strategy.js';
import { autoStrategy } from './auto.js';
import { bestModelStrategy } from './best-model.js';
import { calibrated } from './calibration.js';
import { centralStrategy } from './central.js';
import { oneCoinDawidSkeneStrategy } from './dawid-skene.js';
import { expectedRank } from './expected-rank.js';
import { majorityVoteStrategy } from './majority-vote.js';
import { medianLabelStrategy } from './median-label.js';
import { fullDawidSkeneStrategy } from './shared-labels.js';
import { logSoftVoteStrategy, softVoteStrategy } from './soft-vote.js';
import { stackingStrategy } from './stacking.js';
import { stackingTextStrategy } from './stacking-text.js';
import { type FusionStrategy, StrategyError } from './strategy.js';
import { weightedVoteStrategy } from './weighted-vote.js';

/**
 * Every strategy, for classification and QA alike, in leaderboard order of introduction. The ones
 * with `needsSharedLabels` refuse free-form and numeric QA (candidates differ per item); the ones
 * with `needsOrderedLabels` apply only to ordered classification tasks (skipped elsewhere).
 */
export const STRATEGIES: readonly FusionStrategy[] = [
  majorityVoteStrategy,
  weightedVoteStrategy,
  softVoteStrategy,
  logSoftVoteStrategy,
  fullDawidSkeneStrategy,
  oneCoinDawidSkeneStrategy,
  stackingStrategy,
  bestModelStrategy,
  calibrated(softVoteStrategy),
  calibrated(stackingStrategy),
  stackingTextStrategy,
  centralStrategy,
  autoStrategy,
  adaptiveStrategy,
  medianLabelStrategy,
  expectedRank(autoStrategy),
];

export function getStrategy(name: string): FusionStrategy {
  const s = STRATEGIES.find((x) => x.name === name);
  if (!s) throw new StrategyError(`unknown strategy "${name}" (available: ${STRATEGIES.map((x) => x.name).join(', ')})`);
  return s;
}

/**
 * The strategy used when none was fitted or named, one rule for `fusion run` and the library alike:
 * the plurality vote, or the most central answer where answers are free sentences (they rarely
 * coincide exactly, so a plurality would split). Unsupervised and never estimating reliabilities
 * from the batch at hand, so a small or odd batch cannot mislead it.
 */
export function defaultStrategyName(freeFormAnswers: boolean): string {
  return freeFormAnswers ? 'central' : 'majority-vote';
}
