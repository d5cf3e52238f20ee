import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { startCliProcess } from '../support/cli-process.js';
import { LABELS, MODELS, cachedAnswers, itemsOf, task, waitFor } from '../integration/setup.js';

const fixture = fakeServerFixture();

describe('issue 22 case 8: SIGTERM and SIGHUP are the first Ctrl-C', () => {
  it.each(['SIGTERM', 'SIGHUP'] as const)('fusion run gets %s: calls in flight finish and are cached, the summary and the resume hint are printed', async (signal) => {
    const server = await fixture.start({ labels: LABELS, latencyMs: 400 });
    const { dir } = fixture.tempDir();
    writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
    const cache = join(dir, 'c.sqlite');
    const input = itemsOf(200).map((i) => JSON.stringify(i)).join('\n') + '\n';
    const run = startCliProcess(['run', '--task', join(dir, 'task.json'), '--models', MODELS.join(','), '--concurrency', '8', '--cache', cache], server.env(), input, { keepStdinOpen: true });
    await waitFor(() => server.snapshot().successes >= 12, 120_000, '12 answers');
    run.child.kill(signal);
    expect(await run.exit(60_000), run.err()).toBe(130);
    expect(run.err()).toContain(`interrupted (${signal}); waiting for`);
    expect(run.err()).toMatch(/stopped: interrupted; \d+ call\(s\) not issued\. Re-run the same command to resume/);
    // Every answer the server gave (paid) is in the cache: none was lost in flight.
    const served = server.snapshot().successes;
    expect(served).toBeLessThan(600);
    expect(cachedAnswers(cache)).toBe(served);
  }, 240_000);

  it('fusion eval --models gets SIGTERM: answers in flight are recorded, the folder lock is released, the same command resumes', async () => {
    const server = await fixture.start({ labels: LABELS, latencyMs: 400 });
    const { dir } = fixture.tempDir();
    writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
    writeFileSync(join(dir, 'items.jsonl'), itemsOf(100).map((i) => JSON.stringify({ ...i, label: 'positive' })).join('\n') + '\n');
    const args = ['eval', dir, '--models', MODELS.join(','), '--concurrency', '8', '--cache', join(dir, 'c.sqlite'), '--quiet', '--strategies', 'majority-vote', '--folds', '2'];
    const run = startCliProcess(args, server.env());
    await waitFor(() => server.snapshot().successes >= 12, 120_000, '12 answers');
    run.child.kill('SIGTERM');
    expect(await run.exit(60_000), run.err()).toBe(130);
    expect(run.err()).toMatch(/stopped: interrupted/);
    const served = server.snapshot().successes;
    expect(readFileSync(join(dir, 'responses.jsonl'), 'utf8').trim().split('\n')).toHaveLength(served);
    expect(existsSync(join(dir, '.fusion.lock'))).toBe(false);
    server.options.latencyMs = 1;
    const again = startCliProcess(args, server.env());
    expect(await again.exit(120_000), again.err()).toBe(0);
    expect(server.snapshot().duplicateSuccesses).toBe(0);
    expect(server.snapshot().successes).toBe(300);
  }, 360_000);
});
