import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCliProcess } from '../support/cli-process.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();

const spent = (stderr: string): number => Number(/\$([0-9.]+) spent in this run/.exec(stderr)?.[1]);

/**
 * A call the client gives up on (its --timeout) was still sent: the provider finishes the answer and
 * bills it. With every call timing out twice before it is answered, a budget that counted only the
 * answers received would let the provider bill three times the cap.
 */
describe('--max-cost counts the attempts the client abandoned, which the provider still bills', () => {
  it('fusion run, every call timed out twice then answered, concurrency 16: what the server billed stays under the cap', async () => {
    const server = await fixture.start({ labels: LABELS, faults: { slow: 1, slowMs: 600, failAttempts: 2 } });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const prices = join(t.dir, 'prices.json');
    const price = { input: 100, output: 100 };
    writeFileSync(prices, JSON.stringify({ 'openai:gpt-4o-mini': price }));
    const budget = 0.5;
    const input = itemsOf(60).map((i) => JSON.stringify(i)).join('\n') + '\n';
    const run = startCliProcess(
      ['run', '--task', join(t.dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--no-cache', '--prices', prices, '--max-cost', String(budget), '--concurrency', '16', '--timeout', '0.3', '--max-attempts', '3'],
      server.env(),
      input,
    );
    const code = await run.exit(120_000);
    // Let the abandoned answers finish at the server (and go on its bill).
    await new Promise((r) => setTimeout(r, 800));
    const billed = server.snapshot().billed['gpt-4o-mini'] ?? { input: 0, output: 0 };
    const bill = (billed.input * price.input + billed.output * price.output) / 1e6;
    expect(bill).toBeGreaterThan(0);
    expect(code, run.err()).toBe(3);
    expect(bill, run.err()).toBeLessThanOrEqual(budget);
    expect(spent(run.err()), run.err()).toBeGreaterThanOrEqual(bill - 1e-9);
    expect(spent(run.err())).toBeLessThanOrEqual(budget);
  });

  it('fusion run, every answer cut half way through its body by a closed socket, then asked again: the cut attempts are charged, the run completes under the cap', async () => {
    const server = await fixture.start({ labels: LABELS, faults: { cutBody: 1, failAttempts: 1 } });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const prices = join(t.dir, 'prices.json');
    const price = { input: 100, output: 100 };
    writeFileSync(prices, JSON.stringify({ 'openai:gpt-4o-mini': price, 'anthropic:claude-3-5-haiku-latest': price }));
    const budget = 50;
    const input = itemsOf(20).map((i) => JSON.stringify(i)).join('\n') + '\n';
    const run = startCliProcess(
      ['run', '--task', join(t.dir, 'task.json'), '--models', 'openai:gpt-4o-mini,anthropic:claude-3-5-haiku-latest', '--no-cache', '--prices', prices, '--max-cost', String(budget), '--concurrency', '8', '--max-attempts', '3'],
      server.env(),
      input,
    );
    const code = await run.exit(120_000);
    expect(code, run.err()).toBe(0);
    const snap = server.snapshot();
    // Every answer generated twice: once cut, once whole.
    expect(snap.successes).toBe(80);
    const bill = Object.values(snap.billed).reduce((s, b) => s + (b.input * price.input + b.output * price.output) / 1e6, 0);
    // What the run counts covers what the server billed, cut attempts included.
    expect(spent(run.err()), run.err()).toBeGreaterThanOrEqual(bill - 1e-9);
    expect(spent(run.err())).toBeLessThanOrEqual(budget);
    expect(run.out().trim().split('\n')).toHaveLength(20);
  });
});
