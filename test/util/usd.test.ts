import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { usdReplacer, writtenUsd } from '../../src/util/usd.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, MODELS, captureStream, itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();

/** Significant digits of a number as JSON writes it. */
function digits(text: string): number {
  const mantissa = text.replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '');
  return mantissa.length;
}

/** Every `"cost": x` (or costPerItem, estimatedCost) in JSON text, as written. */
function writtenCosts(text: string): string[] {
  return [...text.matchAll(/"(?:cost|costPerItem|estimatedCost)":\s*([-0-9.eE+]+)/g)].map((m) => m[1] as string);
}

describe('USD amounts as written', () => {
  it('drops float noise, keeps every digit a price list can give, and leaves zero and tiny amounts alone', () => {
    expect(writtenUsd(0.1 + 0.2)).toBe(0.3);
    expect(writtenUsd(0.00023319999999999998)).toBe(0.0002332);
    expect(writtenUsd(0)).toBe(0);
    // One token at a fraction of a dollar per million: exact.
    expect(writtenUsd(1.5e-7)).toBe(1.5e-7);
    expect(writtenUsd(123456.789012)).toBe(123456.789012);
    // Within half a unit of the twelfth digit of the value, whatever its size.
    for (const x of [3 * 1.1e-7, 1234.5678 * 3, 7 / 3, 1e-9 / 3]) expect(Math.abs(writtenUsd(x) - x)).toBeLessThanOrEqual(Math.abs(x) * 5e-12);
    expect(JSON.parse(JSON.stringify({ cost: 0.1 + 0.2, costPerItem: 0.1 + 0.2, score: 0.1 + 0.2 }, usdReplacer))).toEqual({ cost: 0.3, costPerItem: 0.3, score: 0.1 + 0.2 });
  });

  it('responses.jsonl, run output lines and eval --json carry no float noise; the recording reads back (resume, fuse)', async () => {
    const N = 30;
    const server = await fixture.start({ labels: LABELS });
    const { dir } = fixture.tempDir();
    writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
    writeFileSync(join(dir, 'items.jsonl'), itemsOf(N).map((i) => JSON.stringify({ ...i, label: 'positive' })).join('\n') + '\n');
    const io = () => ({ stdin: new PassThrough(), stdout: captureStream(), stderr: captureStream(), env: server.env() });
    const json = join(dir, 'eval.json');
    const first = io();
    expect(await main(['eval', dir, '--models', MODELS.join(','), '--cache', join(dir, 'cache.sqlite'), '--folds', '2', '--quiet', '--json', json], first), first.stderr.text()).toBe(0);
    const responses = readFileSync(join(dir, 'responses.jsonl'), 'utf8');
    const costs = writtenCosts(responses);
    expect(costs.length).toBe(N * MODELS.length);
    for (const c of [...costs, ...writtenCosts(readFileSync(json, 'utf8'))]) expect(digits(c), c).toBeLessThanOrEqual(12);

    // Read back: a resumed recording asks nothing, and fuse reads the rounded costs.
    const requests = server.snapshot().requests;
    const again = io();
    expect(await main(['eval', dir, '--models', MODELS.join(','), '--cache', join(dir, 'cache.sqlite'), '--folds', '2', '--quiet'], again), again.stderr.text()).toBe(0);
    expect(server.snapshot().requests).toBe(requests);
    expect(readFileSync(join(dir, 'responses.jsonl'), 'utf8')).toBe(responses);

    const fused = io();
    expect(await main(['fuse', dir], fused), fused.stderr.text()).toBe(0);
    expect(fused.stdout.text().trim().split('\n')).toHaveLength(N);

    const run = { ...io(), stdin: (() => { const s = new PassThrough(); s.end(itemsOf(N).map((i) => JSON.stringify(i)).join('\n') + '\n'); return s; })() };
    expect(await main(['run', '--task', join(dir, 'task.json'), '--models', MODELS.join(','), '--cache', join(dir, 'fresh.sqlite')], run), run.stderr.text()).toBe(0);
    const lineCosts = writtenCosts(run.stdout.text());
    expect(lineCosts.length).toBe(N);
    for (const c of lineCosts) expect(digits(c), c).toBeLessThanOrEqual(12);
  });
});
