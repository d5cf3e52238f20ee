import { kFold, trainIndices } from '../../eval/cross-validation.js';
import { pickAccuracy } from './pick-accuracy.js';
import { z } from 'zod';
import { QaStateError, type AnswerCorrectness, type FittedQaStrategy, type QaItemAnswers, type QaStrategy } from '../types.js';

/** Inner folds used by `auto` to choose a strategy on the training items. */
export const AUTO_INNER_FOLDS = 5;

/**
 * Out-of-fold accuracy of each candidate on the given (training) items, by inner k-fold. Uses only
 * the correctness it is given, i.e. never the outer test fold's.
 */
export function innerCvScores(
  candidates: readonly QaStrategy[],
  train: readonly QaItemAnswers[],
  correct: readonly AnswerCorrectness[],
  models: readonly string[],
  seed: number,
): number[] {
  const n = train.length;
  const folds = Math.min(AUTO_INNER_FOLDS, n);
  if (folds < 2) return candidates.map(() => 0);
  const hits = candidates.map(() => 0);
  let counted = 0;
  for (const test of kFold(n, folds, seed)) {
    const tr = trainIndices(n, test);
    const trItems = tr.map((i) => train[i] as QaItemAnswers);
    const trCorrect = tr.map((i) => correct[i] ?? []);
    const teItems = test.map((i) => train[i] as QaItemAnswers);
    const teCorrect = test.map((i) => correct[i] ?? []);
    const known = teCorrect.filter((c) => c.some((x) => x !== null)).length;
    counted += known;
    candidates.forEach((s, k) => {
      const fitted = s.fit(trItems, trCorrect, { seed, models });
      hits[k] = (hits[k] as number) + pickAccuracy(teItems, teCorrect, fitted) * known;
    });
  }
  return hits.map((h) => (counted === 0 ? 0 : h / counted));
}

const AutoStateSchema = z.object({ chosen: z.string(), innerAccuracy: z.record(z.string(), z.number()), fitted: z.unknown() });

function wrap(fitted: FittedQaStrategy, chosen: string, innerAccuracy: Record<string, number>): FittedQaStrategy {
  return { name: 'auto', pick: (item) => fitted.pick(item), state: () => ({ chosen, innerAccuracy, fitted: fitted.state() }) };
}

/**
 * Chooses among `candidates` by inner cross-validation on the training items only, then refits the
 * winner on all of them. Ties go to the earlier candidate (simpler strategies are listed first).
 */
export function createAuto(candidates: readonly QaStrategy[]): QaStrategy {
  return {
    name: 'auto',
    supervised: true,
    fit(train, correct, options): FittedQaStrategy {
      const scores = innerCvScores(candidates, train, correct, options.models, options.seed + 7919);
      let best = 0;
      scores.forEach((s, k) => {
        if (s > (scores[best] as number) + 1e-12) best = k;
      });
      const chosen = candidates[best] as QaStrategy;
      const innerAccuracy = Object.fromEntries(candidates.map((c, k) => [c.name, scores[k] as number]));
      return wrap(chosen.fit(train, correct, options), chosen.name, innerAccuracy);
    },
    load(state, models) {
      const parsed = AutoStateSchema.safeParse(state);
      if (!parsed.success) throw new QaStateError('auto: malformed state (expected {chosen, innerAccuracy, fitted})');
      const chosen = candidates.find((c) => c.name === parsed.data.chosen);
      if (!chosen) throw new QaStateError(`auto: unknown chosen strategy "${parsed.data.chosen}"`);
      return wrap(chosen.load(parsed.data.fitted, models), chosen.name, parsed.data.innerAccuracy);
    },
  };
}
