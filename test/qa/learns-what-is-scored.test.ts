import { describe, expect, it } from 'vitest';
import { evaluateQaFolder } from '../../src/kinds/qa/evaluate.js';
import { junkVoterFolder } from './junk-voters.js';

/**
 * Supervised QA strategies must learn from what is scored. On a world with one strong model, junk
 * voters that agree with each other and several samples per model, a strategy that picks the best
 * model on training folds lands on the strong model, and `auto` stays within a point of it.
 */
describe('supervised QA fusion learns from what is scored', () => {
  it.each([1, 2])('junk voters that agree, several samples per model, one strong model (seed %i)', async (seed) => {
    const folder = junkVoterFolder({ items: 300, seed, strong: 0.92, others: [0.6, 0.55, 0.5], junk: 6, samples: 3, junkMentionsGold: 0.35 });
    const r = await evaluateQaFolder(folder, { folds: 5, seed, strategies: ['best-model', 'auto'] });
    const strong = r.models.find((m) => m.name === 'strong')?.accuracy ?? 0;
    const best = r.models.reduce((a, m) => Math.max(a, m.accuracy), 0);
    // The world is what it claims: the strong model is the best one alone, by far.
    expect(strong).toBe(best);
    expect(strong).toBeGreaterThan(0.85);
    const acc = (name: string) => r.strategies.find((s) => s.name === name)?.accuracy ?? 0;
    expect(acc('best-model')).toBeGreaterThanOrEqual(strong - 0.01);
    expect(acc('auto')).toBeGreaterThanOrEqual(strong - 0.01);
  }, 120_000);
});
