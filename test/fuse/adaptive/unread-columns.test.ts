import { describe, expect, it } from 'vitest';
import { buildAnswerMatrix } from '../../../src/eval/build-matrix.js';
import { type AnswerMatrix, expandSamples, selectItems, selectModels } from '../../../src/fuse/answer-matrix.js';
import { createAdaptive, type FittedAdaptive } from '../../../src/fuse/adaptive/adaptive-strategy.js';
import { blankColumns, neverReadColumns, policyColumns } from '../../../src/fuse/adaptive/unread-columns.js';
import { weightedVoteStrategy } from '../../../src/fuse/weighted-vote.js';
import { decisions } from '../../../src/validation/metrics.js';
import { createClassificationNormalizer } from '../../../src/normalize/classification.js';
import type { ClassificationFolder } from '../../../src/kinds/load-folder.js';
import type { RecordedResponse } from '../../../src/task/schema.js';
import { seededRandom } from '../../../src/util/random.js';

const LABELS = ['neg', 'neu', 'pos'];

/**
 * A crowd with known truth: real voters (one strong, the others middling, two samples each),
 * junk models whose every sample is program code the reader cannot read (mot-gsm8k's
 * program-of-thought answers), and a model that reads on a small share of items only. On the new
 * items (`junkReadsFrom` on) the junk models sometimes do give a label, which the policy must not
 * ask for all the same: it learnt nothing about them.
 */
function crowd(n: number, seed: number, junkReadsFrom = n): ClassificationFolder {
  const random = seededRandom(seed);
  const items = [];
  const gold = new Int32Array(n);
  const responses: RecordedResponse[] = [];
  const other = (k: number) => (k + 1 + Math.floor(random() * (LABELS.length - 1))) % LABELS.length;
  const real = [0.9, 0.7, 0.65, 0.6];
  for (let i = 0; i < n; i++) {
    const g = Math.floor(random() * LABELS.length);
    gold[i] = g;
    items.push({ id: `w${i}`, text: `item ${i}`, label: LABELS[g] as string });
    real.forEach((p, m) => {
      for (let s = 0; s < 2; s++) responses.push({ item: `w${i}`, model: `real${m}`, sample: s, output: LABELS[random() < p ? g : other(g)] as string });
    });
    for (const junk of ['pot-a', 'pot-b']) {
      for (let s = 0; s < 3; s++) {
        const output = i >= junkReadsFrom && random() < 0.5 ? (LABELS[other(g)] as string) : 'def solution():\n    x = 3 * 4\n    return x';
        responses.push({ item: `w${i}`, model: junk, sample: s, output });
      }
    }
    responses.push({ item: `w${i}`, model: 'rare', output: random() < 0.05 ? (LABELS[g] as string) : 'def f(): pass' });
  }
  const task = { name: 'crowd', kind: 'classification' as const, labels: LABELS.map((name) => ({ name, aliases: [] })), instructions: '' };
  return { kind: 'classification', dir: '/crowd', task, items, gold, responses };
}

const build = (folder: ClassificationFolder) => buildAnswerMatrix(folder, createClassificationNormalizer(folder.task)).matrix;
const rows = (from: number, n: number) => Array.from({ length: n }, (_, r) => from + r);
const cheap = { final: weightedVoteStrategy, prefix: weightedVoteStrategy };
const decided = (m: AnswerMatrix, p: { probs: Float64Array; decided: Uint8Array }) => Array.from(decisions(p.probs, p.decided, m.labels.length));
/** Asks every call it can, whatever its chosen setting: the deepest the policy ever goes. */
const everything = { kind: 'agreement' as const, tau: Number.POSITIVE_INFINITY };

