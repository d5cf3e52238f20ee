import { describe, expect, it } from 'vitest';
import { buildAnswerMatrix } from '../../../src/eval/build-matrix.js';
import { createAdaptive, type FittedAdaptive } from '../../../src/fuse/adaptive/adaptive-strategy.js';
import { createClassificationNormalizer } from '../../../src/normalize/classification.js';
import { agreeingFolder } from '../../support/agreeing-world.js';

const meanCalls = (policy: FittedAdaptive, matrix: Parameters<FittedAdaptive['replay']>[0]): number => {
  const { calls } = policy.replay(matrix);
  return calls.reduce((a, b) => a + b, 0) / calls.length;
};

/**
 * The default bound counts one disagreement the training rows did not show (`unseen: 'pseudo'`): on a
 * few dozen labelled items, every one of which the cheap settings decide as the full strategy does,
 * no count of rows vouches for stopping within half a point, so the default policy asks every model;
 * the plain bound reads those rows as a loss of 0 known exactly and stops early.
 */
describe('the default bound on a small labelled set', () => {
  const folder = agreeingFolder(36);
  const { matrix } = buildAnswerMatrix(folder, createClassificationNormalizer(folder.task));

  it('asks every model at the default target, where the plain bound (unseen: none) stops early', () => {
    const byDefault = createAdaptive().fit(matrix, folder.gold, { seed: 1 }) as FittedAdaptive;
    const plain = createAdaptive({ unseen: 'none' }).fit(matrix, folder.gold, { seed: 1 }) as FittedAdaptive;
    expect(meanCalls(byDefault, matrix)).toBe(3);
    expect(meanCalls(plain, matrix)).toBeLessThan(3);
  });

  it('leaves a policy saved with the plain bound as it was: loaded under the new default, it keeps its setting and its stops', () => {
    // A policy file written before the default changed stores its chosen rule and its curve's
    // bounds; loading it must not re-choose the rule with the other bound.
    const saved = createAdaptive({ unseen: 'none' }).fit(matrix, folder.gold, { seed: 1 }) as FittedAdaptive;
    const state: unknown = JSON.parse(JSON.stringify(saved.state()));
    const loaded = createAdaptive().load(state, matrix.labels) as FittedAdaptive;
    expect(loaded.state()).toEqual(saved.state());
    expect(Array.from(loaded.replay(matrix).calls)).toEqual(Array.from(saved.replay(matrix).calls));
    expect(meanCalls(loaded, matrix)).toBeLessThan(3);
  });

  it('stops early on the same rows with a looser target of the user\'s', () => {
    const loose = createAdaptive({ target: { maxLoss: 0.2 } }).fit(matrix, folder.gold, { seed: 1 }) as FittedAdaptive;
    expect(meanCalls(loose, matrix)).toBeLessThan(3);
  });
});
