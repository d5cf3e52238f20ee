import { describe, expect, it } from 'vitest';
import { buildAnswerMatrix } from '../../../src/eval/build-matrix.js';
import { scoreStrategy } from '../../../src/eval/evaluate.js';
import { evaluateClassification } from '../../../src/kinds/classification/evaluate.js';
import { evaluateQaFolder } from '../../../src/kinds/qa/evaluate.js';
import { leaderboardRows } from '../../../src/eval/leaderboard.js';
import { type AnswerMatrix, collapseSamples, expandSamples, selectItems, selectModels } from '../../../src/fuse/answer-matrix.js';
import { adaptiveStrategy, createAdaptive, type FittedAdaptive } from '../../../src/fuse/adaptive/adaptive-strategy.js';
import { crossValidateStrategy } from '../../../src/fuse/cross-validate.js';
import { givenOrder } from '../../../src/fuse/adaptive/order.js';
import { getStrategy } from '../../../src/fuse/registry.js';
import { createClassificationNormalizer } from '../../../src/normalize/classification.js';
import { qaCandidateMatrix } from '../../../src/qa/fuse-question.js';
import type { ClassificationFolder, QaFolder } from '../../../src/kinds/load-folder.js';
import type { RecordedResponse } from '../../../src/task/schema.js';
import { seededRandom } from '../../../src/util/random.js';

const LABELS = ['neg', 'neu', 'pos'];

/**
 * Self-consistency data: per item each model has a belief and each of its `samples` answers states
 * it, or another label. Most items are easy (belief right, samples agree, nearly always); on the
 * hard third the belief is right with probability `accuracy` and a sample states it with
 * probability `stick`.
 */
function sampledFolder(n: number, accuracy: readonly number[], samples: number, stick: number, seed: number): ClassificationFolder {
  const random = seededRandom(seed);
  const items = [];
  const gold = new Int32Array(n);
  const responses: RecordedResponse[] = [];
  const other = (k: number) => (k + 1 + Math.floor(random() * (LABELS.length - 1))) % LABELS.length;
  for (let i = 0; i < n; i++) {
    const g = Math.floor(random() * LABELS.length);
    gold[i] = g;
    items.push({ id: `s${i}`, text: `item number ${i}`, label: LABELS[g] as string });
    const hard = random() < 1 / 3;
    accuracy.forEach((p, m) => {
      const belief = random() < (hard ? p : 0.97) ? g : other(g);
      for (let s = 0; s < samples; s++) {
        const said = random() < (hard ? stick : 0.95) ? belief : other(belief);
        responses.push({ item: `s${i}`, model: `m${m}`, sample: s, output: LABELS[said] as string });
      }
    });
  }
  const task = { name: 'sampled', kind: 'classification' as const, labels: LABELS.map((name) => ({ name, aliases: [] })), instructions: '' };
  return { kind: 'classification', dir: '/sampled', task, items, gold, responses };
}

const build = (folder: ClassificationFolder) => buildAnswerMatrix(folder, createClassificationNormalizer(folder.task));
const withoutSamples = (m: AnswerMatrix): AnswerMatrix => {
  const { samples: _s, ...rest } = m;
  return rest;
};

