import { describe, expect, it } from 'vitest';
import { evalResultJson, type EvalResult } from '../../src/eval/eval-result.js';

describe('the one eval result type', () => {
  it("writes the kind's extras beside the core in --json, where users' scripts have always read them", () => {
    const result: EvalResult<{ labels: string[]; oracle: number }> = {
      task: 't',
      kind: 'classification',
      items: 2,
      folds: 2,
      seed: 1,
      models: [{ name: 'a', coverage: 1, abstentions: {} }],
      strategies: [],
      best: null,
      callsPerItem: 1,
      rejected: [],
      extras: { labels: ['x', 'y'], oracle: 0.5 },
    };
    const json = evalResultJson(result);
    expect(json).toMatchObject({ task: 't', kind: 'classification', items: 2, labels: ['x', 'y'], oracle: 0.5, callsPerItem: 1 });
    expect('extras' in json).toBe(false);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});
