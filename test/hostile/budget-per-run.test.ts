import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { startWithTask } from '../support/live-folder.js';
import { captureStream, itemsOf } from '../integration/setup.js';

const fixture = fakeServerFixture();

const usd = (stderr: string, re: RegExp): number => Number(re.exec(stderr)?.[1] ?? Number.NaN);

/**
 * --max-cost caps one run (README, "Live models"). A run that stopped at its cap and the same command
 * again spend up to two caps together: the second run's summary must say what the first paid for the
 * answers it reads from the cache, or the user reads one cap's worth where two were spent.
 */
describe('--max-cost is per run: a resumed run says what earlier runs paid for its cached answers', () => {
  it('fusion run stopped at --max-cost, then the same command: "paid before" is what the first run spent, and both together are what the server billed', async () => {
    const { server, t } = await startWithTask(fixture);
    const prices = join(t.dir, 'prices.json');
    writeFileSync(prices, JSON.stringify({ 'openai:gpt-4o-mini': { input: 100, output: 100 } }));
    const input = itemsOf(40).map((i) => JSON.stringify(i)).join('\n') + '\n';
    const run = async () => {
      const stdin = new PassThrough();
      stdin.end(input);
      const io = { stdin, stdout: captureStream(), stderr: captureStream(), env: server.env() };
      const code = await main(['run', '--task', join(t.dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--cache', join(t.dir, 'c.sqlite'), '--prices', prices, '--max-cost', '0.5', '--concurrency', '1'], io);
      return { code, err: io.stderr.text() };
    };
    const first = await run();
    expect(first.code, first.err).toBe(3);
    expect(first.err).not.toMatch(/paid before/);
    const firstSpent = usd(first.err, /\$([\d.]+) spent in this run/);
    expect(firstSpent).toBeGreaterThan(0);
    expect(firstSpent).toBeLessThanOrEqual(0.5);

    const second = await run();
    const secondSpent = usd(second.err, /\$([\d.]+) spent in this run/);
    expect(secondSpent).toBeGreaterThan(0);
    expect(secondSpent).toBeLessThanOrEqual(0.5);
    // Each run kept its own cap; together they spent more than one cap, and the second says so.
    expect(usd(second.err, /paid before: \$([\d.]+)/)).toBeCloseTo(firstSpent, 6);
    const billed = server.snapshot().billed['gpt-4o-mini'] ?? { input: 0, output: 0 };
    expect(firstSpent + secondSpent).toBeCloseTo((billed.input * 100 + billed.output * 100) / 1e6, 6);
    expect(server.snapshot().duplicateSuccesses).toBe(0);
  });
});