describe('samples of one model in the answer matrix', () => {
  const folder = sampledFolder(60, [0.8, 0.7], 5, 0.8, 3);
  const { matrix } = build(folder);

  it('keeps one averaged column per model, and every sample as a column of its own', () => {
    expect(matrix.models).toEqual(['m0', 'm1']);
    const x = expandSamples(matrix);
    expect(x.models).toEqual(['m0', 'm0', 'm0', 'm0', 'm0', 'm1', 'm1', 'm1', 'm1', 'm1']);
    expect(Array.from(matrix.samples?.sample ?? [])).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    // Item 0, model m1, sample 2 is the 8th column, one-hot on what it said.
    const said = folder.responses.find((r) => r.item === 's0' && r.model === 'm1' && r.sample === 2)?.output;
    expect(Array.from(x.probs.subarray(7 * 3, 8 * 3))).toEqual(LABELS.map((l) => (l === said ? 1 : 0)));
    // Collapsing the samples gives back the model's mean, as built.
    const back = collapseSamples(x);
    expect(back.models).toEqual(matrix.models);
    expect(Array.from(back.present)).toEqual(Array.from(matrix.present));
    back.probs.forEach((p, c) => expect(p).toBeCloseTo(matrix.probs[c] as number, 12));
  });

  it('carries the samples through a fold and a subset of models, and adds nothing without samples', () => {
    const fold = selectItems(matrix, [4, 1]);
    expect(Array.from(expandSamples(fold).present)).toEqual(Array.from(expandSamples(matrix).present.subarray(40, 50)).concat(Array.from(expandSamples(matrix).present.subarray(10, 20))));
    const one = selectModels(matrix, [1]);
    expect(expandSamples(one).models).toEqual(['m1', 'm1', 'm1', 'm1', 'm1']);
    expect(Array.from(expandSamples(one).probs)).toEqual(Array.from(selectModels(expandSamples(matrix), [5, 6, 7, 8, 9]).probs));
    const single = { ...folder, responses: folder.responses.filter((r) => r.sample === 0).map(({ sample: _s, ...r }) => r) };
    const plain = build(single).matrix;
    expect(plain.samples).toBeUndefined();
    expect(expandSamples(plain)).toBe(plain);
    expect(collapseSamples(plain)).toBe(plain);
  });

  it('reads a repeated name in an order as the next sample of that model', () => {
    expect(givenOrder(['a', 'a', 'a', 'b'], ['a', 'b', 'a'])).toEqual([0, 3, 1, 2]);
    expect(givenOrder(['a', 'b'], ['b', 'a'])).toEqual([1, 0]);
  });

  it('gives every strategy that is not sample-aware the same numbers with or without the sample columns', () => {
    for (const name of ['majority-vote', 'weighted-vote', 'soft-vote', 'dawid-skene', 'stacking']) {
      const s = getStrategy(name);
      const opts = { folds: 3, seed: 2 };
      const a = scoreStrategy(s, { matrix, abstentions: [] }, folder.gold, opts);
      const b = scoreStrategy(s, { matrix: withoutSamples(matrix), abstentions: [] }, folder.gold, opts);
      expect([name, a.macroF1, a.accuracy, a.riskCoverage]).toEqual([name, b.macroF1, b.accuracy, b.riskCoverage]);
      // Each sample is a call: all of them, for a strategy that reads every answer.
      expect(a.callsPerItem).toBeCloseTo(10, 12);
      expect(b.callsPerItem).toBeCloseTo(2, 12);
    }
  });
});

/**
 * The target of the policies below, which are about how samples are asked and counted: a loss of
 * 5 points, the margin the first test holds the policy's macro-F1 to. At the default half point a
 * policy fitted on the 160-odd training rows of these folders rightly asks every sample (its bound
 * counts one disagreement the rows did not show, worth more than half a point on that few rows).
 */
const SAMPLES_TARGET = { maxLoss: 0.05 };

describe('the adaptive policy over samples (self-consistency)', () => {
  it('asks fewer than 5 samples per item of one sampled model, measured out-of-fold, while majority vote uses all 5', () => {
    const folder = sampledFolder(240, [0.6], 5, 0.6, 11);
    const r = evaluateClassification(folder, { folds: 3, seed: 1, strategies: ['majority-vote', createAdaptive({ target: SAMPLES_TARGET })] });
    const get = (n: string) => r.strategies.find((s) => s.name === n);
    expect(get('majority-vote')?.callsPerItem).toBeCloseTo(5, 12);
    const adaptive = get('adaptive');
    expect(adaptive?.callsPerItem).toBeGreaterThanOrEqual(1);
    expect(adaptive?.callsPerItem).toBeLessThan(4);
    expect(adaptive?.macroF1).toBeGreaterThan((get('majority-vote')?.macroF1 ?? 1) - 0.05);
    // The leaderboard notes the calls of the strategy that asks fewer than every recorded sample.
    const rows = leaderboardRows({ ...r, oracle: r.extras.oracle });
    expect(rows.find((x) => x.name === 'adaptive')?.note).toContain(`${adaptive?.callsPerItem.toFixed(2)} calls/item`);
    expect(rows.find((x) => x.name === 'majority-vote')?.note).not.toContain('calls/item');
    // The curve counts samples as calls too: from one sample per item up to all five.
    const calls = (adaptive?.curve ?? []).map((p) => p.callsPerItem);
    expect(Math.max(...calls)).toBeLessThanOrEqual(5);
    expect(Math.max(...calls)).toBeGreaterThan(2);
  });

  it('orders (model, sample) units, asks a second sample only where needed, and sees each model as the mean of its asked samples', () => {
    const folder = sampledFolder(240, [0.8, 0.7], 5, 0.85, 5);
    const { matrix } = build(folder);
    const train = Array.from({ length: 160 }, (_, i) => i);
    const test = Array.from({ length: 80 }, (_, i) => 160 + i);
    const policy = createAdaptive({ target: SAMPLES_TARGET }).fit(selectItems(matrix, train), Int32Array.from(train, (i) => folder.gold[i] as number), { seed: 1 }) as FittedAdaptive;
    // The saved order names a model once per sample, samples in ascending order within a model.
    expect(policy.order).toHaveLength(10);
    expect(policy.order.filter((m) => m === 'm0')).toHaveLength(5);
    // A model's samples are exchangeable: they vote with one weight.
    const { weights } = policy.state() as { weights: number[] };
    for (const name of ['m0', 'm1']) expect(new Set(policy.order.flatMap((m, p) => (m === name ? [weights[p]] : []))).size).toBe(1);
    const x = expandSamples(matrix);
    const order = policy.orderOf(x.models);
    for (const name of ['m0', 'm1']) {
      const cols = order.filter((c) => x.models[c] === name);
      expect(cols).toEqual([...cols].sort((a, b) => a - b));
    }
    const r = policy.replay(selectItems(matrix, test));
    expect(r.asked.length).toBe(80 * 10);
    const mean = r.calls.reduce((a, b) => a + b, 0) / 80;
    expect(mean).toBeLessThan(10);
    // Some items stopped early, others went on: calls differ per item.
    expect(new Set(r.calls).size).toBeGreaterThan(1);
    // Asked units are a prefix of the order on every item.
    for (let i = 0; i < 80; i++) {
      const t = r.calls[i] as number;
      order.forEach((c, p) => expect([i, p, r.asked[i * 10 + c]]).toEqual([i, p, p < t ? 1 : 0]));
    }
    // A saved and reloaded policy replays the same.
    const again = createAdaptive().load(JSON.parse(JSON.stringify(policy.state())), matrix.labels) as FittedAdaptive;
    expect(Array.from(again.replay(selectItems(matrix, test)).calls)).toEqual(Array.from(r.calls));
  });
});

