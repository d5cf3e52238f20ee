import { describe, expect, it } from 'vitest';
import { crossValidateStrategy } from '../../../src/fuse/cross-validate.js';
import { selectItems } from '../../../src/fuse/answer-matrix.js';
import { createAdaptive, DEFAULT_PREFIX, type FittedAdaptive } from '../../../src/fuse/adaptive/adaptive-strategy.js';
import { AdaptiveStateSchema } from '../../../src/fuse/adaptive/adaptive-state.js';
import { agreementFeatures, agreementProbability, AgreementModelSchema, fitAgreement, type StepFeatures, stepFeatures } from '../../../src/fuse/adaptive/agreement.js';
import { monotoneLosses } from '../../../src/fuse/adaptive/operating-point.js';
import { shouldStop, type StepView } from '../../../src/fuse/adaptive/stop-rule.js';
import type { FusionStrategy } from '../../../src/fuse/strategy.js';
import { syntheticAnswers } from '../../../src/fuse/synthetic-answers.js';
import { weightedVoteStrategy } from '../../../src/fuse/weighted-vote.js';
import { decided } from '../helpers.js';

const view = (fused: number[], counts: number[], askedShare: number, extra: Partial<StepView> = {}): StepView => ({
  scores: Float64Array.from(counts),
  counts: Float64Array.from(counts),
  remainingWeight: 2,
  fused: Float64Array.from(fused),
  offset: 0,
  K: fused.length,
  askedShare,
  asked: 1,
  ...extra,
});

describe('agreement model', () => {
  it('describes a step by bounded numbers: confidence, margin, share asked, side taken, stability', () => {
    const f = agreementFeatures(view([0.8, 0.2], [3, 1], 0.5, { previous: 0, run: 2 }));
    expect(f).toHaveLength(12);
    for (const x of f) expect(Math.abs(x)).toBeLessThanOrEqual(1);
    expect(f[0]).toBeCloseTo(0.8);
    expect(f[1]).toBeCloseTo(0.6);
    expect(f[4]).toBeCloseTo(0.75); // 3 of 4 answers side with the fused leader
    expect(f[9]).toBe(1); // the leader held since the last checkpoint
    expect(agreementFeatures(view([0.8, 0.2], [3, 1], 0.5, { previous: 1, run: 1 }))[9]).toBe(0);
  });

  it('learns that a confident, settled step agrees with the full fusion more often', () => {
    const features: StepFeatures[] = [];
    const agree: boolean[] = [];
    for (let r = 0; r < 400; r++) {
      const p = 0.4 + 0.6 * ((r * 37) % 100) / 100;
      const share = ((r * 11) % 10) / 10;
      features.push(stepFeatures(view([p, 1 - p], [1, 0], share)));
      // Deterministic labels: a step agrees when its confidence is high, with some exceptions.
      agree.push(p > 0.7 ? r % 10 !== 0 : r % 3 === 0);
    }
    const model = fitAgreement(features, agree, 2);
    expect(AgreementModelSchema.parse(JSON.parse(JSON.stringify(model)))).toEqual(model);
    const high = agreementProbability(model, stepFeatures(view([0.95, 0.05], [1, 0], 0.5)));
    const low = agreementProbability(model, stepFeatures(view([0.55, 0.45], [1, 0], 0.5)));
    expect(high).toBeGreaterThan(0.7);
    expect(low).toBeLessThan(0.5);
    expect(shouldStop({ kind: 'agreement', tau: 0.7 }, { ...view([0.95, 0.05], [1, 0], 0.5), agreement: high })).toBe(true);
    expect(shouldStop({ kind: 'agreement', tau: 0.7 }, { ...view([0.55, 0.45], [1, 0], 0.5), agreement: low })).toBe(false);
    // No model, no stop: a policy without an agreement model asks everyone.
    expect(shouldStop({ kind: 'agreement', tau: 0 }, view([1, 0], [1, 0], 0.5))).toBe(false);
  });
});

describe('agreement model fitted to the expected loss of stopping', () => {
  // Two kinds of steps that disagree with the full fusion equally often (half the time): where the
  // full fusion is itself unsure (a disagreement costs little) and where it is sure (it costs much).
  const unsure = view([0.55, 0.45], [1, 1], 0.3);
  const sure = view([0.9, 0.1], [3, 0], 0.3);
  const features: StepFeatures[] = [];
  const agree: boolean[] = [];
  const cost: number[] = [];
  for (let r = 0; r < 400; r++) {
    const isSure = r % 2 === 0;
    features.push(stepFeatures(isSure ? sure : unsure));
    const a = r % 4 < 2;
    agree.push(a);
    cost.push(a ? 0 : isSure ? 0.9 : 0.1);
  }

  it('lets the step whose disagreements cost little stop, and not the one whose disagreements cost much', () => {
    const model = fitAgreement(features, agree, 2, cost);
    const pUnsure = agreementProbability(model, stepFeatures(unsure));
    const pSure = agreementProbability(model, stepFeatures(sure));
    // 1 - the expected loss of stopping: 1 - 0.5 * 0.1 and 1 - 0.5 * 0.9.
    expect(pUnsure).toBeCloseTo(0.95, 1);
    expect(pSure).toBeCloseTo(0.55, 1);
    // Without costs, both are plain agreement rates (one half).
    const plain = fitAgreement(features, agree, 2);
    expect(agreementProbability(plain, stepFeatures(unsure))).toBeCloseTo(0.5, 1);
    expect(agreementProbability(plain, stepFeatures(sure))).toBeCloseTo(0.5, 1);
  });

  it('is the agreement model when every disagreement costs a whole item', () => {
    const whole = fitAgreement(features, agree, 2, cost.map((c) => (c > 0 ? 1 : 0)));
    const plain = fitAgreement(features, agree, 2);
    for (const v of [unsure, sure]) expect(agreementProbability(whole, stepFeatures(v))).toBeCloseTo(agreementProbability(plain, stepFeatures(v)), 3);
  });
});

