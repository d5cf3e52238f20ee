import { describe, expect, it } from 'vitest';
import { evaluateClassification } from '../../src/kinds/classification/evaluate.js';
import { leaderboardRows } from '../../src/eval/leaderboard.js';
import type { ClassificationFolder } from '../../src/kinds/load-folder.js';
import type { RecordedResponse } from '../../src/task/schema.js';

const LABELS = ['no', 'yes'];

/** Two models with three samples each on every item, one sample of m1 unreadable on item 0. */
function sampledFolder(n: number): ClassificationFolder {
  const items = Array.from({ length: n }, (_, i) => ({ id: `i${i}`, text: `item ${i}`, label: LABELS[i % 2] as string }));
  const responses: RecordedResponse[] = [];
  for (let i = 0; i < n; i++) {
    for (const model of ['m0', 'm1']) {
      for (let s = 0; s < 3; s++) responses.push({ item: `i${i}`, model, sample: s, output: i === 0 && model === 'm1' && s === 2 ? '???' : (LABELS[(i + s) % 2] as string) });
    }
  }
  const task = { name: 'sampled', kind: 'classification' as const, labels: LABELS.map((name) => ({ name, aliases: [] })), instructions: '' };
  return { kind: 'classification', dir: '/sampled', task, items, gold: Int32Array.from(items, (_, i) => i % 2), responses };
}

describe('the leaderboard calls note with samples', () => {
  it('an eval result says how many answers per item a strategy that reads them all uses (each readable sample a call)', () => {
    const r = evaluateClassification(sampledFolder(12), { folds: 3, seed: 1, strategies: ['majority-vote'] });
    expect(r.callsPerItem).toBeCloseTo(6 - 1 / 12, 12);
    expect(r.strategies[0]?.callsPerItem).toBeCloseTo(r.callsPerItem, 12);
  });

  it('notes the calls of an adaptive strategy shown alone, though it asks more calls than there are models', () => {
    // 2 models with 3 samples each: 6 calls per item; the policy asked 2.5 of them.
    const input = { task: 't', items: 10, models: [{ name: 'm0', accuracy: 0.8, coverage: 1 }, { name: 'm1', accuracy: 0.7, coverage: 1 }], best: 'adaptive', oracle: 1 };
    const strategies = [{ name: 'adaptive', accuracy: 0.8, coverage: 1, scoredOn: 'out-of-fold', callsPerItem: 2.5 }];
    expect(leaderboardRows({ ...input, strategies, callsPerItem: 6 })[0]?.note).toBe('out-of-fold 2.50 calls/item');
    // A strategy that reads every answer gets no note.
    expect(leaderboardRows({ ...input, strategies: [{ ...strategies[0]!, callsPerItem: 6 }], callsPerItem: 6 })[0]?.note).toBe('out-of-fold');
  });
});
