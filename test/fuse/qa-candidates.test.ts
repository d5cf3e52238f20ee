import { describe, expect, it } from 'vitest';
import { evaluateQaFolder } from '../../src/kinds/qa/evaluate.js';
import { hasSharedLabels, selectItems, selectRows } from '../../src/fuse/answer-matrix.js';
import { crossValidateStrategy } from '../../src/fuse/cross-validate.js';
import { getStrategy, STRATEGIES } from '../../src/fuse/registry.js';
import { StrategyError } from '../../src/fuse/strategy.js';
import { buildItemAnswers } from '../../src/qa/build-items.js';
import { buildCandidateMatrix } from '../../src/qa/candidate-matrix.js';
import { prepareQa } from '../../src/qa/prepare.js';
import { syntheticFreeFormFolder, syntheticMcFolder } from '../qa/synthetic.js';

/** One core: QA items are a candidate matrix, and every strategy of the one registry reads it. */
describe('QA through the one fusion core', () => {
  it('multiple-choice QA accepts and scores every strategy a classification folder accepts', async () => {
    const r = await evaluateQaFolder(syntheticMcFolder(60, [0.8, 0.65, 0.6, 0.55], 3, [2, 3]), { folds: 3, seed: 1 });
    // Every strategy but the order-aware ones (QA options have no order: skipped, not refused).
    expect(r.strategies.map((s) => s.name)).toEqual(STRATEGIES.filter((s) => s.needsOrderedLabels !== true).map((s) => s.name));
    expect(r.extras.refused).toEqual([]);
    for (const s of r.strategies) {
      expect(s.accuracy, s.name).toBeGreaterThan(0.5);
      expect(s.coverage, s.name).toBe(1);
    }
  }, 120_000);

  it('free-form QA refuses the strategies that need a fixed label set, naming the strategy and why', async () => {
    const folder = syntheticFreeFormFolder(45, [0.8, 0.6, 0.55, 0.5], 5, [2, 3]);
    const needing = STRATEGIES.filter((s) => s.needsSharedLabels === true && s.needsOrderedLabels !== true).map((s) => s.name);
    expect(needing).toEqual(expect.arrayContaining(['dawid-skene', 'calibrated-soft-vote', 'calibrated-stacking', 'stacking-text']));
    const r = await evaluateQaFolder(folder, { folds: 3, seed: 1 });
    expect(r.extras.refused.map((x) => x.name)).toEqual(needing);
    expect(r.strategies.map((s) => s.name)).toEqual(STRATEGIES.filter((s) => !needing.includes(s.name) && s.needsOrderedLabels !== true).map((s) => s.name));
    for (const name of needing) {
      await expect(evaluateQaFolder(folder, { folds: 3, seed: 1, strategies: [name] })).rejects.toThrow(StrategyError);
      await expect(evaluateQaFolder(folder, { folds: 3, seed: 1, strategies: [name] })).rejects.toThrow(new RegExp(`^${name} needs a fixed label set.*differ per item`));
    }
    // Direct fits refuse too, whoever calls them.
    const p = prepareQa(folder);
    expect(hasSharedLabels(p.candidates.matrix)).toBe(false);
    expect(() => getStrategy('dawid-skene').fit(p.candidates.matrix, p.goldColumn, { seed: 1 })).toThrow(/dawid-skene needs a fixed label set/);
  }, 120_000);

  it('on free-form QA, supervised strategies learn whom to trust and beat the vote when two models copy an error', async () => {
    const r = await evaluateQaFolder(syntheticFreeFormFolder(240, [0.85, 0.5, 0.45, 0.45], 7, [1, 2, 3]), { folds: 4, seed: 1 });
    const acc = (n: string) => r.strategies.find((s) => s.name === n)?.accuracy ?? 0;
    expect(acc('weighted-vote')).toBeGreaterThan(acc('majority-vote') + 0.05);
    expect(acc('stacking')).toBeGreaterThan(acc('majority-vote') + 0.05);
    expect(acc('auto')).toBeGreaterThan(acc('majority-vote') + 0.05);
    expect(r.strategies.find((s) => s.name === 'auto')?.picks).toHaveLength(4);
  }, 120_000);

  it('poisoning the test fold\'s gold leaves its predictions unchanged (no strategy reads test gold)', () => {
    const p = prepareQa(syntheticFreeFormFolder(90, [0.8, 0.6, 0.5], 9, [1, 2]));
    const { matrix } = p.candidates;
    const K = matrix.labels.length;
    for (const name of ['weighted-vote', 'stacking', 'best-model', 'auto']) {
      const s = getStrategy(name);
      const { folds } = crossValidateStrategy(s, matrix, p.goldColumn, { folds: 3, seed: 1, right: p.rightColumns });
      for (const test of folds) {
        const gold = Int32Array.from(p.goldColumn);
        const right = Uint8Array.from(p.rightColumns);
        for (const i of test) {
          gold[i] = gold[i] === 0 ? 1 : 0;
          right.fill(0, i * K, (i + 1) * K);
        }
        // Fit on the same training rows with clean and with poisoned test gold: the test rows' gold must not matter.
        const train = matrix.itemIds.map((_, i) => i).filter((i) => !test.includes(i));
        const f1 = s.fit(sub(matrix, train), Int32Array.from(train, (i) => p.goldColumn[i] as number), { seed: 5, right: pick(p.rightColumns, K, train) });
        const f2 = s.fit(sub(matrix, train), Int32Array.from(train, (i) => gold[i] as number), { seed: 5, right: pick(right, K, train) });
        expect(Array.from(f2.predict(sub(matrix, test)).probs), name).toEqual(Array.from(f1.predict(sub(matrix, test)).probs));
      }
    }
  }, 120_000);

  it('central picks the free-form answer the other models support most', () => {
    const { item } = buildItemAnswers(
      'q',
      'who wrote hamlet',
      { answerType: 'free-form' },
      [
        { model: 0, output: 'Christopher Marlowe' },
        { model: 1, output: 'Hamlet was written by William Shakespeare around 1600.' },
        { model: 2, output: 'William Shakespeare' },
        { model: 3, output: 'Shakespeare wrote it.' },
      ],
      4,
    );
    const { matrix, columnCluster } = buildCandidateMatrix([item], ['a', 'b', 'c', 'd'], 'free-form');
    const pred = getStrategy('central').fit(matrix, new Int32Array(1).fill(-1), { seed: 1 }).predict(matrix);
    const K = matrix.labels.length;
    let best = 0;
    for (let k = 1; k < K; k++) if ((pred.probs[k] as number) > (pred.probs[best] as number)) best = k;
    const cluster = columnCluster[0]?.[best] ?? -1;
    expect(item.answers[item.clusters[cluster]?.members[0] ?? -1]?.reading.text).toMatch(/Shakespeare/);
  });
});

function sub(m: Parameters<typeof selectItems>[0], rows: number[]) {
  return selectItems(m, rows);
}
function pick(right: Uint8Array, K: number, rows: number[]) {
  return selectRows(right, K, rows);
}