describe('agreement models that read the checkpoint and the answers (options, not the default)', () => {
  // Two steps at the same checkpoint with the same summary numbers: the same fused confidence and
  // the same counts, but two asked models answering the other way round. The first kind of step
  // keeps its decision, the second is overturned half the time.
  const at = (votes: number[]): StepView => ({ ...view([0.8, 0.2], [1, 1], 0.25), asked: 2, votes });
  const keeps = at([0, 1]);
  const flips = at([1, 0]);
  const steps: StepFeatures[] = [];
  const agree: boolean[] = [];
  for (let r = 0; r < 400; r++) {
    const first = r % 2 === 0;
    steps.push(stepFeatures(first ? keeps : flips));
    agree.push(first || r % 4 === 1);
  }

  it('per checkpoint, tells apart steps that differ only in who answered what; the pooled model cannot', () => {
    expect(agreementFeatures(keeps)).toEqual(agreementFeatures(flips));
    const perCheckpoint = fitAgreement(steps, agree, 2, undefined, 'per-checkpoint');
    expect(agreementProbability(perCheckpoint, stepFeatures(keeps))).toBeGreaterThan(0.9);
    expect(agreementProbability(perCheckpoint, stepFeatures(flips))).toBeCloseTo(0.5, 1);
    const pooled = fitAgreement(steps, agree, 2, undefined, 'pooled');
    expect(agreementProbability(pooled, stepFeatures(keeps))).toBeCloseTo(agreementProbability(pooled, stepFeatures(flips)), 9);
    // A checkpoint it has no stage for asks on.
    expect(agreementProbability(perCheckpoint, stepFeatures({ ...keeps, asked: 3, votes: [0, 1, 0] }))).toBe(0);
  });

  it('round-trips each kind through the saved policy with the same decisions and calls', () => {
    const data = syntheticAnswers({ items: 240, models: 6, labels: 3, seed: 11, abstainRate: 0.05 });
    const { matrix, gold } = data;
    for (const [kind, version] of [['per-checkpoint', 2], ['staged', 3], ['pooled', 1]] as const) {
      const policy = createAdaptive({ rule: 'agreement', final: weightedVoteStrategy, target: { maxLoss: 0.02 }, agreementModel: kind });
      const fitted = policy.fit(matrix, gold, { seed: 2 }) as FittedAdaptive;
      const state = AdaptiveStateSchema.parse(JSON.parse(JSON.stringify(fitted.state())));
      expect(state.agreement?.features).toBe(version);
      const r = fitted.replay(matrix);
      expect(Math.min(...r.calls)).toBeLessThan(matrix.models.length);
      const again = (policy.load(state, matrix.labels) as FittedAdaptive).replay(matrix);
      expect(decided(again.prediction, matrix.labels.length)).toEqual(decided(r.prediction, matrix.labels.length));
      expect(Array.from(again.calls)).toEqual(Array.from(r.calls));
    }
  });
});

describe('prefix fusions fitted to the final strategy\'s decisions (prefixTarget: final, an option)', () => {
  it('makes the prefixes agree with the final strategy more often than prefixes fitted to the labels', () => {
    const data = syntheticAnswers({ items: 300, models: 6, labels: 3, seed: 5, abstainRate: 0.05 });
    const { matrix, gold } = data;
    const K = matrix.labels.length;
    const agreement = (prefixTarget: 'labels' | 'final') => {
      const fitted = createAdaptive({ rule: 'agreement', final: weightedVoteStrategy, prefixTarget }).fit(matrix, gold, { seed: 3 }) as FittedAdaptive;
      const full = decided(fitted.withRule({ kind: 'agreement', tau: Infinity }).replay(matrix).prediction, K);
      let same = 0;
      for (let t = 1; t < matrix.models.length; t++) {
        const prefix = decided(fitted.withRule({ kind: 'agreement', tau: Infinity }).withMaxCalls(t).replay(matrix).prediction, K);
        prefix.forEach((d, i) => (same += d === full[i] ? 1 : 0));
      }
      return same;
    };
    expect(agreement('final')).toBeGreaterThan(agreement('labels'));
  });
});

