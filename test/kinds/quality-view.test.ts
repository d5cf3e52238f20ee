import { describe, expect, it } from 'vitest';
import { KINDS } from '../../src/kinds/registry.js';
import type { KindEntry } from '../../src/kinds/task-kind.js';
import type { Task } from '../../src/task/schema.js';

/** A task of `kind` with what each kind's schema asks for, enough to list its strategies. */
const taskOf = (kind: string): Task =>
  ({ name: 't', kind, labels: [{ name: 'a' }, { name: 'b' }], scale: { min: 1, max: 5 }, answerType: 'free', instructions: '' }) as unknown as Task;

/**
 * Every kind gives the quality table (bench/quality.ts) its one figure and names its own strategy
 * for each role the table names after a label strategy: a counterpart that is not a strategy of the
 * kind would leave a column silently empty.
 */
describe('TaskKind.quality', () => {
  const entry = { name: 'x', coverage: 1, macroF1: 0.25, accuracy: 0.5, spearman: 0.75 } as KindEntry;
  const expected: Record<string, { metric: string; score: number }> = {
    classification: { metric: 'macro-F1', score: 0.25 },
    qa: { metric: 'accuracy', score: 0.5 },
    rating: { metric: 'Spearman', score: 0.75 },
  };
  for (const kind of KINDS) {
    it(`${kind.kind}: its figure, and counterparts that are its own strategies`, () => {
      const q = kind.quality;
      expect(q, `${kind.kind} has no quality view`).toBeDefined();
      if (!q) return;
      expect({ metric: q.metric, score: q.score(entry) }).toEqual(expected[kind.kind]);
      const names = kind.strategyNames(taskOf(kind.kind));
      for (const [role, name] of Object.entries(q.counterparts ?? {})) {
        if (name !== null) expect(names, `${kind.kind}: ${role} -> ${name}`).toContain(name);
        // A role the kind fills under the role's own name needs no counterpart.
        expect(name === null || !names.includes(role), `${kind.kind}: ${role} is its own strategy, yet mapped to ${String(name)}`).toBe(true);
      }
    });
  }

  it('rating: the vote is the plain mean of the judges and Dawid-Skene the latent-quality judge model; best-model is its own', () => {
    const rating = KINDS.find((k) => k.kind === 'rating');
    expect(rating?.quality?.counterparts).toEqual({ 'majority-vote': 'mean', 'dawid-skene': 'judge-model' });
  });
});
