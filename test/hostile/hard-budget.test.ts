import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, captureStream, itemsOf, task, writeFolder } from '../integration/setup.js';

const fixture = fakeServerFixture();

function io(env: Record<string, string>, input = '') {
  const stdin = new PassThrough();
  stdin.end(input);
  return { stdin, stdout: captureStream(), stderr: captureStream(), env };
}

const spent = (stderr: string): number => Number(/\$([0-9.]+) spent in this run/.exec(stderr)?.[1]);

describe('issue 11 case 3: --max-cost is a hard cap even when the provider counts 100 times the tokens', () => {
  for (const concurrency of [1, 4, 16, 64]) {
    it(`fusion eval --models at concurrency ${concurrency}`, async () => {
      const server = await fixture.start({ labels: LABELS, usageScale: 100, latencyMs: 5 });
      const t = fixture.tempDir();
      writeFolder(t.dir, 60);
      const prices = join(t.dir, 'prices.json');
      writeFileSync(prices, JSON.stringify({ 'openai:gpt-4o-mini': { input: 10, output: 10 }, 'anthropic:claude-3-5-haiku-latest': { input: 10, output: 10 } }));
      const budget = 0.5;
      const run = io(server.env());
      const args = ['eval', t.dir, '--models', 'openai:gpt-4o-mini,anthropic:claude-3-5-haiku-latest,ollama:llama3.1', '--no-cache', '--prices', prices, '--max-cost', String(budget), '--concurrency', String(concurrency), '--quiet'];
      await main(args, run);
      const err = run.stderr.text();
      expect(err).toMatch(/--max-cost budget of \$0\.50* was reached/);
      // What the provider billed, from its own reported usage in responses.jsonl.
      const lines = readFileSync(join(t.dir, 'responses.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { model: string; cost?: number; tokens?: { input: number } });
      const billed = lines.reduce((s, l) => s + (l.cost ?? 0), 0);
      expect(billed).toBeGreaterThan(0);
      expect(billed).toBeLessThanOrEqual(budget);
      expect(spent(err)).toBeLessThanOrEqual(budget);
      // The server did report ~100x: each paid answer costs far more than chars/3 would say.
      const paid = lines.find((l) => l.model === 'openai:gpt-4o-mini');
      expect(paid?.tokens?.input ?? 0).toBeGreaterThan(1000);
      // The unpriced local model does not count against the budget: all its answers were obtained... until the stop.
      expect(lines.some((l) => l.model === 'ollama:llama3.1')).toBe(true);
    });
  }

  it('a model named like a priced one but another (openai:o1-pro, not openai:o1) has no price: under a budget the run is refused before any call', async () => {
    const server = await fixture.start({ labels: LABELS });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const run = io(server.env(), itemsOf(5).map((i) => JSON.stringify(i)).join('\n') + '\n');
    const code = await main(['run', '--task', join(t.dir, 'task.json'), '--models', 'openai:o1-pro', '--no-cache', '--max-cost', '1'], run);
    expect(code).toBe(2);
    expect(run.stderr.text()).toContain('no price known for openai:o1-pro');
    expect(server.snapshot().requests).toBe(0);
  });

  it('fusion run with a budget at concurrency 32 stays under it', async () => {
    const server = await fixture.start({ labels: LABELS, usageScale: 100 });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const prices = join(t.dir, 'prices.json');
    writeFileSync(prices, JSON.stringify({ 'openai:gpt-4o-mini': { input: 10, output: 10 } }));
    const input = itemsOf(100).map((i) => JSON.stringify(i)).join('\n') + '\n';
    const run = io(server.env(), input);
    const code = await main(['run', '--task', join(t.dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--no-cache', '--prices', prices, '--max-cost', '0.3', '--concurrency', '32'], run);
    expect(code).toBe(3);
    const out = run.stdout.text().trim().split('\n').map((l) => JSON.parse(l) as { cost: number });
    expect(out.reduce((s, l) => s + l.cost, 0)).toBeLessThanOrEqual(0.3);
    expect(spent(run.stderr.text())).toBeLessThanOrEqual(0.3);
  });
});
