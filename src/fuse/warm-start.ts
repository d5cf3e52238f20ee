import type { AnswerMatrix } from './answer-matrix.js';
import type { FitOptions, FittedStrategy, FusionStrategy } from './strategy.js';

/**
 * A strategy that can start its fit from a fit it made on related data (e.g. the same rows with
 * one model fewer): the same optimum, reached in fewer iterations. A fit it cannot start from
 * (another strategy's, another setting's) is ignored and the fit runs from scratch.
 */
export interface WarmStartable extends FusionStrategy {
  fitFrom(train: AnswerMatrix, gold: Int32Array, options: FitOptions, previous: FittedStrategy): FittedStrategy;
}

/** `strategy` fitted from `previous` where it can start from one, otherwise from scratch. */
export function fitFrom(strategy: FusionStrategy, train: AnswerMatrix, gold: Int32Array, options: FitOptions, previous: FittedStrategy | undefined): FittedStrategy {
  const warm = (strategy as Partial<WarmStartable>).fitFrom;
  return previous && typeof warm === 'function' ? warm.call(strategy, train, gold, options, previous) : strategy.fit(train, gold, options);
}

/** Whether `strategy` can start a fit from an earlier one (a chain of its fits then depends on where each started). */
export function startsWarm(strategy: FusionStrategy): boolean {
  return typeof (strategy as Partial<WarmStartable>).fitFrom === 'function';
}
