import { describe, expect, it } from 'vitest';
import { crossValidateStrategy } from '../../../src/fuse/cross-validate.js';
import { type AnswerMatrix, selectItems } from '../../../src/fuse/answer-matrix.js';
import { createAdaptive, DEFAULT_PREFIX, type FittedAdaptive, isAdaptive } from '../../../src/fuse/adaptive/adaptive-strategy.js';
import { learnOrder } from '../../../src/fuse/adaptive/order.js';
import { answersUsed, meanCalls } from '../../../src/fuse/adaptive/usage.js';
import type { FusionStrategy } from '../../../src/fuse/strategy.js';
import { syntheticAnswers } from '../../../src/fuse/synthetic-answers.js';
import { weightedVoteStrategy } from '../../../src/fuse/weighted-vote.js';
import { decided } from '../helpers.js';

const data = syntheticAnswers({ items: 240, models: 7, labels: 3, seed: 7, abstainRate: 0.05 });
const { matrix, gold } = data;
const K = matrix.labels.length;
const M = matrix.models.length;

/** Records every gold vector and item list a strategy is fitted with. */
function spy(inner: FusionStrategy, seen: { items: readonly string[]; gold: Int32Array }[]): FusionStrategy {
  return { ...inner, fit: (train, g, o) => (seen.push({ items: train.itemIds, gold: Int32Array.from(g) }), inner.fit(train, g, o)) };
}

