import { describe, expect, it } from 'vitest';
import { crossValidateStrategy } from '../../src/fuse/cross-validate.js';
import { bestModelStrategy } from '../../src/fuse/best-model.js';
import { kindOf } from '../../src/kinds/registry.js';
import type { QaFolder } from '../../src/kinds/load-folder.js';
import type { RecordedResponse } from '../../src/task/schema.js';
import { fromVotes } from '../fuse/helpers.js';

/**
 * A QA folder whose every answer is a program that was never run (issue 19's program-of-thought
 * voters, met alone in a draw of bench/unseen-draws.ts): no item has a right answer among the
 * readable ones, so no training fold holds a labelled row. `fusion eval` failed on the first
 * supervised strategy ("best-model needs labelled training items") and reported nothing, not even
 * the models' `unexecuted-code` abstentions that explain the set.
 */
function programsOnly(n: number, models: number): QaFolder {
  const items = Array.from({ length: n }, (_, i) => ({ id: `q${i}`, question: `How much is ${i} times 2?`, answers: [String(2 * i)] }));
  const responses: RecordedResponse[] = [];
  for (const it of items) for (let j = 0; j < models; j++) responses.push({ item: it.id, model: `pot-${j}`, output: `# Python code, return ans\neggs = ${it.id.slice(1)}\nans = eggs * 2` });
  return { kind: 'qa', dir: '/synthetic-programs', task: { name: 'programs', kind: 'qa', answerType: 'numeric', instructions: '' }, items, responses };
}

describe('supervised strategies on training folds without a labelled row', () => {
  for (const threads of [1, 2]) {
    it(`fusion eval on QA answers that are all unexecuted programs completes (threads ${threads}): models show their abstentions, supervised strategies abstain`, async () => {
      const folder = programsOnly(30, 3);
      const { result } = await kindOf(folder.task).evaluate(folder, { folds: 5, seed: 1, threads, strategies: ['majority-vote', 'best-model', 'weighted-vote', 'stacking', 'auto'] });
      for (const m of result.models) expect(m.abstentions['unexecuted-code'], m.name).toBe(30);
      for (const name of ['best-model', 'weighted-vote', 'stacking', 'auto']) {
        const s = result.strategies.find((x) => x.name === name);
        expect(s?.coverage, name).toBe(0);
        expect(s?.scoredOn, name).toBe('out-of-fold');
      }
      expect(result.strategies.find((x) => x.name === 'majority-vote')).toBeDefined();
    }, 120_000);
  }

  it('one labelled item: the fold that holds it for testing is left undecided, the other folds learn from it', () => {
    const votes = Array.from({ length: 20 }, (_, i) => [i % 2, (i + 1) % 2]);
    const matrix = fromVotes(['a', 'b'], ['m0', 'm1'], votes);
    const gold = new Int32Array(20).fill(-1);
    gold[3] = 1;
    const cv = crossValidateStrategy(bestModelStrategy, matrix, gold, { folds: 5, seed: 1 });
    const holding = cv.folds.findIndex((test) => test.includes(3));
    cv.folds.forEach((test, f) => {
      for (const i of test) expect(cv.prediction.decided[i], `fold ${f}, item ${i}`).toBe(f === holding ? 0 : 1);
    });
    expect(cv.fitted[holding]?.state()).toEqual({ abstained: expect.stringContaining('best-model needs labelled training items') });
  });
});