describe('adaptive never asks a call that gave no readable answer on any training item', () => {
  const folder = crowd(400, 7, 300);
  const matrix = build(folder);
  const x = expandSamples(matrix);
  const train = rows(0, 300);
  const test = rows(300, 100);
  const goldOf = (r: readonly number[]) => Int32Array.from(r, (i) => folder.gold[i] as number);
  const junk = x.models.flatMap((m, j) => (m.startsWith('pot-') ? [j] : []));
  const kept = x.models.flatMap((m, j) => (m.startsWith('pot-') ? [] : [j]));

  it('finds exactly the never-read calls: the junk models, not the rare one', () => {
    expect(junk).toHaveLength(6);
    expect(neverReadColumns(selectItems(x, train))).toEqual(junk);
    expect(x.models.filter((m) => m === 'rare')).toHaveLength(1);
    // On the new items the junk models do read sometimes: the policy has to remember what it skips.
    expect(neverReadColumns(selectItems(x, test))).toEqual([]);
  });

  it('asks none of them on new items, even when asking everything, and decides as a policy fitted without them', () => {
    const policy = createAdaptive(cheap).fit(selectItems(matrix, train), goldOf(train), { seed: 3 }) as FittedAdaptive;
    const state = policy.state() as { order: string[]; skipped?: { model: string; sample: number }[] };
    expect(state.order.some((m) => m.startsWith('pot-'))).toBe(false);
    expect(state.skipped).toEqual(['pot-a', 'pot-b'].flatMap((model) => [0, 1, 2].map((sample) => ({ model, sample }))));
    const newItems = selectItems(matrix, test);
    for (const p of [policy, policy.withRule(everything)]) {
      const r = p.replay(newItems);
      for (let i = 0; i < test.length; i++) for (const j of junk) expect(r.asked[i * x.models.length + j]).toBe(0);
      expect(Math.max(...r.calls)).toBeLessThanOrEqual(kept.length);
    }
    expect(policy.withRule(everything).replay(newItems).calls.every((c) => c === kept.length)).toBe(true);
    // Explained, a junk model is shown with its answer and no weight: the decision did not hear it.
    const told = policy.withRule(everything).explain?.(newItems, 0) ?? [];
    expect(told.map((c) => c.model)).toEqual(matrix.models);
    for (const c of told.filter((x) => x.model.startsWith('pot-'))) expect([c.weight, c.influence]).toEqual([0, 0]);

    // The same crowd without the junk models at all: the same order and the same decisions.
    const clean = build({ ...folder, responses: folder.responses.filter((r) => !r.model.startsWith('pot-')) });
    expect(expandSamples(clean).models).toEqual(kept.map((j) => x.models[j]));
    const without = createAdaptive(cheap).fit(selectItems(clean, train), goldOf(train), { seed: 3 }) as FittedAdaptive;
    expect(without.order).toEqual(policy.order);
    expect((without.state() as { skipped?: unknown }).skipped).toBeUndefined();
    for (const rule of [(policy.state() as { rule: typeof everything }).rule, everything]) {
      const a = policy.withRule(rule).replay(newItems);
      const b = without.withRule(rule).replay(selectItems(clean, test));
      expect(decided(matrix, a.prediction)).toEqual(decided(matrix, b.prediction));
      expect(Array.from(a.calls)).toEqual(Array.from(b.calls));
    }
  });

  it('keeps the skipped calls in its saved state; the live path asks none of them', () => {
    const fitted = createAdaptive(cheap).fit(selectItems(matrix, train), goldOf(train), { seed: 3 }) as FittedAdaptive;
    const loaded = createAdaptive(cheap).load(JSON.parse(JSON.stringify(fitted.state())), matrix.labels) as FittedAdaptive;
    const newItems = selectItems(matrix, test);
    expect(decided(matrix, loaded.predict(newItems))).toEqual(decided(matrix, fitted.predict(newItems)));
    // The run's asking order holds no junk call, and the waves end where the order ends.
    const order = loaded.orderOf(x.models);
    expect(order.some((j) => junk.includes(j))).toBe(false);
    expect(order).toHaveLength(kept.length);
    // Without the field (as saved before it existed) the same state still loads.
    const old = JSON.parse(JSON.stringify(fitted.state())) as Record<string, unknown>;
    delete old.skipped;
    expect(() => createAdaptive(cheap).load(old, matrix.labels)).not.toThrow();
    const one = selectItems(newItems, [0]);
    let asked = 0;
    for (let wave = loaded.withRule(everything).nextWave(one, asked); wave.next !== null; wave = loaded.withRule(everything).nextWave(one, asked)) asked = wave.next;
    expect(asked).toBe(kept.length);
  });

  it('loads a policy saved before skipped calls existed (no field): it asks every call, as it did', () => {
    const world = crowd(200, 9);
    const clean = build({ ...world, responses: world.responses.filter((r) => !r.model.startsWith('pot-')) });
    const fitted = createAdaptive(cheap).fit(selectItems(clean, rows(0, 150)), Int32Array.from(rows(0, 150), (i) => world.gold[i] as number), { seed: 1 }) as FittedAdaptive;
    const saved = JSON.parse(JSON.stringify(fitted.state())) as Record<string, unknown>;
    expect('skipped' in saved).toBe(false);
    const loaded = createAdaptive(cheap).load(saved, clean.labels) as FittedAdaptive;
    expect(loaded.withRule(everything).replay(selectItems(clean, rows(150, 50))).calls.every((c) => c === expandSamples(clean).models.length)).toBe(true);
  });
});

describe('policyColumns and blankColumns', () => {
  it('skips the named call of a model and orders its other calls ascending', () => {
    const models = ['a', 'a', 'a', 'b', 'c'];
    // a's second call (sample 1) is skipped: the order's two mentions of a are its columns 0 and 2.
    expect(policyColumns(models, ['b', 'a', 'a'], [{ model: 'a', sample: 1 }])).toEqual({ order: [3, 0, 2, 4], skipped: [1] });
    expect(policyColumns(models, ['b', 'a'], [])).toEqual({ order: [3, 0, 1, 2, 4], skipped: [] });
    // A skipped call of a model the matrix does not have is ignored.
    expect(policyColumns(['b'], ['b'], [{ model: 'a', sample: 0 }])).toEqual({ order: [0], skipped: [] });
  });

  it('blanks columns on every item, leaving the others as they were', () => {
    const m: AnswerMatrix = { labels: ['x', 'y'], models: ['p', 'q'], itemIds: ['1', '2'], probs: Float64Array.from([1, 0, 0, 1, 0, 1, 1, 0]), present: Uint8Array.from([1, 1, 1, 1]) };
    const b = blankColumns(m, [1]);
    expect(Array.from(b.present)).toEqual([1, 0, 1, 0]);
    expect(Array.from(b.probs)).toEqual([1, 0, 0, 0, 0, 1, 0, 0]);
    expect(Array.from(m.present)).toEqual([1, 1, 1, 1]);
  });
});
