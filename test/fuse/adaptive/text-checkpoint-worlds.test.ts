import { describe, expect, it } from 'vitest';
import type { CurvePoint } from '../../../src/fuse/adaptive/operating-point.js';
import { ADAPTIVE_WORLDS, textCheckpointLosses } from '../../support/adaptive-worlds.js';

/**
 * Checkpoint 0 (the item's text alone, before any call) goes through the policy's bound: in crowds
 * whose items carry texts, fitted on a few hundred labelled items and replayed on thousands of new
 * ones, the mean realised loss against the full strategy stays within the target. Where the words
 * name the label on part of the items, those items are decided with no call; where the words are
 * noise, the bound refuses every threshold and the policy asks what it asked without checkpoint 0.
 * A stop at 0 that ignored the bound would decide the noise world's items from noise.
 */
describe('adaptive checkpoint 0 on new items of synthetic crowds with texts', () => {
  const target = 0.005;
  const worlds = [ADAPTIVE_WORLDS[0], ADAPTIVE_WORLDS[2]].filter((w) => w !== undefined);
  const draws = (cued: number) => worlds.flatMap((spec) => [1, 2, 3].map((d) => textCheckpointLosses(spec, cued, 900 + d, { train: 300, test: 2000 }, { unseen: 'pseudo' })));
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  it('where the words name the label on half of the items: within the target, fewer calls, items decided from the text', () => {
    // Checkpoint 0 gets only what the policy's setting left of the target, and what its stops
    // gain where the text is right and the models asked are wrong (see measureCurve).
    const runs = draws(0.5);
    expect(mean(runs.map((r) => r.text.loss))).toBeLessThanOrEqual(target);
    for (const r of runs) expect(r.text.calls).toBeLessThanOrEqual(r.base.calls);
    expect(mean(runs.map((r) => r.text.calls))).toBeLessThan(mean(runs.map((r) => r.base.calls)) - 0.03);
    expect(mean(runs.map((r) => r.text.fromText))).toBeGreaterThan(0.05);
    // The stage kept is one whose training-fold bound is within the target.
    for (const r of runs) {
      const text = (r.policy.state() as { text?: { tau: number; curve: CurvePoint[] } }).text;
      if (!text) continue;
      const point = text.curve.find((p) => p.rule.kind === 'agreement' && p.rule.tau === text.tau);
      expect(point?.lossBound).toBeLessThanOrEqual(target + 1e-12);
    }
  }, 300_000);

  it('where the words are noise: within the target, and never more calls than without checkpoint 0', () => {
    const runs = draws(0);
    expect(mean(runs.map((r) => r.text.loss))).toBeLessThanOrEqual(target);
    for (const r of runs) expect(r.text.calls).toBeLessThanOrEqual(r.base.calls);
    expect(mean(runs.map((r) => r.text.fromText))).toBeLessThan(0.02);
  }, 300_000);

  it('where the words are noise and the training set is small: no new item decided from its text, no loss beyond the policy without it', () => {
    // The near-copies crowd with 120 training items under the pseudo-disagreement bound, the
    // draws of bench/adaptive-text-worlds.ts. In one of them the policy's setting showed a training
    // loss far below the full strategy's (luck of the rows it was chosen on); measured against the
    // full strategy, stops at 0 spent that luck and decided a sixth of the new items from noise.
    for (let d = 0; d < 10; d++) {
      const r = textCheckpointLosses(ADAPTIVE_WORLDS[1] as (typeof ADAPTIVE_WORLDS)[number], 0, 1000 + d, { train: 120, test: 3000 }, { unseen: 'pseudo' });
      expect(r.text.fromText).toBe(0);
      expect(r.text.loss).toBeLessThanOrEqual(r.base.loss + 1e-12);
    }
  }, 300_000);

  it('under a call budget with no loss target: held to the best score within the budget, not to the default loss', () => {
    // A weak crowd with a budget of two calls: the best setting within it is far over half a point,
    // which the default loss used to read as no room for stops at 0, though texts that name the
    // label decide items better than two calls do.
    const runs = [1, 2, 3].map((d) => textCheckpointLosses(ADAPTIVE_WORLDS[2] as (typeof ADAPTIVE_WORLDS)[number], 0.5, 900 + d, { train: 300, test: 2000 }, { unseen: 'pseudo', target: { maxCalls: 2 } }));
    for (const r of runs) {
      const text = (r.policy.state() as { text?: { tau: number; curve: CurvePoint[] } }).text;
      if (text) {
        // A stage kept costs nothing its bound sees against the same policy without it.
        const point = text.curve.find((p) => p.rule.kind === 'agreement' && p.rule.tau === text.tau);
        const without = text.curve.find((p) => p.rule.kind === 'agreement' && p.rule.tau > 1);
        expect(point?.lossBound).toBeLessThanOrEqual((without?.lossBound as number) + 1e-12);
      }
      expect(r.text.loss).toBeLessThanOrEqual(r.base.loss + 0.002);
      expect(r.text.calls).toBeLessThanOrEqual(r.base.calls);
    }
    expect(Math.max(...runs.map((r) => r.text.fromText))).toBeGreaterThan(0.1);
    // With noise texts under the same budget nothing is decided from them.
    for (const d of [1, 2, 3]) expect(textCheckpointLosses(ADAPTIVE_WORLDS[2] as (typeof ADAPTIVE_WORLDS)[number], 0, 900 + d, { train: 300, test: 2000 }, { unseen: 'pseudo', target: { maxCalls: 2 } }).text.fromText).toBe(0);
  }, 300_000);
});
