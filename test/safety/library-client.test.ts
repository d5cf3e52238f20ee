import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, createFusion, fuse } from '../../src/index.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();
const MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest'];

describe('issue 22 case 14: the library does not fan out without bound', () => {
  it('Promise.all over many bare fuse() calls: one shared default orchestrator, at most 8 requests in flight', async () => {
    const server = await fixture.start({ labels: LABELS, latencyMs: 60 });
    const rows = itemsOf(60);
    const out = await Promise.all(rows.map((r) => fuse(task, r.text, { models: MODELS, env: server.env() })));
    expect(out).toHaveLength(60);
    expect(server.snapshot().successes).toBe(120);
    expect(server.snapshot().maxInFlight).toBeLessThanOrEqual(8);
  }, 120_000);

  it('createFusion: its calls share one concurrency limit, one cache and one budget', async () => {
    const server = await fixture.start({ labels: LABELS, latencyMs: 30 });
    const { dir } = fixture.tempDir();
    const client = createFusion({ models: MODELS, concurrency: 3, cache: join(dir, 'cache.sqlite'), env: server.env() });
    try {
      const rows = itemsOf(40);
      const first = await Promise.all(rows.map((r) => client.fuse(task, r.text)));
      expect(server.snapshot().maxInFlight).toBeLessThanOrEqual(3);
      expect(server.snapshot().successes).toBe(80);
      // The same rows again: every answer from the shared cache, no request.
      const requests = server.snapshot().requests;
      const again = await Promise.all(rows.map((r) => client.fuse(task, r.text)));
      expect(server.snapshot().requests).toBe(requests);
      expect(again.map((l) => l.label)).toEqual(first.map((l) => l.label));
      expect(client.stats().total.cacheHits).toBeGreaterThanOrEqual(80);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('createFusion maxCost is one cap over all its calls', async () => {
    const server = await fixture.start({ labels: LABELS, latencyMs: 5 });
    const client = createFusion({ models: MODELS, cache: false, maxCost: 0.0005, env: server.env() });
    try {
      await Promise.all(itemsOf(200).map((r) => client.fuse(task, r.text)));
      const stats = client.stats();
      expect(stats.stopReason).toBe('budget');
      expect(stats.total.costUsd).toBeLessThanOrEqual(0.0005);
      expect(server.snapshot().successes).toBeLessThan(400);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('createFusion: a concurrency, budget or sample count that makes no sense is an InputError naming the option, before any call', async () => {
    const server = await fixture.start({ labels: LABELS });
    for (const [options, field] of [
      [{ concurrency: 0 }, 'concurrency'],
      [{ concurrency: -3 }, 'concurrency'],
      [{ concurrency: 1.5 }, 'concurrency'],
      [{ concurrency: Number.NaN }, 'concurrency'],
      [{ maxCost: -1 }, 'maxCost'],
      [{ maxCost: Number.NaN }, 'maxCost'],
      [{ samples: 0 }, 'samples'],
    ] as const) {
      let thrown: unknown;
      try {
        createFusion({ models: MODELS, cache: false, env: server.env(), ...options });
      } catch (e) {
        thrown = e;
      }
      expect(thrown, JSON.stringify(options)).toBeInstanceOf(InputError);
      expect((thrown as Error).message).toContain(`createFusion: ${field}: must be`);
    }
    // From JavaScript (no types to stop it) a number written as a string is refused, and said to be a string.
    expect(() => createFusion({ models: MODELS, cache: false, env: server.env(), maxCost: '5' as unknown as number })).toThrow('createFusion: maxCost: must be a number of USD of at least 0, got "5" (a string)');
    // A budget of 0 is a client that pays for nothing (free models only): allowed.
    await createFusion({ models: MODELS, cache: false, env: server.env(), maxCost: 0 }).close();
    expect(server.snapshot().requests).toBe(0);
  });
});
