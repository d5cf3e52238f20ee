import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tempDirsEach } from '../support/temp-dirs.js';
import { DEFAULT_PRICES, costOf, loadPrices, priceOf } from '../../src/task/prices.js';
import { ProgressReporter } from '../../src/cli/progress-line.js';
import { progressText } from '../../src/orchestrate/progress.js';
import { loadProviderLimits } from '../../src/orchestrate/provider-limits.js';
import { readOrchestrationArgs } from '../../src/cli/run-session.js';
import { emptyStats } from '../../src/orchestrate/stats.js';
import { InputError } from '../../src/task/errors.js';

const tempDir = tempDirsEach();

describe('prices', () => {
  it('finds dated snapshots and -latest aliases by longest prefix; ollama is free; unknown is undefined', () => {
    expect(priceOf(DEFAULT_PRICES, 'openai', 'gpt-4o-mini-2024-07-18')).toEqual({ input: 0.15, output: 0.6 });
    expect(priceOf(DEFAULT_PRICES, 'openai', 'gpt-4o-2024-08-06')).toEqual({ input: 2.5, output: 10 });
    expect(priceOf(DEFAULT_PRICES, 'anthropic', 'claude-3-5-haiku-latest')).toEqual({ input: 0.8, output: 4 });
    expect(priceOf(DEFAULT_PRICES, 'ollama', 'llama3.1:8b')).toEqual({ input: 0, output: 0 });
    expect(priceOf(DEFAULT_PRICES, 'openai', 'my-finetune')).toBeUndefined();
    expect(priceOf(DEFAULT_PRICES, 'openai', 'gpt-3.5-turbo-0125')).toEqual({ input: 0.5, output: 1.5 });
    expect(priceOf(DEFAULT_PRICES, 'anthropic', 'claude-sonnet-4-20250514')).toEqual({ input: 3, output: 15 });
    expect(costOf({ input: 0.15, output: 0.6 }, { input: 1_000_000, output: 500_000 })).toBeCloseTo(0.45, 10);
  });

  it('another model whose name begins with a priced one is not priced by it (o1-pro is not o1): under a budget it is refused, not reserved at a fraction of its bill', () => {
    for (const [provider, model] of [['openai', 'o1-pro'], ['openai', 'o3-pro'], ['openai', 'gpt-5-pro'], ['openai', 'o3-deep-research'], ['openai', 'gpt-4o-realtime-preview'], ['anthropic', 'claude-3-5-haiku-fake']] as const) {
      expect(priceOf(DEFAULT_PRICES, provider, model), `${provider}:${model}`).toBeUndefined();
    }
    // A wildcard entry is the user's (or the table's) word that every name it begins costs the same.
    expect(priceOf({ 'openai:gpt-5*': { input: 1, output: 1 } }, 'openai', 'gpt-5-pro')).toEqual({ input: 1, output: 1 });
  });

  it('overrides from a JSON file, and names the file and field of a bad entry', () => {
    const t = tempDir();
    const good = join(t.dir, 'p.json');
    writeFileSync(good, JSON.stringify({ 'openai:my-finetune': { input: 1, output: 2 }, 'openai:gpt-4o-mini': { input: 9, output: 9 } }));
    const table = loadPrices(good);
    expect(priceOf(table, 'openai', 'my-finetune')).toEqual({ input: 1, output: 2 });
    expect(priceOf(table, 'openai', 'gpt-4o-mini')).toEqual({ input: 9, output: 9 });
    const bad = join(t.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ 'openai:x': { input: -1, output: 2 } }));
    expect(() => loadPrices(bad)).toThrow(InputError);
    expect(() => loadPrices(bad)).toThrow(/bad\.json: openai:x\.input/);
  });

  it('reads provider limits and rejects contradictory cache flags', () => {
    const t = tempDir();
    const file = join(t.dir, 'limits.json');
    writeFileSync(file, JSON.stringify({ openai: { concurrency: 4, rpm: 500 }, ollama: { concurrency: 1 } }));
    expect(loadProviderLimits(file)).toEqual({ openai: { concurrency: 4, rpm: 500 }, ollama: { concurrency: 1 } });
    writeFileSync(file, JSON.stringify({ openai: { rpm: 'fast' } }));
    expect(() => loadProviderLimits(file)).toThrow(/openai\.rpm/);
    expect(() => readOrchestrationArgs({ 'no-cache': true, refresh: true })).toThrow(/contradict/);
    expect(readOrchestrationArgs({ refresh: true }).cache?.mode).toEqual({ read: false, write: true });
    expect(readOrchestrationArgs({ 'no-cache': true }).cache).toBeNull();
    expect(() => readOrchestrationArgs({ 'max-cost': '-3' })).toThrow(/--max-cost/);
  });
});

describe('progress', () => {
  const stats = () => ({ total: { ...emptyStats(), requests: 40, cacheHits: 5, retries: 2, costUsd: 0.0123 }, perModel: {}, inFlight: 3, maxInFlight: 8 });

  it('shows items, calls, cache hits, retries, cost and ETA', () => {
    expect(progressText(stats(), 10, 40, 5000)).toBe('items 10/40 | calls 40 | cached 5 | retries 2 | cost $0.0123 | ETA 15s');
  });

  it('is silent when stderr is not a terminal unless forced', () => {
    const quiet = new PassThrough();
    let written = '';
    quiet.on('data', (c: Buffer) => (written += c.toString()));
    const p = new ProgressReporter({ stream: quiet, stats, totalItems: 2, intervalMs: 0 });
    p.itemDone();
    p.stop();
    expect(written).toBe('');
    const forced = new ProgressReporter({ stream: quiet, stats, totalItems: 2, intervalMs: 0, force: true });
    forced.itemDone();
    forced.stop();
    expect(written).toMatch(/^items 1\/2 \| calls 40/);
  });
});
