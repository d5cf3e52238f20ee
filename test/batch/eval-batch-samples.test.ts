import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, captureStream, itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();

describe('fusion eval --models --samples --batch', () => {
  it('submits each sample as its own batch request (custom_id = its cache key), records every sample, and a re-run pays for none', async () => {
    const N = 12;
    const server = await fixture.start({ labels: LABELS, resample: 0.3, batches: { pollsToFinish: 2 } });
    const { dir } = fixture.tempDir();
    writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
    writeFileSync(join(dir, 'items.jsonl'), itemsOf(N).map((i) => JSON.stringify({ ...i, label: 'positive' })).join('\n') + '\n');
    const args = ['eval', dir, '--models', 'openai:gpt-4o-mini', '--samples', '3', '--cache', join(dir, 'cache.sqlite'), '--folds', '2', '--quiet', '--batch', '--batch-poll', '0.001'];
    const run = () => {
      const io = { stdin: new PassThrough(), stdout: captureStream(), stderr: captureStream(), env: server.env() };
      return main(args, io).then((code) => ({ code, err: io.stderr.text() }));
    };
    const first = await run();
    expect(first.code, first.err).toBe(0);
    const lines = readFileSync(join(dir, 'responses.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { item: string; sample: number });
    expect(lines).toHaveLength(N * 3);
    for (let i = 0; i < N; i++) expect(lines.filter((l) => l.item === itemsOf(N)[i]?.id).map((l) => l.sample).sort()).toEqual([0, 1, 2]);
    // Server side: the same prompt submitted 3 times per item (once per sample), none asked live.
    const submissions = [...server.batchSubmissionCounts().values()];
    expect(submissions).toEqual(new Array(N).fill(3));
    expect(server.snapshot().batchRequests).toBe(N * 3);
    expect(server.snapshot().requests).toBe(0);

    const again = await run();
    expect(again.code, again.err).toBe(0);
    expect(server.snapshot().batchRequests).toBe(N * 3);
    expect(readFileSync(join(dir, 'responses.jsonl'), 'utf8').trim().split('\n')).toHaveLength(N * 3);
  });
});
