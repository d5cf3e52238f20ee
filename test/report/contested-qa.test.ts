import { describe, expect, it } from 'vitest';
import type { QaOutcomes } from '../../src/eval/answer-score.js';
import { evaluateQaFolder } from '../../src/kinds/qa/evaluate.js';
import { contestedQa } from '../../src/report/contested-items.js';
import { syntheticFreeFormFolder } from '../qa/synthetic.js';

async function outcomesOf(accuracy: number[], seed: number) {
  const folder = syntheticFreeFormFolder(60, accuracy, seed);
  let outcomes: QaOutcomes | undefined;
  const result = await evaluateQaFolder(folder, { folds: 3, seed: 1, strategies: ['majority-vote'], onOutcomes: (o) => (outcomes = o) });
  if (!outcomes) throw new Error('no outcomes');
  return { folder, result, outcomes };
}

/** The city a synthetic answer names ("Paris" or "The city is Paris."). */
const city = (output: string) => output.replace(/^The city is /, '').replace(/\.$/, '');

describe('contested QA items', () => {
  it('answers that say the same in other words are no disagreement', async () => {
    // Every model right on every item: some say "Paris", some "The city is Paris.".
    const { folder, result, outcomes } = await outcomesOf([1, 1, 1], 3);
    const reworded = folder.items.filter((it) => new Set(folder.responses.filter((r) => r.item === it.id).map((r) => r.output)).size > 1);
    expect(reworded.length).toBeGreaterThan(10);
    expect(contestedQa(result, outcomes, 100).total).toBe(0);
  });

  it('counts exactly the items whose answers name different things', async () => {
    const { folder, result, outcomes } = await outcomesOf([0.9, 0.5, 0.5], 4);
    const disagree = folder.items.filter((it) => new Set(folder.responses.filter((r) => r.item === it.id).map((r) => city(r.output))).size > 1);
    const c = contestedQa(result, outcomes, 1000);
    expect(c.total).toBe(disagree.length);
    expect(c.shown.map((s) => s.item)).toEqual(disagree.map((it) => it.id));
  });
});
