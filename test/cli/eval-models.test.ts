import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, MODELS, captureStream, expectedLabel, itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();

describe('fusion eval --models (asks the models, then evaluates)', () => {
  it('records the missing answers through the real SDKs, evaluates them, and a re-run makes no call', async () => {
    const server = await fixture.start({ labels: LABELS, latencyMs: 2, faults: { rateLimit: 0.1, retryAfterMs: 10, serverError: 0.05 } });
    const t = fixture.tempDir();
    // Gold = what the first model answers, so its accuracy must come out exactly 1.
    const items = itemsOf(30).map((i) => ({ ...i, label: expectedLabel(MODELS[0] as string, i.text) }));
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    writeFileSync(join(t.dir, 'items.jsonl'), items.map((i) => JSON.stringify(i)).join('\n') + '\n');
    const json = join(t.dir, 'result.json');
    const args = ['eval', t.dir, '--models', MODELS.join(','), '--cache', join(t.dir, 'cache.sqlite'), '--concurrency', '4', '--folds', '3', '--json', json];
    const io = () => ({ stdin: new PassThrough(), stdout: captureStream(), stderr: captureStream(), env: server?.env() ?? {} });

    const first = io();
    expect(await main(args, first)).toBe(0);
    expect(first.stderr.text()).toMatch(/recorded 90 answer\(s\)/);
    expect(first.stdout.text()).toMatch(/^fake-sentiment: 30 items, 3 models/);
    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(result.models).toHaveLength(3);
    expect(result.models.find((m: { name: string }) => m.name === MODELS[0])).toMatchObject({ accuracy: 1, coverage: 1 });
    expect(result.strategies.map((s: { name: string }) => s.name)).toContain('auto');
    expect(readFileSync(join(t.dir, 'responses.jsonl'), 'utf8').trim().split('\n')).toHaveLength(90);
    expect(server.snapshot().duplicateSuccesses).toBe(0);

    const requests = server.snapshot().requests;
    const second = io();
    expect(await main(args, second)).toBe(0);
    expect(second.stderr.text()).toMatch(/recorded 0 answer\(s\) \(0 from the cache\), 90 already present/);
    expect(server.snapshot().requests).toBe(requests);
  });

  it('refuses a model whose key is missing before any call', async () => {
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    writeFileSync(join(t.dir, 'items.jsonl'), `${JSON.stringify({ id: 'a', text: 'x', label: 'positive' })}\n`);
    const io = { stdin: new PassThrough(), stdout: captureStream(), stderr: captureStream(), env: {} };
    const code = await main(['eval', t.dir, '--models', 'openai:gpt-4o-mini', '--no-cache'], io);
    expect(code).not.toBe(0);
    expect(io.stderr.text()).toMatch(/OPENAI_API_KEY/);
    expect(io.stdout.text()).toBe('');
  });
});
