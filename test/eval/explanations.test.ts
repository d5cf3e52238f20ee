import { describe, expect, it } from 'vitest';
import { scoreStrategy } from '../../src/eval/evaluate.js';
import { itemsToExplain } from '../../src/eval/explanations.js';
import { renderClassificationReport } from '../../src/kinds/classification/report.js';
import { type AnswerMatrix, emptyMatrix, setAnswer } from '../../src/fuse/answer-matrix.js';
import { majorityVoteStrategy } from '../../src/fuse/majority-vote.js';
import type { FusionStrategy } from '../../src/fuse/strategy.js';

const labels = ['x', 'y'];
const N = 20;
function matrix(): AnswerMatrix {
  const m = emptyMatrix(labels, ['a', 'b'], Array.from({ length: N }, (_, i) => `item-${i}`));
  for (let i = 0; i < N; i++) {
    setAnswer(m, i, 0, i % 2 ? [0, 1] : [1, 0]);
    // b agrees with a except on every fourth item; item 7 has no answer from b
    if (i !== 7) setAnswer(m, i, 1, i % 4 === 0 ? [0, 1] : i % 2 ? [0, 1] : [1, 0]);
  }
  return m;
}
const gold = Int32Array.from({ length: N }, (_, i) => i % 2);

/** A supervised strategy that copies model a and reports, as a's weight, how many items it was fitted on. */
const countingStrategy: FusionStrategy = {
  name: 'counting',
  supervised: true,
  fit(train, trainGold) {
    const seen = trainGold.filter((g) => g >= 0).length;
    return {
      name: 'counting',
      state: () => ({ seen }),
      predict(answers) {
        const K = answers.labels.length;
        const M = answers.models.length;
        const n = answers.itemIds.length;
        const probs = new Float64Array(n * K);
        for (let i = 0; i < n; i++) probs.set(answers.probs.subarray(i * M * K, i * M * K + K), i * K);
        return { probs, decided: new Uint8Array(n).fill(1) };
      },
      explain: (answers, i) => answers.models.map((model, j) => ({ model, answer: null, weight: j === 0 ? seen : 0, influence: i })),
    };
  },
  load() {
    throw new Error('not used');
  },
};

describe('explanations of fused decisions', () => {
  it('picks the first contested items in file order', () => {
    expect(itemsToExplain(matrix(), 3)).toEqual([0, 4, 8]);
    expect(itemsToExplain(matrix(), 0)).toEqual([]);
  });

  it('explains a learning strategy with the fold model that predicted the item, never one fitted on it', () => {
    const m = matrix();
    const entry = scoreStrategy(countingStrategy, { matrix: m, abstentions: [] }, gold, { folds: 4, seed: 3, explain: 2 });
    expect(entry.explanations).toHaveLength(2);
    for (const e of entry.explanations ?? []) expect(e.contributions[0]?.weight).toBe(15); // 3 of 4 folds of 20 items
  });

  it("gives each model's answer, weight and influence for majority-vote, and the report shows them for the best strategy", () => {
    const m = matrix();
    const entry = scoreStrategy(majorityVoteStrategy, { matrix: m, abstentions: [] }, gold, { folds: 4, seed: 3, explain: 1 });
    const [e] = entry.explanations ?? [];
    expect(e).toMatchObject({ item: 'item-0', gold: 'x' });
    expect(e?.contributions.map((c) => [c.model, c.answer])).toEqual([
      ['a', 'x'],
      ['b', 'y'],
    ]);
    const report = renderClassificationReport({
      task: 't', kind: 'classification', items: N, folds: 4, seed: 3, models: [], strategies: [entry], best: entry.name, callsPerItem: 2, rejected: [],
      extras: { labels, oracle: 1, agreement: { fleissKappa: 0, pairwise: [] } },
    });
    expect(report).toMatch(/## Why: 1 contested decisions of majority-vote/);
    expect(report).toMatch(/### item-0: /);
    expect(report).toMatch(/\| a \| x \| /);
  });
});