describe('samples on QA (answer clusters)', () => {
  const CITIES = ['Paris', 'Lyon', 'Nice', 'Lille', 'Nantes', 'Rennes'];
  /** One model, five samples a question: easy questions agree, hard ones scatter. */
  function sampledQa(n: number, seed: number): QaFolder {
    const random = seededRandom(seed);
    const items = [];
    const responses: RecordedResponse[] = [];
    const pick = (not: string) => CITIES.filter((c) => c !== not)[Math.floor(random() * (CITIES.length - 1))] as string;
    for (let i = 0; i < n; i++) {
      const gold = CITIES[Math.floor(random() * CITIES.length)] as string;
      items.push({ id: `f${i}`, question: `Which city is number ${i}?`, answers: [gold] });
      const hard = random() < 1 / 3;
      const belief = random() < (hard ? 0.6 : 0.97) ? gold : pick(gold);
      for (let s = 0; s < 5; s++) responses.push({ item: `f${i}`, model: 'm0', sample: s, output: random() < (hard ? 0.6 : 0.95) ? belief : pick(belief) });
    }
    return { kind: 'qa', dir: '/sampled-qa', task: { name: 'sampled-qa', kind: 'qa', answerType: 'free-form', instructions: '' }, items, responses };
  }

  it('counts each sample as a call and lets the adaptive policy ask fewer of them, out-of-fold', async () => {
    const folder = sampledQa(240, 4);
    const r = await evaluateQaFolder(folder, { folds: 3, seed: 1, strategies: ['majority-vote', createAdaptive({ target: SAMPLES_TARGET })] });
    const get = (n: string) => r.strategies.find((s) => s.name === n);
    expect(get('majority-vote')?.callsPerItem).toBeCloseTo(5, 12);
    expect(get('adaptive')?.callsPerItem).toBeGreaterThanOrEqual(1);
    expect(get('adaptive')?.callsPerItem).toBeLessThan(5);
  });
});

describe('samples asked live on a QA question', () => {
  it('reads a model listed once per sample as one column (its samples\' shares) plus one column per sample, abstaining samples included', () => {
    const input = {
      question: 'Which city?',
      answerType: 'free-form' as const,
      outputs: [
        { model: 'a', sample: 0, output: 'Paris' },
        { model: 'a', sample: 1, output: 'Lyon' },
        { model: 'a', sample: 2, output: 'Paris' },
        { model: 'b', sample: 0, output: 'Paris' },
      ],
    };
    const { matrix } = qaCandidateMatrix([input], ['a', 'a', 'a', 'a', 'b']);
    expect(matrix.models).toEqual(['a', 'b']);
    const x = expandSamples(matrix);
    expect(x.models).toEqual(['a', 'a', 'a', 'a', 'b']);
    // Sample 3 of a was not answered: a column, absent.
    expect(Array.from(x.present)).toEqual([1, 1, 1, 0, 1]);
    const K = matrix.labels.length;
    const paris = matrix.candidates?.[0]?.indexOf('Paris') ?? -1;
    expect(matrix.probs[paris]).toBeCloseTo(2 / 3, 12);
    expect(x.probs[2 * K + paris]).toBe(1);
    expect(x.probs[1 * K + paris]).toBe(0);
    const back = collapseSamples(x);
    back.probs.forEach((p, c) => expect(p).toBeCloseTo(matrix.probs[c] as number, 12));
    // Sample columns only where a model gave several samples; listed once each, none, as before.
    expect(qaCandidateMatrix([input], ['a', 'b']).matrix.samples).toBeDefined();
    expect(qaCandidateMatrix([{ ...input, outputs: input.outputs.filter((o) => o.sample === 0) }], ['a', 'b']).matrix.samples).toBeUndefined();
  });
});

