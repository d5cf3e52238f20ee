import { describe, expect, it } from 'vitest';
import { createAdaptive, isAdaptive } from '../../src/fuse/adaptive/adaptive-strategy.js';
import { getStrategy } from '../../src/fuse/registry.js';
import type { FittedStrategy, ScoreMetric } from '../../src/fuse/strategy.js';
import type { QaFolder } from '../../src/kinds/load-folder.js';
import { crossValidateStrategy } from '../../src/fuse/cross-validate.js';
import { evaluateQaFolder } from '../../src/kinds/qa/evaluate.js';
import { fitQaStrategy } from '../../src/kinds/qa/fit.js';
import { prepareQa } from '../../src/qa/prepare.js';
import type { RecordedResponse } from '../../src/task/schema.js';
import { seededRandom } from '../../src/util/random.js';

const LETTERS = ['A', 'B', 'C', 'D', 'E'];

/**
 * A multiple-choice world where accuracy and macro-F1 disagree about stopping early: E is a rare
 * right letter, and the first model, the most accurate on every other letter, answers A where E is
 * right, while the others are right as often on E as elsewhere. Stopping on the first model's
 * answer loses the E questions: a few in accuracy, most of E's F1 (a fifth of macro-F1).
 */
function rareLetterFolder(n: number, seed: number): QaFolder {
  const random = seededRandom(seed);
  const items = [];
  const responses: RecordedResponse[] = [];
  for (let i = 0; i < n; i++) {
    const gold = random() < 0.04 ? 'E' : (LETTERS[Math.floor(random() * 4)] as string);
    const id = `q${i}`;
    items.push({ id, question: `Question ${i}?`, answers: [gold], choices: LETTERS.map((label) => ({ label, text: `option ${label} of ${i}` })) });
    const wrong = () => LETTERS.filter((l) => l !== gold)[Math.floor(random() * 4)] as string;
    [0.97, 0.8, 0.8, 0.8, 0.8].forEach((p, k) => {
      const answer = k === 0 && gold === 'E' ? 'A' : random() < p ? gold : wrong();
      responses.push({ item: id, model: `m${k}`, output: `The answer is (${answer}).` });
    });
  }
  return { kind: 'qa', dir: '/rare-letter', task: { name: 'rare-letter', kind: 'qa', answerType: 'multiple-choice', instructions: '' }, items, responses };
}

const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

describe('adaptive on multiple-choice QA', () => {
  it('is chosen by accuracy, the figure QA is scored in, not by macro-F1 over the option letters', () => {
    const folder = rareLetterFolder(600, 3);
    const adaptive = () => createAdaptive({ final: getStrategy('weighted-vote'), target: { maxLoss: 0.065 } });
    const p = prepareQa(folder);
    const { matrix } = p.candidates;
    expect(matrix.candidates).toBeUndefined();
    const fit = (metric: ScoreMetric) => adaptive().fit(matrix, p.goldColumn, { seed: 1, right: p.rightColumns, metric });
    const calls = (fitted: FittedStrategy) => (isAdaptive(fitted) ? mean(fitted.replay(matrix).calls) : Number.NaN);
    const byKind = fitQaStrategy(folder, adaptive(), 1).fitted;
    const byMacroF1 = fit('macro-f1');
    // Held in accuracy, the first model's stops cost only the rare E questions, and it stops more.
    expect(calls(byKind)).toBeLessThan(calls(byMacroF1) - 0.3);
    expect(JSON.stringify(byKind.state())).toBe(JSON.stringify(fit('accuracy').state()));
  });

  it('is chosen by accuracy on every fold of fusion eval too', async () => {
    const folder = rareLetterFolder(600, 3);
    const adaptive = createAdaptive({ final: getStrategy('weighted-vote'), target: { maxLoss: 0.065 } });
    const p = prepareQa(folder);
    const picked = (metric: ScoreMetric) => crossValidateStrategy(adaptive, p.candidates.matrix, p.goldColumn, { folds: 3, seed: 1, right: p.rightColumns, metric }).fitted.map((f) => (f.state() as { picked: string }).picked);
    const result = await evaluateQaFolder(folder, { folds: 3, seed: 1, strategies: [adaptive], threads: 1 });
    const entry = result.strategies.find((e) => e.name === adaptive.name);
    expect(picked('accuracy')).not.toEqual(picked('macro-f1'));
    expect(entry?.picks).toEqual(picked('accuracy'));
  });
});
