import { describe, expect, it } from 'vitest';
import { selectItems } from '../../src/fuse/answer-matrix.js';
import { STRATEGIES } from '../../src/fuse/registry.js';
import { syntheticAnswers } from '../../src/fuse/synthetic-answers.js';

const { matrix, gold } = syntheticAnswers({ items: 150, models: 4, labels: 3, seed: 9, abstainRate: 0.2 });
const train = selectItems(matrix, Array.from({ length: 120 }, (_, i) => i));
const testItems = selectItems(matrix, Array.from({ length: 30 }, (_, i) => 120 + i));

describe('explanations', () => {
  for (const s of STRATEGIES) {
    it(`${s.name}: one finite contribution per model, a null answer where it abstained`, () => {
      // Order-aware strategies need an ordered task: the synthetic labels are taken as listed low to high.
      const ordered = s.needsOrderedLabels === true;
      const test = ordered ? { ...testItems, ordered } : testItems;
      const f = s.fit(ordered ? { ...train, ordered } : train, s.supervised ? gold.slice(0, 120) : new Int32Array(120).fill(-1), { seed: 1 });
      expect(f.explain).toBeDefined();
      for (let i = 0; i < 30; i++) {
        const e = f.explain?.(test, i) ?? [];
        expect(e.map((c) => c.model)).toEqual(test.models);
        e.forEach((c, j) => {
          expect(Number.isFinite(c.weight) && Number.isFinite(c.influence)).toBe(true);
          // A stacked model learns what an abstention means, so only the answer is fixed there.
          if (test.present[i * 4 + j] === 0) expect(c.answer).toBeNull();
          else expect(test.labels).toContain(c.answer);
        });
      }
    });
  }
});
