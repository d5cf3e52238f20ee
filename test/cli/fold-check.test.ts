import { describe, expect, it } from 'vitest';
import { afterRecording } from '../../src/cli/fold-check.js';
import { FoldsError } from '../../src/eval/folds-error.js';
import { foldsShortfall as shortfall } from '../../src/kinds/fold-shortfall.js';
import { KINDS, kindOf } from '../../src/kinds/registry.js';
import type { AnyTaskKind } from '../../src/kinds/task-kind.js';
import type { EvalFolder } from '../../src/kinds/load-folder.js';
import type { Task } from '../../src/task/schema.js';
import { kindWorld, worldLines } from '../support/kind-worlds.js';

/** The refusal's message on `n` items of the kind's test world (each its own text), or null. */
function foldsShortfall(kind: AnyTaskKind, task: Task, n: number, folds: number, names: readonly string[]): string | null {
  const items = worldLines(kindWorld(kind.kind), n).items as unknown as EvalFolder['items'];
  return shortfall(kind, task, 'd/items.jsonl', items, folds, names)?.issues[0]?.message ?? null;
}

describe('fusion eval --models: too few items for the folds, said before any call', () => {
  it.each(KINDS.map((k) => [k.kind, k] as const))('%s: refused below the kind\'s itemsToScore, with only the ways out that suffice', (_name, kind) => {
    const { task } = kindWorld(kind.kind);
    const all = kind.strategyNames(task);
    const need = kind.itemsToScore(task, 5, all);
    expect(foldsShortfall(kind, task, need, 5, all)).toBeNull();
    const short = foldsShortfall(kind, task, need - 1, 5, all);
    expect(short).toMatch(new RegExp(`^cannot make 5 folds from ${need - 1} items? \\(`));
    // A way out is named only when the kind says it suffices.
    if (need - 1 >= 2 && kind.itemsToScore(task, need - 1, all) <= need - 1) expect(short).toContain(`give --folds ${need - 1} or fewer`);
    else expect(short).not.toContain('--folds');
    const free = kind.unsupervisedNames(task);
    if (kind.itemsToScore(task, 5, free) <= need - 1) {
      expect(short).toContain(`--strategies ${free.join(',')} (only strategies that need no labels)`);
      expect(foldsShortfall(kind, task, need - 1, 5, free)).toBeNull();
    } else expect(short).not.toContain('--strategies');
  });

  it('classification: the label-free strategies the user named are the ones offered; with no way out, the items needed', () => {
    const kind = kindOf({ kind: 'classification' });
    const { task } = kindWorld('classification');
    expect(foldsShortfall(kind, task, 3, 5, ['weighted-vote', 'soft-vote'])).toBe('cannot make 5 folds from 3 items (give --folds 3 or fewer, or --strategies soft-vote (only strategies that need no labels))');
    expect(foldsShortfall(kind, task, 1, 5, ['weighted-vote', 'soft-vote'])).toBe('cannot make 5 folds from 1 item (--strategies soft-vote (only strategies that need no labels))');
    expect(foldsShortfall(kind, task, 0, 5, ['weighted-vote'])).toBe('cannot make 5 folds from 0 items (it needs at least 5 items)');
  });

  it('rating: grouped folds shrink to the items there are, so 3 items and 5 folds are scored; one item is not, whatever the flags', () => {
    const kind = kindOf({ kind: 'rating' });
    const { task } = kindWorld('rating');
    expect(foldsShortfall(kind, task, 3, 5, kind.strategyNames(task))).toBeNull();
    expect(foldsShortfall(kind, task, 1, 5, kind.unsupervisedNames(task))).toBe('cannot make 5 folds from 1 item (it needs at least 2 items)');
  });

  it('after answers were recorded, the refusal says they are kept and which command uses them', () => {
    const e = afterRecording(new FoldsError('d/items.jsonl', 5, 3));
    expect(e.message).toBe('d/items.jsonl: cannot make 5 folds from 3 items (give --folds 3 or fewer, or --strategies naming only strategies that need no labels); the answers recorded are kept in responses.jsonl and the cache: the same command with --folds 3 evaluates them without asking any model again');
    expect(afterRecording(new FoldsError('d/items.jsonl', 5, 1)).message).toContain('the same command with --strategies naming only strategies that need no labels evaluates them');
  });
});
