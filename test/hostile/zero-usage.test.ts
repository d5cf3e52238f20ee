import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, captureStream, itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();

const PRICE = { input: 100, output: 100 };

/**
 * A gateway that drops the counts (usage 0 and 0) while the provider behind it bills the tokens:
 * a request always sends some input, so 0 input tokens is no bill a priced provider can produce.
 * Taken at its word, each answer cost nothing, every reservation was freed and --max-cost never
 * stopped the run.
 */
const spent = (stderr: string): number => Number(/\$([0-9.]+) spent in this run/.exec(stderr)?.[1]);
const bill = (billed: Record<string, { input: number; output: number }>, price: { input: number; output: number }): number =>
  Object.values(billed).reduce((s, b) => s + (b.input * price.input + b.output * price.output) / 1e6, 0);

/** fusion run on 60 items with one model at PRICE (its batch price too), its summary on stderr. */
async function run(env: Record<string, string>, model: string, flags: string[], batch: boolean): Promise<{ code: number; err: string }> {
  const t = fixture.tempDir();
  writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
  const prices = join(t.dir, 'prices.json');
  writeFileSync(prices, JSON.stringify({ [model]: batch ? { ...PRICE, batch: PRICE } : PRICE }));
  const stdin = new PassThrough();
  stdin.end(itemsOf(60).map((i) => JSON.stringify(i)).join('\n') + '\n');
  const io = { stdin, stdout: captureStream(), stderr: captureStream(), env };
  const code = await main(['run', '--task', join(t.dir, 'task.json'), '--models', model, '--cache', join(t.dir, 'c.sqlite'), '--prices', prices, ...flags], io);
  return { code, err: io.stderr.text() };
}

describe('a usage of 0 tokens from a priced provider is a provider error, charged at the bound', () => {
  for (const model of ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest']) {
    it(`${model}: --max-cost stops the run, what the server billed stays under the cap, the summary flags it`, async () => {
      const server = await fixture.start({ labels: LABELS, zeroUsage: true });
      const { code, err } = await run(server.env(), model, ['--max-cost', '0.3', '--concurrency', '4'], false);
      const billed = bill(server.snapshot().billed, PRICE);
      expect(billed).toBeGreaterThan(0);
      expect(billed, err).toBeLessThanOrEqual(0.3);
      expect(spent(err)).toBeGreaterThanOrEqual(billed);
      expect(code, err).toBe(3);
      expect(err).toMatch(/provider error: .*usage no request can cost/);
    });
  }

  it('openai:gpt-4o-mini --batch: the batch answers are charged at their bound, not at $0, and flagged', async () => {
    const server = await fixture.start({ labels: LABELS, zeroUsage: true, batches: { pollsToFinish: 1 } });
    const { code, err } = await run(server.env(), 'openai:gpt-4o-mini', ['--batch', '--batch-poll', '0.001'], true);
    expect(code, err).toBe(0);
    expect(server.snapshot().batchRequests).toBe(60);
    const billed = bill(server.snapshot().billed, PRICE);
    expect(billed).toBeGreaterThan(0);
    expect(spent(err), err).toBeGreaterThanOrEqual(billed);
    expect(err).toMatch(/provider error: .*usage no request can cost/);
  });
});
