import { z } from 'zod';
import { medianDecision, requireOrderedLabels } from './ordered-labels.js';
import type { FittedStrategy, FusionStrategy } from './strategy.js';
import { parseState } from './strategy-state.js';

const NAME = 'expected-rank';

/**
 * A decision rule for ordered tasks over another strategy's fused distribution: the label that
 * minimises the expected absolute rank error (the distribution's weighted median) instead of the
 * most probable one. With mass split between neighbours (0.4 on "4", 0.35 on "3", 0.25 on "2") the
 * mode "4" risks more rank error than "3". The inner strategy fits and predicts as usual; only its
 * decision changes. Refuses a task without ordered labels (StrategyError).
 */
export function expectedRank(inner: FusionStrategy, name = NAME): FusionStrategy {
  const State = z.object({ inner: z.literal(inner.name), state: z.unknown() });
  const wrap = (fit: FittedStrategy): FittedStrategy => ({
    name,
    predict(answers) {
      requireOrderedLabels(name, answers);
      return medianDecision(fit.predict(answers), answers.labels.length);
    },
    state: () => ({ inner: inner.name, state: fit.state() }),
    ...(fit.explain ? { explain: fit.explain.bind(fit) } : {}),
    ...(fit.modelTrust ? { modelTrust: fit.modelTrust.bind(fit) } : {}),
  });
  return {
    name,
    supervised: inner.supervised,
    needsSharedLabels: true,
    needsOrderedLabels: true,
    fit(train, gold, options) {
      requireOrderedLabels(name, train);
      return wrap(inner.fit(train, gold, options));
    },
    load(state, labels) {
      const s = parseState(name, State, state);
      return wrap(inner.load(s.state, labels));
    },
  };
}
