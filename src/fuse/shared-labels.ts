import { dawidSkeneStrategy } from './dawid-skene.js';
import { type FusionStrategy, requireSharedLabels } from './strategy.js';

/**
 * Marks a strategy that learns per label as needing a fixed label set, when it does not say so
 * itself: it then refuses answers whose candidates differ per item before fitting.
 */
export function declareSharedLabels(strategy: FusionStrategy): FusionStrategy {
  if (strategy.needsSharedLabels !== undefined) return strategy;
  return {
    ...strategy,
    needsSharedLabels: true,
    fit(train, gold, options) {
      requireSharedLabels(strategy.name, train);
      return strategy.fit(train, gold, options);
    },
  };
}

/** Full-confusion Dawid-Skene learns a K x K confusion matrix per model: a fixed label set only. */
export const fullDawidSkeneStrategy = declareSharedLabels(dawidSkeneStrategy);
