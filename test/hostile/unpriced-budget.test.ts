import { describe, expect, it } from 'vitest';
import { InputError, createFusion, fuse } from '../../src/index.js';
import { Orchestrator } from '../../src/orchestrate/orchestrator.js';
import { createModel } from '../../src/providers/registry.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();

/**
 * A budget cannot count what it cannot price: a model with no known price under a cap would be
 * reserved at 0 and spend without limit. The CLI refuses such a run before any call
 * (hard-budget.test.ts); the library and the orchestrator itself must refuse it too.
 */
describe('a budget with a model of unknown price: refused, never spent uncounted', () => {
  it('createFusion({ maxCost }) with an unpriced model: an InputError naming it, no request', async () => {
    const server = await fixture.start({ labels: LABELS });
    const client = createFusion({ models: ['openai:o1-pro'], cache: false, maxCost: 1, env: server.env() });
    try {
      const thrown = await client.fuse(task, 'a text').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(thrown).toBeInstanceOf(InputError);
      expect((thrown as Error).message).toContain('no price known for openai:o1-pro');
      expect(server.snapshot().requests).toBe(0);
    } finally {
      await client.close();
    }
  });

  it('fuse() with its own orchestration budget and an unpriced model: refused, no request', async () => {
    const server = await fixture.start({ labels: LABELS });
    const thrown = await fuse(task, 'a text', { models: ['openai:o1-pro'], orchestration: { maxCostUsd: 1 }, env: server.env() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(thrown).toBeInstanceOf(InputError);
    expect(server.snapshot().requests).toBe(0);
  });

  it('the orchestrator under a budget fails a call to an unpriced model without sending it; priced and free models are asked', async () => {
    const server = await fixture.start({ labels: LABELS });
    const env = server.env();
    const orchestrator = new Orchestrator({ maxCostUsd: 1 });
    const request = { messages: [{ role: 'user' as const, content: itemsOf(1)[0]!.text }], maxTokens: 16 };
    const unpriced = await orchestrator.call({ name: 'openai:o1-pro', model: createModel('openai:o1-pro', env) }, request);
    expect(unpriced.status).toBe('failed');
    expect(unpriced.status === 'failed' && unpriced.error.message).toContain('no price known for openai:o1-pro');
    expect(server.snapshot().requests).toBe(0);
    const priced = await orchestrator.call({ name: 'openai:gpt-4o-mini', model: createModel('openai:gpt-4o-mini', env) }, request);
    const free = await orchestrator.call({ name: 'ollama:llama3.1', model: createModel('ollama:llama3.1', env) }, request);
    expect([priced.status, free.status]).toEqual(['ok', 'ok']);
    expect(server.snapshot().requests).toBe(2);
  });
});
