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
  const draws = (cued: number) => worlds.flatMap((spec) => [1, 2, 3].map((d) => textCheckpointLosses(spec, cued, 900 + d, { train: 300, test: 2000 })));
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  it('where the words name the label on half of the items: within the target, fewer calls, items decided from the text', () => {
    const runs = draws(0.5);
    expect(mean(runs.map((r) => r.text.loss))).toBeLessThanOrEqual(target);
    expect(mean(runs.map((r) => r.text.calls))).toBeLessThan(mean(runs.map((r) => r.base.calls)) - 0.05);
    expect(mean(runs.map((r) => r.text.fromText))).toBeGreaterThan(0.2);
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
});
