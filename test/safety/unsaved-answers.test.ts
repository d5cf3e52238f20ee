import { describe, expect, it } from 'vitest';
import type { ResponseCache } from '../../src/orchestrate/cache.js';
import { Orchestrator } from '../../src/orchestrate/orchestrator.js';
import { CommitQueue } from '../../src/orchestrate/store/commit-queue.js';
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

describe('issue 22 case 15: a group commit that fails rejects the answers it held', () => {
  it('put rejects for the answers of the failed commit, flush reports it once, and the orchestrator counts them unsaved', async () => {
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    let fail = true;
    const queue = new CommitQueue(() => {
      if (fail) throw full;
    });
    const at = new Date().toISOString();
    const one = queue.answer({ id: { key: 'k1', provider: 'p', model: 'm' }, value: { text: 'a', latencyMs: 1 }, claim: undefined, at });
    await expect(one).rejects.toBe(full);
    await expect(queue.flush()).rejects.toBe(full);
    fail = false;
    await expect(queue.answer({ id: { key: 'k2', provider: 'p', model: 'm' }, value: { text: 'b', latencyMs: 1 }, claim: undefined, at })).resolves.toBeUndefined();
    await expect(queue.flush()).resolves.toBeUndefined();

    // The same through the orchestrator, with a store whose commits fail as they do asynchronously.
    const store = {
      mode: { read: true, write: true },
      get: async () => undefined,
      claim: async () => ({ status: 'claimed' }),
      release: () => undefined,
      put: () => Promise.reject(full),
      recordFailure: () => undefined,
    } as unknown as ResponseCache;
    const o = new Orchestrator({ cache: store });
    const model = new FakeModel('openai', 'm');
    const outcomes = await Promise.all([1, 2].map((k) => o.call({ name: 'openai:m', model }, userRequest(`q${k}`))));
    expect(outcomes.map((x) => x.status)).toEqual(['ok', 'ok']);
    expect(o.unsavedAnswers).toEqual({ count: 2, reason: 'database or disk is full (SQLITE_FULL)' });
  });
});
