import { describe, expect, it } from 'vitest';
import { evaluateQaFolder } from '../../src/kinds/qa/evaluate.js';
import { syntheticFreeFormFolder } from '../qa/synthetic.js';

/**
 * The issue-10 bar through `fusion eval`'s own QA path (candidate matrix, representative answer,
 * scorer): every unsupervised Dawid-Skene variant at least the vote minus 1 point, on free-form
 * sets built to trap it, where weak voters (right 30% of the time) share one wrong answer per item.
 *
 * When that family is a minority (three copycats beside four good voters) the dependence test given
 * the class down-weights it and one-coin is far above the vote. When it OUTNUMBERS the good voters
 * (four against three) it is the unsolved case of BENCHMARKS.md ("a family that outnumbers the
 * independent voters"): given the family's answer as the latent class the copies look independent
 * and the good voters look like the family, and the only guard left, the implausible-voter check,
 * fires on some draws and not on others (the good voters judged right on 3.6-7.0% of the items
 * against its 5%). This case passed before only because the clustering kept `The city is X.` apart
 * from `X`, splitting the family's shared answer; with the two clustered as one answer it fails like
 * the multiple-choice version of the trap. `it.fails` turns red when it is solved.
 */
describe('unsupervised Dawid-Skene on QA, scored by evaluateQaFolder', () => {
  const cases = [
    { family: 'a minority', accuracy: [0.85, 0.8, 0.75, 0.7, 0.3, 0.3, 0.3], copycats: [4, 5, 6], solved: true },
    { family: 'a majority', accuracy: [0.85, 0.8, 0.75, 0.3, 0.3, 0.3, 0.3], copycats: [3, 4, 5, 6], solved: false },
  ];
  for (const { family, accuracy, copycats, solved } of cases) {
    (solved ? it : it.fails)(`free-form: dawid-skene-one-coin stays within 1 point of the vote (or above) when copying junk voters are ${family}`, async () => {
      for (const seed of [11, 13]) {
        const folder = syntheticFreeFormFolder(300, accuracy, seed, copycats);
        const r = await evaluateQaFolder(folder, { folds: 3, seed: 1, strategies: ['majority-vote', 'dawid-skene-one-coin'] });
        const acc = (n: string): number => r.strategies.find((s) => s.name === n)?.accuracy ?? Number.NaN;
        // The trap is real: the copycats drag the plain vote below the best single model.
        if (!solved) expect(acc('majority-vote')).toBeLessThan((r.extras.bestSingle?.accuracy ?? 0) - 0.05);
        expect(acc('dawid-skene-one-coin'), `seed ${seed}`).toBeGreaterThanOrEqual(acc('majority-vote') - 0.01);
      }
    }, 60_000);
  }
});
