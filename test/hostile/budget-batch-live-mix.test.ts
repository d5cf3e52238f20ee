import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCliProcess } from '../support/cli-process.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();

/**
 * Every way a --batch run spends, at once, under one --max-cost: batches (some requests expired,
 * some errored), their requests asked again live (`--batch-retry live`), live attempts that time out
 * after the server did the work, and samples. The server's own bill (every answer it generated,
 * timed out or not, batch and live) must stay under the cap. Batch prices are set to the list
 * prices here, so the server's bill, which counts every token at one price, is exact.
 */
describe('--max-cost over batches, live retries of their failures, timeouts and samples together', () => {
  for (const samples of [1, 2]) {
    it(`samples ${samples}: what the server billed stays under the cap`, async () => {
      const server = await fixture.start({
        labels: LABELS,
        batches: { pollsToFinish: 1, expireShare: 0.45, errorShare: 0.45 },
        faults: { slow: 1, slowMs: 600, failAttempts: 2 },
      });
      const t = fixture.tempDir();
      writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
      const price = { input: 100, output: 100, batch: { input: 100, output: 100 } };
      const prices = join(t.dir, 'prices.json');
      writeFileSync(prices, JSON.stringify({ 'openai:gpt-4o-mini': price, 'anthropic:claude-3-5-haiku-latest': price }));
      // Both batches fit: their worst case is just under 6.05 USD a sample.
      const budget = 6.05 * samples;
      const input = itemsOf(40).map((i) => JSON.stringify(i)).join('\n') + '\n';
      const run = startCliProcess(
        [
          'run', '--task', join(t.dir, 'task.json'), '--models', 'openai:gpt-4o-mini,anthropic:claude-3-5-haiku-latest', '--cache', join(t.dir, 'cache.sqlite'),
          '--prices', prices, '--max-cost', String(budget), '--batch', '--batch-poll', '0.02', '--samples', String(samples),
          '--concurrency', '16', '--timeout', '0.3', '--max-attempts', '3',
        ],
        server.env(),
        input,
      );
      const code = await run.exit(180_000);
      // Let the abandoned live answers finish at the server (and go on its bill).
      await new Promise((r) => setTimeout(r, 800));
      const snap = server.snapshot();
      const bill = Object.values(snap.billed).reduce((s, b) => s + (b.input * price.input + b.output * price.output) / 1e6, 0);
      // At one sample the live retries need more than the batches left, so the cap binds there (the
      // run stops on it); at two the batches' worst case takes most of the cap and the rest fits.
      expect(code, run.err()).toBe(samples === 1 ? 3 : 0);
      expect(snap.batchRequests, run.err()).toBeGreaterThan(0);
      expect(snap.requests, run.err()).toBeGreaterThan(0);
      expect(bill, run.err()).toBeLessThanOrEqual(budget);
    }, 200_000);
  }
});