describe('learned order', () => {
  it('asks the most accurate model first, and a cheap good model before an expensive better one', () => {
    const order = learnOrder(matrix, gold);
    const acc = matrix.models.map((_, j) => {
      let c = 0;
      for (let i = 0; i < gold.length; i++) if (matrix.present[i * M + j] && matrix.probs[(i * M + j) * K + (gold[i] as number)] === 1) c++;
      return c;
    });
    expect(order[0]).toBe(acc.indexOf(Math.max(...acc)));
    expect([...order].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const prices = matrix.models.map((_, j) => (j === order[0] ? 100 : 1));
    expect(learnOrder(matrix, gold, prices)[0]).not.toBe(order[0]);
    // One unknown price: the cost per item is unknown, so the order is by gain per call.
    expect(learnOrder(matrix, gold, prices.map((p, j) => (j === 1 ? null : p)))).toEqual(order);
  });
});

describe('order of a fitted policy', () => {
  /** A final strategy that repeats model `j`'s answers: its decisions are that model's. */
  const copyOf = (j: number): FusionStrategy => {
    const fitted = {
      name: 'copy',
      predict: (m: AnswerMatrix) => {
        const N = m.itemIds.length;
        const probs = new Float64Array(N * K);
        const decidedRows = new Uint8Array(N);
        for (let i = 0; i < N; i++) {
          const c = i * m.models.length + j;
          if (m.present[c] !== 1) continue;
          probs.set(m.probs.subarray(c * K, (c + 1) * K), i * K);
          decidedRows[i] = 1;
        }
        return { probs, decided: decidedRows };
      },
      state: () => ({}),
    };
    return { name: 'copy', supervised: false, fit: () => fitted, load: () => fitted };
  };

  it('asks first the model that best foretells the final strategy, not the most accurate one', () => {
    const byGold = learnOrder(matrix, gold);
    const weakest = byGold[byGold.length - 1] as number;
    const policy = createAdaptive({ final: copyOf(weakest) }).fit(matrix, gold, { seed: 1 }) as FittedAdaptive;
    expect(policy.order[0]).toBe(matrix.models[weakest]);
    // Whose words state a QA answer: the models the final strategy trusts.
    const final = weightedVoteStrategy.fit(matrix, gold, { seed: 1 });
    expect(createAdaptive({ final: weightedVoteStrategy }).fit(matrix, gold, { seed: 1 }).modelTrust?.()).toEqual(final.modelTrust?.());
    // A user's order is kept as given.
    const given = createAdaptive({ final: copyOf(weakest), order: [...matrix.models].reverse() }).fit(matrix, gold, { seed: 1 }) as FittedAdaptive;
    expect(given.order).toEqual([...matrix.models].reverse());
  });
});

describe('settled rule of a weighted vote', () => {
  it('with slack 1 decides exactly as the weighted vote of every model, with fewer calls', () => {
    const policy = createAdaptive({ rule: { kind: 'settled', slack: 1 } }).fit(matrix, gold, { seed: 1 }) as FittedAdaptive;
    const full = weightedVoteStrategy.fit(matrix, gold, { seed: 1 }).predict(matrix);
    const r = policy.replay(matrix);
    expect(decided(r.prediction, K)).toEqual(decided(full, K));
    expect(meanCalls(r.asked, matrix.itemIds.length)).toBeLessThan(M);
    expect(r.reasons).toContain('settled');
  });
});

describe('replay', () => {
  it('never reads an answer the policy did not ask for', () => {
    const policy = createAdaptive({ rule: 'posterior' }).fit(matrix, gold, { seed: 1 }) as FittedAdaptive;
    const r = policy.replay(matrix);
    // Scramble every unasked answer: nothing may change.
    const scrambled: AnswerMatrix = { ...matrix, probs: Float64Array.from(matrix.probs), present: Uint8Array.from(matrix.present) };
    for (let c = 0; c < r.asked.length; c++) {
      if (r.asked[c] === 1) continue;
      scrambled.probs.fill(0, c * K, (c + 1) * K);
      scrambled.probs[c * K + ((c * 7) % K)] = 1;
      scrambled.present[c] = 1;
    }
    const again = policy.replay(scrambled);
    expect(Array.from(again.asked)).toEqual(Array.from(r.asked));
    expect(decided(again.prediction, K)).toEqual(decided(r.prediction, K));
    expect(answersUsed(policy, matrix)).toEqual(r.asked);
    expect(answersUsed(weightedVoteStrategy.fit(matrix, gold, { seed: 1 }), matrix)).toEqual(matrix.present);
  });

  it('asks in waves: an item asked model t was asked every model before it in the order', () => {
    const policy = createAdaptive({ rule: 'posterior' }).fit(matrix, gold, { seed: 1 }) as FittedAdaptive;
    const r = policy.replay(matrix);
    const order = policy.order.map((m) => matrix.models.indexOf(m));
    for (let i = 0; i < matrix.itemIds.length; i++) {
      const row = order.map((j) => r.asked[i * M + j]);
      expect(row.slice(0, r.calls[i])).toEqual(new Array(r.calls[i]).fill(1));
      expect(row.slice(r.calls[i]).every((x) => x === 0)).toBe(true);
    }
  });

  it('caps the calls per item with maxCalls', () => {
    const policy = createAdaptive({ rule: { kind: 'settled', slack: 1 }, maxCalls: 2 }).fit(matrix, gold, { seed: 1 }) as FittedAdaptive;
    const r = policy.replay(matrix);
    expect(Math.max(...r.calls)).toBeLessThanOrEqual(2);
    expect(r.reasons).toContain('max-calls');
  });
});

describe('cascade', () => {
  const cascade = createAdaptive({ final: weightedVoteStrategy, target: { maxLoss: 0.01 } });

  it('fits, replays, and restores from its saved state with the same decisions and calls', () => {
    const fitted = cascade.fit(matrix, gold, { seed: 3 });
    expect(isAdaptive(fitted)).toBe(true);
    const r = (fitted as FittedAdaptive).replay(matrix);
    const state = JSON.parse(JSON.stringify(fitted.state())) as unknown;
    const loaded = cascade.load(state, matrix.labels) as FittedAdaptive;
    const again = loaded.replay(matrix);
    expect(decided(again.prediction, K)).toEqual(decided(r.prediction, K));
    expect(Array.from(again.calls)).toEqual(Array.from(r.calls));
    expect(() => cascade.load({ ...(state as object), prefixes: [] }, matrix.labels)).toThrow(/prefixes/);
  });

  it('still loads a policy saved with the cascade rule (no agreement model), with the same decisions and calls', () => {
    const old = createAdaptive({ rule: 'cascade', final: weightedVoteStrategy, target: { maxLoss: 0.01 } });
    const fitted = old.fit(matrix, gold, { seed: 3 }) as FittedAdaptive;
    const state = JSON.parse(JSON.stringify(fitted.state())) as { rule: { kind: string }; agreement?: unknown };
    expect(state.rule.kind).toBe('cascade');
    expect(state.agreement).toBeUndefined();
    // Loaded by the default strategy, as `fusion run --strategy policy.json` does.
    const loaded = cascade.load(state, matrix.labels) as FittedAdaptive;
    expect(Array.from(loaded.replay(matrix).calls)).toEqual(Array.from(fitted.replay(matrix).calls));
    expect(decided(loaded.predict(matrix), K)).toEqual(decided(fitted.predict(matrix), K));
    // Without an agreement model the agreement rule never stops early (as in a fold with too few labels to fit one).
    expect(loaded.withRule({ kind: 'agreement', tau: 0 }).replay(matrix).calls.every((c) => c === M)).toBe(true);
  });

  it('fits on too few labelled items to cross-validate by asking every model', () => {
    const tiny = selectItems(matrix, [0, 1]);
    const fitted = cascade.fit(tiny, Int32Array.from([gold[0] as number, -1]), { seed: 1 }) as FittedAdaptive;
    expect(fitted.replay(matrix).calls.every((c) => c === M)).toBe(true);
  });

  it('asks fewer models for a looser target and meets a call budget on the training folds', () => {
    const chosen = (target: object) => {
      const state = createAdaptive({ final: weightedVoteStrategy, target }).fit(matrix, gold, { seed: 3 }).state() as { rule: unknown; curve: { rule: unknown; calls: number }[] };
      const point = state.curve.find((p) => JSON.stringify(p.rule) === JSON.stringify(state.rule));
      if (!point) throw new Error('chosen rule not on the curve');
      return point.calls;
    };
    const strict = chosen({ maxLoss: 0 });
    const loose = chosen({ maxLoss: 0.2 });
    expect(loose).toBeLessThanOrEqual(strict);
    expect(loose).toBeLessThan(M);
    expect(chosen({ maxCalls: 1.5 })).toBeLessThanOrEqual(1.5);
  });

  it('never lets a test-fold label reach the order, thresholds or fitted stages', () => {
    const seen: { items: readonly string[]; gold: Int32Array }[] = [];
    const strategy = createAdaptive({ final: spy(weightedVoteStrategy, seen), prefix: DEFAULT_PREFIX.map((p) => spy(p, seen)), target: { maxLoss: 0.01 } });
    const outer: { items: readonly string[]; gold: Int32Array }[] = [];
    const cv = crossValidateStrategy(spy(strategy, outer), matrix, gold, { folds: 3, seed: 5 });
    // Every fit inside saw only training items of its outer fold.
    for (const [f, test] of cv.folds.entries()) {
      const testIds = new Set(test.map((i) => matrix.itemIds[i]));
      expect(outer[f]?.items.some((id) => testIds.has(id))).toBe(false);
    }
    const trainIds = outer.map((o) => new Set(o.items));
    for (const s of seen) expect(trainIds.some((ids) => s.items.every((id) => ids.has(id)))).toBe(true);
    // Changing the test fold's labels changes nothing the policy learned.
    cv.folds.forEach((test, f) => {
      const flipped = Int32Array.from(gold);
      for (const i of test) flipped[i] = ((gold[i] as number) + 1) % K;
      // Refit on the same training rows (folds are stratified on gold, so flipped labels would move them).
      const train = matrix.itemIds.map((_, i) => i).filter((i) => !test.includes(i));
      const refit = strategy.fit(selectItems(matrix, train), Int32Array.from(train, (i) => flipped[i] as number), { seed: 5 + 1000 * (f + 1) });
      expect(JSON.stringify(refit.state())).toBe(JSON.stringify((cv.fitted[f] as FittedAdaptive).state()));
    });
  });
});

describe('a call cap between two checkpoints', () => {
  // 20 models: checkpoints after each of the first 8, then 16 and 20; a cap of 10 falls between.
  const many = syntheticAnswers({ items: 160, models: 20, labels: 3, seed: 3, abstainRate: 0.05 });

  it('fitted with the cap: its fusion is fitted there, and no item is asked more than the cap', () => {
    const policy = createAdaptive({ maxCalls: 10 }).fit(many.matrix, many.gold, { seed: 1 }) as FittedAdaptive;
    const r = policy.replay(many.matrix);
    expect(Math.max(...r.calls)).toBeLessThanOrEqual(10);
    expect(r.reasons.some((x) => x === 'max-calls')).toBe(true);
  });

  it('given to a fitted policy later (--max-calls-per-item): stops at the checkpoint below the cap instead of failing', () => {
    const policy = createAdaptive({ rule: 'agreement' }).fit(many.matrix, many.gold, { seed: 1 }) as FittedAdaptive;
    const capped = policy.withMaxCalls(10);
    const r = capped.replay(many.matrix);
    expect(Math.max(...r.calls)).toBeLessThanOrEqual(8);
    const items = Array.from({ length: 5 }, (_, i) => selectItems(many.matrix, [i]));
    for (const one of items) {
      const next = capped.nextWave(one, 8);
      expect(next.next).toBeNull();
    }
  });
});
