import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirsEach } from '../support/temp-dirs.js';
import { customIdOf } from '../../src/orchestrate/batch/custom-id.js';
import { SqliteStore } from '../../src/orchestrate/cache.js';
import { cacheKey } from '../../src/orchestrate/cache-key.js';
import { Orchestrator } from '../../src/orchestrate/orchestrator.js';
import { withSamples } from '../../src/run/models.js';
import { FakeModel, userRequest } from './fake-model.js';

const tempDir = tempDirsEach();

describe('samples of one model as calls', () => {
  const request = { messages: [{ role: 'user' as const, content: 'Is this toxic? "hello"' }], temperature: 0.7, maxTokens: 16 };

  it('keeps the key of a single call for sample 0 (caches from before samples still hit), and gives every other sample its own', () => {
    // The key llm-fusion wrote for this call before samples existed.
    const before = '48f921438055ba8e36784edb853f8554aca6e3d2ddf0b4fb53c2d64e85f3ffd6';
    expect(cacheKey('openai', 'gpt-4o-mini', request, 'https://api.openai.com/v1')).toBe(before);
    expect(cacheKey('openai', 'gpt-4o-mini', request, 'https://api.openai.com/v1', 0)).toBe(before);
    const keys = [1, 2, 3].map((s) => cacheKey('openai', 'gpt-4o-mini', request, 'https://api.openai.com/v1', s));
    expect(new Set([before, ...keys]).size).toBe(4);
    // A batch request's custom_id is the same key, sample included.
    const model = { provider: 'openai', modelId: 'gpt-4o-mini', endpoint: 'https://api.openai.com/v1' };
    expect(customIdOf(model, request)).toBe(before);
    expect(customIdOf(model, request, 2)).toBe(keys[1]);
  });

  it('asks each sample once through the orchestrator; a new process pays for none, and a single call finds sample 0', async () => {
    const t = tempDir();
    const m = new FakeModel('openai', 'a', (_r, n) => ({ text: `answer ${n}` }));
    const handles = withSamples([{ name: 'openai:a', model: m }], 3);
    expect(handles.map((h) => [h.name, h.sample])).toEqual([
      ['openai:a', 0],
      ['openai:a', 1],
      ['openai:a', 2],
    ]);
    expect(withSamples([{ name: 'openai:a', model: m }], 1)[0]).not.toHaveProperty('sample');
    const cache = new SqliteStore(join(t.dir, 'c.sqlite'));
    const outcomes = await Promise.all(handles.map((h) => new Orchestrator({ cache }).call(h, userRequest('q'))));
    expect(m.requests).toHaveLength(3);
    expect(new Set(outcomes.map((o) => (o.status === 'ok' ? o.response.text : '')))).toEqual(new Set(['answer 1', 'answer 2', 'answer 3']));
    await cache.close();

    const again = new SqliteStore(join(t.dir, 'c.sqlite'));
    const orch = new Orchestrator({ cache: again });
    const replayed = await Promise.all(handles.map((h) => orch.call(h, userRequest('q'))));
    expect(replayed.every((o) => o.status === 'ok' && o.cached)).toBe(true);
    expect(replayed.map((o) => (o.status === 'ok' ? o.response.text : ''))).toEqual(outcomes.map((o) => (o.status === 'ok' ? o.response.text : '')));
    const single = await orch.call({ name: 'openai:a', model: m }, userRequest('q'));
    expect(single.status === 'ok' && single.cached && single.response.text).toBe(outcomes[0]?.status === 'ok' && outcomes[0].response.text);
    expect(m.requests).toHaveLength(3);
    await again.close();
  });
});