describe('monotone training losses', () => {
  it('pools a lucky dip with its neighbours so that loss never falls as calls fall', () => {
    const calls = [10, 8, 6, 4, 2];
    const losses = [0, 0.004, -0.006, 0.002, 0.03];
    const smooth = monotoneLosses(calls, losses);
    expect(smooth[0]).toBeCloseTo(0);
    for (let i = 1; i < smooth.length; i++) expect(smooth[i] as number).toBeGreaterThanOrEqual((smooth[i - 1] as number) - 1e-12);
    // The dip at 6 calls is averaged with the points around it, not trusted alone.
    expect(smooth[2]).toBeCloseTo(0);
    expect(smooth[4]).toBeCloseTo(0.03);
    // Input order does not matter.
    expect(monotoneLosses([...calls].reverse(), [...losses].reverse())).toEqual([...smooth].reverse());
  });
});

describe('agreement rule in a policy', () => {
  const data = syntheticAnswers({ items: 240, models: 6, labels: 3, seed: 11, abstainRate: 0.05 });
  const { matrix, gold } = data;
  const K = matrix.labels.length;
  const M = matrix.models.length;
  const policy = createAdaptive({ rule: 'agreement', final: weightedVoteStrategy, target: { maxLoss: 0.02 } });

  it('fits an agreement model, saves it, and restores the same decisions and calls', () => {
    const fitted = policy.fit(matrix, gold, { seed: 2 }) as FittedAdaptive;
    const state = AdaptiveStateSchema.parse(JSON.parse(JSON.stringify(fitted.state())));
    expect(state.rule.kind).toBe('agreement');
    expect(state.agreement?.features).toBe(1);
    const r = fitted.replay(matrix);
    expect(Math.min(...r.calls)).toBeLessThan(M);
    const again = (policy.load(state, matrix.labels) as FittedAdaptive).replay(matrix);
    expect(decided(again.prediction, K)).toEqual(decided(r.prediction, K));
    expect(Array.from(again.calls)).toEqual(Array.from(r.calls));
    // A tighter tau asks at least as many models on every item, and more on some.
    const loose = fitted.withRule({ kind: 'agreement', tau: 0.8 }).replay(matrix);
    const tight = fitted.withRule({ kind: 'agreement', tau: 0.95 }).replay(matrix);
    loose.calls.forEach((c, i) => expect(tight.calls[i] as number).toBeGreaterThanOrEqual(c));
    expect(tight.calls.some((c, i) => c > (loose.calls[i] as number))).toBe(true);
    // Above 1 nothing stops it: every model is asked.
    const strict = fitted.withRule({ kind: 'agreement', tau: 1.01 }).replay(matrix);
    expect(strict.calls.every((c) => c === M)).toBe(true);
  });

  it('never lets a test-fold label reach the agreement model, its threshold or the order', () => {
    const seen: { items: readonly string[] }[] = [];
    const spy = (inner: FusionStrategy): FusionStrategy => ({ ...inner, fit: (train, g, o) => (seen.push({ items: train.itemIds }), inner.fit(train, g, o)) });
    const strategy = createAdaptive({ rule: 'agreement', final: spy(weightedVoteStrategy), prefix: DEFAULT_PREFIX.map(spy), target: { maxLoss: 0.02 } });
    const outer: { items: readonly string[] }[] = [];
    const cv = crossValidateStrategy({ ...strategy, fit: (train, g, o) => (outer.push({ items: train.itemIds }), strategy.fit(train, g, o)) }, matrix, gold, { folds: 3, seed: 4 });
    // Every fit inside the cross-validation (prefixes, the final strategy's inner out-of-fold reference) saw one outer fold's training items only.
    const trainIds = outer.map((o) => new Set(o.items));
    expect(seen.length).toBeGreaterThan(3);
    for (const s of seen) expect(trainIds.some((ids) => s.items.every((id) => ids.has(id)))).toBe(true);
    cv.folds.forEach((test, f) => {
      const testIds = new Set(test.map((i) => matrix.itemIds[i]));
      // Every inner fit (prefixes, the final strategy's out-of-fold reference) saw training items only.
      const train = matrix.itemIds.map((_, i) => i).filter((i) => !test.includes(i));
      // And the fold's policy is exactly what a fit on its training rows alone gives.
      const before = seen.length;
      const refit = strategy.fit(selectItems(matrix, train), Int32Array.from(train, (i) => gold[i] as number), { seed: 4 + 1000 * (f + 1) });
      for (const s of seen.slice(before)) expect(s.items.some((id) => testIds.has(id))).toBe(false);
      const a = refit.state() as { agreement: unknown; rule: unknown; order: unknown; curve: unknown };
      const b = (cv.fitted[f] as FittedAdaptive).state() as typeof a;
      expect(a.agreement).toBeDefined();
      expect(JSON.stringify([a.agreement, a.rule, a.order, a.curve])).toBe(JSON.stringify([b.agreement, b.rule, b.order, b.curve]));
    });
  });
});
