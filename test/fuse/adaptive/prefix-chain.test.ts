import { describe, expect, it } from 'vitest';
import { createAdaptive } from '../../../src/fuse/adaptive/adaptive-strategy.js';
import type { AnswerMatrix } from '../../../src/fuse/answer-matrix.js';
import { createStacking } from '../../../src/fuse/stacking.js';
import { createStackingText } from '../../../src/fuse/stacking-text.js';
import type { FittedStrategy } from '../../../src/fuse/strategy.js';
import { syntheticAnswers } from '../../../src/fuse/synthetic-answers.js';
import type { WarmStartable } from '../../../src/fuse/warm-start.js';

/**
 * adaptive's curve is measured on prefix fusions fitted on inner folds, each candidate that starts
 * warm chained from its own fit at the previous checkpoint; the prefix fusions it keeps must be
 * fitted the same way, or the curve judged other fits than the ones used. A candidate that is not
 * picked at one checkpoint (here it predicts nothing there) is where the two could part.
 */
describe('adaptive: the prefix fusions kept start where the inner folds\' fits started', () => {
  it('a warm-starting candidate picked after a checkpoint it lost starts from its own fit at that checkpoint, on the inner folds and in the fit kept', () => {
    const M = 6;
    const BAD = 3;
    const { matrix: m, gold } = syntheticAnswers({ items: 300, models: M, labels: 3, seed: 11, abstainRate: 0.1 });
    const words = ['alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta'];
    const world: AnswerMatrix = { ...m, texts: Array.from(gold, (g, i) => `item ${words[i % 6]} ${words[(g + i) % 6]}`) };
    const text = createStackingText({ configs: [{ C: 0.5, classWeighting: 'none' }] }) as WarmStartable;
    const calls: { rows: number; models: number; from: number | null }[] = [];
    const underlying = new WeakMap<FittedStrategy, FittedStrategy>();
    const fittedOn = new WeakMap<FittedStrategy, number>();
    const wrap = (fit: FittedStrategy, train: AnswerMatrix): FittedStrategy => {
      const K = train.labels.length;
      // Nothing decided at BAD models: the other candidate is picked there.
      const out: FittedStrategy = train.models.length === BAD ? { ...fit, predict: (a) => ({ probs: new Float64Array(a.itemIds.length * K).fill(1 / K), decided: new Uint8Array(a.itemIds.length) }) } : { ...fit };
      underlying.set(out, fit);
      fittedOn.set(out, train.models.length);
      return out;
    };
    const recording: WarmStartable = {
      name: text.name,
      supervised: true,
      needsSharedLabels: true,
      fit(train, g, o) {
        calls.push({ rows: train.itemIds.length, models: train.models.length, from: null });
        return wrap(text.fit(train, g, o), train);
      },
      fitFrom(train, g, o, previous) {
        calls.push({ rows: train.itemIds.length, models: train.models.length, from: fittedOn.get(previous) ?? -1 });
        return wrap(text.fitFrom(train, g, o, underlying.get(previous) ?? previous), train);
      },
      load: (raw, labels) => text.load(raw, labels),
    };
    const stacking = createStacking({ configs: [{ C: 1, classWeighting: 'none' }] });
    createAdaptive({ prefix: [stacking, recording], final: stacking }).fit(world, gold, { seed: 2 });
    const kept = calls.filter((c) => c.rows === world.itemIds.length);
    const inner = calls.filter((c) => c.rows < world.itemIds.length);
    // The case: the recording candidate kept at the checkpoint after the one it lost.
    expect(kept.map((c) => c.models)).toContain(BAD + 1);
    for (const c of kept) {
      const starts = new Set(inner.filter((i) => i.models === c.models).map((i) => i.from));
      expect([...starts], `${c.models} models`).toEqual([c.from]);
    }
    expect(kept.find((c) => c.models === BAD + 1)?.from).toBe(BAD);
  });
});
