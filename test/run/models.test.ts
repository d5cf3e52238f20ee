import { describe, expect, it } from 'vitest';
import type { ModelHandle } from '../../src/orchestrate/orchestrator.js';
import { ProviderError } from '../../src/providers/provider.js';
import { handlesOfPolicy, samplesOfOrder, withSamples } from '../../src/run/models.js';

const handle = (name: string): ModelHandle => ({ name, model: { provider: 'fake', modelId: name, supportsLogprobs: false, generate: () => Promise.reject(new Error('not called')) } });

describe('handlesOfPolicy', () => {
  it('keeps each model\'s samples up to the times the policy\'s order names it, and nothing it was not fitted with', () => {
    const order = ['m0', 'm1', 'm0', 'm0'];
    const all = withSamples([handle('m0'), handle('m1'), handle('extra')], samplesOfOrder(order));
    expect(all).toHaveLength(9);
    const { handles, dropped } = handlesOfPolicy(all, order);
    expect(handles.map((h) => [h.name, h.sample])).toEqual([
      ['m0', 0],
      ['m0', 1],
      ['m0', 2],
      ['m1', 0],
    ]);
    expect(dropped).toEqual(['m1 (sample 2)', 'm1 (sample 3)', 'extra', 'extra (sample 2)', 'extra (sample 3)']);
  });

  it('keeps single handles of fitted models as they are, and refuses a run with none of them', () => {
    expect(handlesOfPolicy([handle('a'), handle('b')], ['b', 'a']).handles.map((h) => h.name)).toEqual(['a', 'b']);
    expect(() => handlesOfPolicy([handle('c')], ['a', 'b'])).toThrow(ProviderError);
    expect(() => handlesOfPolicy([handle('c')], ['a', 'b'])).toThrow(/none of the models given is one the adaptive policy was fitted with \(a, b\)/);
  });
});
