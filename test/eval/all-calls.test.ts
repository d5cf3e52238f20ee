import { describe, expect, it } from 'vitest';
import { evaluateClassification } from '../../src/kinds/classification/evaluate.js';
import { evaluateQaFolder } from '../../src/kinds/qa/evaluate.js';
import { ratingPlugin } from '../../src/kinds/rating/index.js';
import type { ClassificationFolder, RatingFolder } from '../../src/kinds/load-folder.js';
import type { RecordedResponse } from '../../src/task/schema.js';
import { syntheticFreeFormFolder } from '../qa/synthetic.js';

/**
 * `allCallsPerItem` of an eval result: every call per item of asking every model and sample,
 * readable or not and recorded or not (the denominator of adaptive's share of calls), unlike
 * `callsPerItem`, which counts the readable answers recorded.
 */
describe('allCallsPerItem of fusion eval', () => {
  it('classification: every (model, sample) column, an unreadable model and a sample recorded on a few items included', () => {
    const labels = ['a', 'b'];
    const n = 40;
    const items = Array.from({ length: n }, (_, i) => ({ id: `c${i}`, text: `t${i}`, label: labels[i % 2] as string }));
    const responses: RecordedResponse[] = items.flatMap((it, i) => [
      { item: it.id, model: 'good', output: labels[i % 2] as string },
      { item: it.id, model: 'good', sample: 1, output: labels[i % 2] as string },
      { item: it.id, model: 'junk', output: 'def f(): pass' },
      ...(i < 4 ? [{ item: it.id, model: 'rare', sample: 1, output: labels[0] as string }] : [{ item: it.id, model: 'rare', output: labels[(i + 1) % 2] as string }]),
    ]);
    const task = { name: 'calls', kind: 'classification' as const, labels: labels.map((name) => ({ name, aliases: [] })), instructions: '' };
    const folder: ClassificationFolder = { kind: 'classification', dir: '/calls', task, items, gold: Int32Array.from(items, (_, i) => i % 2), responses };
    const r = evaluateClassification(folder, { folds: 2, seed: 1, strategies: ['majority-vote'] });
    // good: 2 samples, junk: 1, rare: 2 (sample 1 recorded on 4 items only).
    expect(r.allCallsPerItem).toBe(5);
    expect(r.callsPerItem).toBeLessThan(5);
  });

  it('QA: every (model, sample) column of the candidate matrix', async () => {
    const folder = syntheticFreeFormFolder(60, [0.8, 0.7, 0.6], 3);
    const extra = folder.items.slice(0, 10).map((it) => ({ item: it.id, model: 'm0', sample: 1, output: 'Paris' }));
    const r = await evaluateQaFolder({ ...folder, responses: [...folder.responses, ...extra] }, { folds: 2, seed: 1, strategies: ['majority-vote'] });
    expect(r.allCallsPerItem).toBe(4);
  });

  it('rating: every judge, in the unit adaptive counts its calls in', async () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ id: `r${i}`, text: `text ${i}` }));
    const responses = items.flatMap((it, i) => [
      { item: it.id, model: 'j1', output: `Score: ${1 + (i % 5)}` },
      { item: it.id, model: 'j2', output: i < 3 ? 'no score' : `Score: ${1 + ((i + 1) % 5)}` },
      ...(i < 5 ? [{ item: it.id, model: 'j3', output: 'Score: 3' }] : []),
    ]);
    const folder: RatingFolder = { kind: 'rating', dir: '/r', task: { name: 'r', kind: 'rating', scale: { min: 1, max: 5 }, instructions: '' }, items, gold: Float64Array.from(items, (_, i) => 1 + (i % 5)), responses };
    const { result } = await ratingPlugin.evaluate(folder, { folds: 2, seed: 1, strategies: ['mean'] });
    expect(result.allCallsPerItem).toBe(3);
    expect(result.callsPerItem).toBeLessThan(3);
  });
});
