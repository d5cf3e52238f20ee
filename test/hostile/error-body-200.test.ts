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
 * A gateway answering HTTP 200 with an error body: no answer, but the call may have been carried out
 * and billed. It is a failure, never an empty answer stored as paid, and under --max-cost
 * each such attempt is charged at its bound, so the bill stays under the cap.
 */
describe('HTTP 200 with an error body', () => {
  for (const model of ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest']) {
    it(`${model}: each call fails as bad-response (nothing cached), charged at its bound: the budget stops the run (exit 3) with the bill under the cap`, async () => {
      const server = await fixture.start({ labels: LABELS, errorBody200: true });
      const t = fixture.tempDir();
      writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
      const prices = join(t.dir, 'prices.json');
      writeFileSync(prices, JSON.stringify({ [model]: PRICE }));
      const stdin = new PassThrough();
      stdin.end(itemsOf(60).map((i) => JSON.stringify(i)).join('\n') + '\n');
      const io = { stdin, stdout: captureStream(), stderr: captureStream(), env: server.env() };
      const code = await main(['run', '--task', join(t.dir, 'task.json'), '--models', model, '--cache', join(t.dir, 'c.sqlite'), '--prices', prices, '--max-cost', '0.3', '--concurrency', '4'], io);
      const err = io.stderr.text();
      expect(code, err).toBe(3);
      expect(err).toMatch(/bad-response, e\.g\. .*the server sent an error instead of an answer/);
      expect(err).toMatch(/0 cache hit\(s\)/);
      const out = io.stdout.text().trim().split('\n').map((l) => JSON.parse(l) as { answers: { output: string | null }[] });
      expect(out.every((l) => l.answers.every((a) => a.output === null))).toBe(true);
      const b = Object.values(server.snapshot().billed).reduce((s, x) => s + (x.input * PRICE.input + x.output * PRICE.output) / 1e6, 0);
      expect(b).toBeGreaterThan(0);
      expect(b, err).toBeLessThanOrEqual(0.3);
    });
  }
});
