import { describe, expect, it } from 'vitest';
import { evaluateQaFolder } from '../../src/eval/evaluate.js';
import { syntheticFreeFormFolder } from '../qa/synthetic.js';

describe('fusion eval on QA: calls per item', () => {
  it('gives every strategy its calls per item; adaptive asks fewer models than every answer recorded', async () => {
    const folder = syntheticFreeFormFolder(150, [0.85, 0.8, 0.75, 0.7, 0.7, 0.65], 5);
    const r = await evaluateQaFolder(folder, { folds: 3, seed: 1, strategies: ['majority-vote', 'adaptive'] });
    const get = (n: string) => r.strategies.find((s) => s.name === n);
    const all = folder.responses.length / folder.items.length;
    expect(get('majority-vote')?.callsPerItem).toBeCloseTo(all, 6);
    expect(get('adaptive')?.callsPerItem).toBeGreaterThanOrEqual(1);
    expect(get('adaptive')?.callsPerItem).toBeLessThan(all);
    // Synthetic model names have no list price: an unknown cost is not a zero cost.
    expect(get('adaptive')?.costPerItem).toBeNull();
  });
});
