import { describe, expect, it } from 'vitest';
import { createAdaptive, type FittedAdaptive } from '../../../src/fuse/adaptive/adaptive-strategy.js';
import { type AnswerMatrix, selectItems } from '../../../src/fuse/answer-matrix.js';
import { weightedVoteStrategy } from '../../../src/fuse/weighted-vote.js';
import { explainDecisions, renderExplanations } from '../../../src/eval/explanations.js';
import { ADAPTIVE_WORLDS, withTexts } from '../../support/adaptive-worlds.js';
import { makeWorld } from '../../support/crowd-worlds.js';
import { answersUsed, meanCallCost } from '../../../src/fuse/adaptive/usage.js';

/**
 * A crowd whose texts name the label on half of the items, a policy fitted on its first 300 items
 * (under the pseudo-disagreement bound), and 500 new ones. The weak crowd: its models are wrong
 * often enough that the cued texts earn checkpoint 0 its own room under the target.
 */
function fitted(): { policy: FittedAdaptive; strategy: ReturnType<typeof createAdaptive>; test: AnswerMatrix; gold: Int32Array } {
  const world = withTexts(makeWorld({ ...(ADAPTIVE_WORLDS[2] as (typeof ADAPTIVE_WORLDS)[number]), items: 800 }, 43), 0.5, 44);
  const tr = Array.from({ length: 300 }, (_, r) => r);
  const te = Array.from({ length: 500 }, (_, r) => 300 + r);
  const strategy = createAdaptive({ final: weightedVoteStrategy, prefix: weightedVoteStrategy, textCheckpoint: true, unseen: 'pseudo' });
  const policy = strategy.fit(selectItems(world.matrix, tr), Int32Array.from(tr, (i) => world.gold[i] as number), { seed: 1 }) as FittedAdaptive;
  return { policy, strategy, test: selectItems(world.matrix, te), gold: Int32Array.from(te, (i) => world.gold[i] as number) };
}

describe('adaptive checkpoint 0 (the text alone, before any call)', () => {
  const { policy, strategy, test, gold } = fitted();
  const replayed = policy.replay(test);
  const fromText = [...replayed.calls.keys()].filter((i) => replayed.calls[i] === 0);

  it('decides some new items with no call, and says why', () => {
    expect((policy.state() as { text?: unknown }).text).toBeDefined();
    expect(fromText.length).toBeGreaterThan(0);
    for (const i of fromText) {
      expect(replayed.reasons[i]).toBe('text');
      expect(replayed.prediction.decided[i]).toBe(1);
      for (let j = 0; j < test.models.length; j++) expect(replayed.asked[i * test.models.length + j]).toBe(0);
    }
  });

  it('a policy saved without it (an older file) loads and predicts as the same fit without it', () => {
    const { text: _text, ...older } = policy.state() as Record<string, unknown>;
    const loaded = strategy.load(JSON.parse(JSON.stringify(older)), test.labels) as FittedAdaptive;
    const r = loaded.replay(test);
    const base = policy.withoutText().replay(test);
    expect(Array.from(r.calls)).toEqual(Array.from(base.calls));
    expect(Array.from(r.prediction.probs)).toEqual(Array.from(base.prediction.probs));
    expect(Math.min(...r.calls)).toBeGreaterThanOrEqual(1);
    // And the saved policy with it reads back as it was.
    const again = strategy.load(JSON.parse(JSON.stringify(policy.state())), test.labels) as FittedAdaptive;
    expect(Array.from(again.replay(test).calls)).toEqual(Array.from(replayed.calls));
  });

  it('a call cap keeps those items at no call; live asking stops before the first wave', () => {
    const capped = policy.withMaxCalls(1).replay(test);
    expect(Math.max(...capped.calls)).toBeLessThanOrEqual(1);
    expect([...capped.calls.keys()].filter((i) => capped.calls[i] === 0)).toEqual(fromText);
    const i = fromText[0] as number;
    const one = selectItems({ ...test, present: new Uint8Array(test.present.length) }, [i]);
    expect(policy.nextWave(one, 0)).toEqual({ next: null, reason: 'text' });
    const asked = [...replayed.calls.keys()].find((k) => (replayed.calls[k] as number) > 0) as number;
    expect(policy.nextWave(selectItems({ ...test, present: new Uint8Array(test.present.length) }, [asked]), 0).next).toBeGreaterThan(0);
  });

  it('the calls counted and priced are the ones made: none for those items', () => {
    const used = answersUsed(policy, test);
    const M = test.models.length;
    for (const i of fromText) expect(Array.from(used.subarray(i * M, (i + 1) * M))).toEqual(new Array<number>(M).fill(0));
    const meanCalls = replayed.calls.reduce((a, b) => a + b, 0) / replayed.calls.length;
    expect(meanCallCost(used, M, new Array<number>(M).fill(1))).toBeCloseTo(meanCalls, 12);
    expect(meanCalls).toBeLessThan(policy.withoutText().replay(test).calls.reduce((a, b) => a + b, 0) / replayed.calls.length);
  });

  it('without item texts nothing is decided before a call', () => {
    const { texts: _texts, ...bare } = test;
    expect(Math.min(...policy.replay(bare).calls)).toBeGreaterThanOrEqual(1);
  });

  it('--explain says the item was decided from its text before any model was asked', () => {
    const explained = explainDecisions(test, gold, replayed.prediction, fromText.slice(0, 2), () => policy);
    expect(explained.every((e) => e.fromText === true)).toBe(true);
    expect(renderExplanations('adaptive', explained).join('\n')).toContain("Decided from the item's text before any model was asked");
    const asked = [...replayed.calls.keys()].filter((k) => (replayed.calls[k] as number) > 0).slice(0, 2);
    expect(explainDecisions(test, gold, replayed.prediction, asked, () => policy).every((e) => e.fromText === undefined)).toBe(true);
  });
});
