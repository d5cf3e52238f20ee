import { describe, expect, it } from 'vitest';
import { KINDS } from '../../src/kinds/registry.js';
import { loadEvalFolder } from '../../src/kinds/load-folder.js';
import { kindWorld, worldLines } from '../support/kind-worlds.js';
import { writeEvalFolder } from '../support/temp-folder.js';

// `fusion eval --models` refuses a folder before any call when it has fewer items than the kind's
// itemsToScore: that is only safe if the evaluation really succeeds from that many items and fails
// below, for every kind, fold count and strategy set; so it is checked by evaluating.
describe('itemsToScore: the fewest items each kind evaluates', () => {
  it.each(KINDS.map((k) => [k.kind, k] as const))('%s: evaluates from that many items, and not from one fewer', async (_name, kind) => {
    const world = kindWorld(kind.kind);
    const { task } = world;
    // Every strategy that applies (what `fusion eval` runs without --strategies, checked against all of the kind's names), then the label-free ones alone.
    const sets = [
      { names: kind.strategyNames(task), strategies: {} },
      { names: kind.unsupervisedNames(task), strategies: { strategies: kind.unsupervisedNames(task) } },
    ];
    for (const folds of [2, 3, 5]) {
      for (const { names, strategies } of sets) {
        const evaluate = async (n: number) => kind.evaluate(loadEvalFolder(writeEvalFolder({ task, ...worldLines(world, n) }), { requireResponses: true }), { folds, seed: 1, threads: 1, ...strategies });
        const need = kind.itemsToScore(task, folds, names);
        await expect(evaluate(need), `${folds} folds, ${names.join(',')}: ${need} items`).resolves.toBeDefined();
        if (need > 1) await expect(evaluate(need - 1), `${folds} folds, ${names.join(',')}: ${need - 1} items`).rejects.toThrow();
      }
    }
  });
});
