import { describe, expect, it } from 'vitest';
import { getStrategy } from '../../src/fuse/registry.js';
import type { QaFolder } from '../../src/kinds/load-folder.js';
import { evaluateQaFolder } from '../../src/kinds/qa/evaluate.js';
import { fitQaStrategy } from '../../src/kinds/qa/fit.js';
import { prepareQa } from '../../src/qa/prepare.js';
import type { RecordedResponse } from '../../src/task/schema.js';

const LETTERS = ['A', 'B', 'C', 'D', 'E'];

/**
 * Multiple choice where the two figures rank the models apart: E is right on a tenth of the
 * questions; m0 is right on every other question and answers A where E is right (accuracy 0.9, E's
 * F1 0); m1 is right on every E question and on four in five of the others (accuracy 0.82, its
 * macro-F1 over the letters higher). QA is scored in accuracy, so m0 is the better model.
 */
function twoFiguresFolder(): QaFolder {
  const items = [];
  const responses: RecordedResponse[] = [];
  for (let i = 0; i < 200; i++) {
    const gold = i % 10 === 0 ? 'E' : (LETTERS[i % 4] as string);
    const id = `q${i}`;
    items.push({ id, question: `Question ${i}?`, answers: [gold], choices: LETTERS.map((label) => ({ label, text: `option ${label} of ${i}` })) });
    const m0 = gold === 'E' ? 'A' : gold;
    const m1 = gold !== 'E' && i % 5 === 1 ? (LETTERS[(LETTERS.indexOf(gold) + 1) % 4] as string) : gold;
    responses.push({ item: id, model: 'm0', output: `The answer is (${m0}).` }, { item: id, model: 'm1', output: `The answer is (${m1}).` });
  }
  return { kind: 'qa', dir: '/two-figures', task: { name: 'two-figures', kind: 'qa', answerType: 'multiple-choice', instructions: '' }, items, responses };
}

describe('multiple-choice QA: what the core chooses on training data is ranked in accuracy, the figure QA is scored in', () => {
  it('best-model fitted through the QA kind ranks the more accurate model first; by macro-F1 it would not', () => {
    const folder = twoFiguresFolder();
    const p = prepareQa(folder);
    const first = (state: unknown) => (state as { ranking: string[] }).ranking[0];
    expect(first(getStrategy('best-model').fit(p.candidates.matrix, p.goldColumn, { seed: 1, metric: 'macro-f1' }).state())).toBe('m1');
    expect(first(fitQaStrategy(folder, getStrategy('best-model'), 1).fitted.state())).toBe('m0');
  });

  it('fusion eval picks it on every fold, and best-model scores the accuracy of the better model', async () => {
    const folder = twoFiguresFolder();
    const result = await evaluateQaFolder(folder, { folds: 5, seed: 1, strategies: [getStrategy('best-model')], threads: 1 });
    const entry = result.strategies.find((e) => e.name === 'best-model');
    expect(entry?.accuracy).toBeCloseTo(0.9, 6);
  });
});
