import { describe, expect, it } from 'vitest';
import type { ResponseCache } from '../../src/orchestrate/cache.js';
import { Orchestrator } from '../../src/orchestrate/orchestrator.js';
import { FakeModel, userRequest } from '../orchestrate/fake-model.js';

/** A cache whose disk is full: reads miss, every write fails as SQLite fails on a full disk. */
function fullCache(): ResponseCache {
  const full = Object.assign(new Error('database or disk is full'), { name: 'SqliteError', code: 'SQLITE_FULL' });
  return {
    mode: { read: true, write: false },
    get: () => undefined,
    put: () => {
      throw full;
    },
    recordFailure: () => {
      throw full;
    },
  } as unknown as ResponseCache;
}

describe('issue 22 case 15: a cache that cannot store a paid answer does not lose it', () => {
  it('the answer is returned, counted as unsaved with the reason', async () => {
    const model = new FakeModel('openai', 'm');
    const o = new Orchestrator({ cache: fullCache() });
    const outcomes = await Promise.all([1, 2, 3].map((k) => o.call({ name: 'openai:m', model }, userRequest(`q${k}`))));
    expect(outcomes.map((x) => x.status)).toEqual(['ok', 'ok', 'ok']);
    expect(o.unsavedAnswers).toEqual({ count: 3, reason: 'database or disk is full (SQLITE_FULL)' });
    expect(o.stats().total.successes).toBe(3);
  });
});