describe('the vote-based rules and explanations over samples', () => {
  const folder = sampledFolder(240, [0.75], 5, 0.7, 21);
  const { matrix } = build(folder);
  const train = Array.from({ length: 160 }, (_, i) => i);
  const test = Array.from({ length: 80 }, (_, i) => 160 + i);
  const gold = Int32Array.from(train, (i) => folder.gold[i] as number);

  it('settled with slack 1 decides as the weighted vote of every sample, asking fewer; posterior (Adaptive-Consistency) asks fewer than all too', () => {
    const settled = createAdaptive({ rule: { kind: 'settled', slack: 1 } }).fit(selectItems(matrix, train), gold, { seed: 1 }) as FittedAdaptive;
    const r = settled.replay(selectItems(matrix, test));
    const all = createAdaptive({ rule: { kind: 'settled', slack: 1 }, maxCalls: 5 }).fit(selectItems(matrix, train), gold, { seed: 1 }) as FittedAdaptive;
    const mean = (c: Int32Array) => c.reduce((a, b) => a + b, 0) / c.length;
    expect(mean(r.calls)).toBeLessThan(5);
    // Stopping when the unasked samples cannot overturn the leader changes no decision.
    const full = settled.withRule({ kind: 'settled', slack: 1e9 }).replay(selectItems(matrix, test));
    expect(mean(full.calls)).toBe(5);
    const top = (p: Float64Array, i: number) => [0, 1, 2].reduce((b, k) => ((p[i * 3 + k] as number) > (p[i * 3 + b] as number) ? k : b), 0);
    for (let i = 0; i < 80; i++) expect(top(r.prediction.probs, i)).toBe(top(full.prediction.probs, i));
    expect(all.order).toHaveLength(5);
    const posterior = createAdaptive({ rule: { kind: 'posterior', delta: 0.1 } }).fit(selectItems(matrix, train), gold, { seed: 1 }) as FittedAdaptive;
    expect(mean(posterior.replay(selectItems(matrix, test)).calls)).toBeLessThan(5);
  });

  it('explains a decision per model, its asked samples summed into one entry', () => {
    const policy = createAdaptive().fit(selectItems(matrix, train), gold, { seed: 1 }) as FittedAdaptive;
    const e = policy.explain?.(selectItems(matrix, test), 0) ?? [];
    expect(e.map((c) => c.model)).toEqual(['m0']);
    expect(e[0]?.answer).not.toBeNull();
  });
});

describe('no test-fold label reaches a policy over samples', () => {
  it('fits each fold\'s order, thresholds and stages on its training rows alone', () => {
    const folder = sampledFolder(180, [0.8, 0.65], 3, 0.8, 8);
    const { matrix } = build(folder);
    const cv = crossValidateStrategy(adaptiveStrategy, matrix, folder.gold, { folds: 3, seed: 5 });
    cv.folds.forEach((test, f) => {
      // Fold f's policy is exactly what its training rows alone give: neither the test rows' answers
      // nor their labels entered the fit (folds are stratified by gold, so flipping test labels and
      // re-running the cross-validation would draw other folds; a fit on the training rows is the check).
      const train = matrix.itemIds.map((_, i) => i).filter((i) => !test.includes(i));
      const alone = adaptiveStrategy.fit(selectItems(matrix, train), Int32Array.from(train, (i) => folder.gold[i] as number), { seed: 5 + 1000 * (f + 1) });
      expect(JSON.stringify(alone.state())).toBe(JSON.stringify((cv.fitted[f] as FittedAdaptive).state()));
    });
  });
});

describe('the final strategy over samples', () => {
  it('is fitted on each model once (its samples collapsed), for the training-fold reference as when deployed', () => {
    const folder = sampledFolder(150, [0.8, 0.65], 3, 0.8, 11);
    const { matrix } = build(folder);
    const seen: string[][] = [];
    const final = getStrategy('weighted-vote');
    const spy = { ...final, fit: (train: AnswerMatrix, g: Int32Array, o: { seed: number }) => (seen.push([...train.models]), final.fit(train, g, o)) };
    createAdaptive({ final: spy }).fit(matrix, folder.gold, { seed: 2 });
    // The inner out-of-fold reference (several fits) and the deployed fit (one).
    expect(seen.length).toBeGreaterThan(1);
    for (const models of seen) expect(models).toEqual(['m0', 'm1']);
  });
});
