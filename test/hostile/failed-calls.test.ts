import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXIT_CALLS_FAILED } from '../../src/cli/errors.js';
import { main } from '../../src/cli/main.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, MODELS, captureStream, itemsOf, task, writeFolder } from '../integration/setup.js';

const fixture = fakeServerFixture();

function io(env: Record<string, string>, input = '') {
  const stdin = new PassThrough();
  stdin.end(input);
  return { stdin, stdout: captureStream(), stderr: captureStream(), env };
}

describe('issue 11 case 6: a run whose calls all fail does not exit 0', () => {
  it('fusion eval --models against a server answering 401 to everything exits 4 and says why per model', async () => {
    const server = await fixture.start({ labels: LABELS, failAll: { status: 401, message: 'invalid api key' } });
    const t = fixture.tempDir();
    writeFolder(t.dir, 5);
    const run = io(server.env());
    const code = await main(['eval', t.dir, '--models', MODELS.slice(0, 2).join(','), '--cache', join(t.dir, 'c.sqlite')], run);
    expect(code).toBe(EXIT_CALLS_FAILED);
    const err = run.stderr.text();
    expect(err).toMatch(/failed: openai:gpt-4o-mini: 5 call\(s\) auth/);
    expect(err).toMatch(/failed: anthropic:claude-3-5-haiku-latest: 5 call\(s\) auth/);
    expect(err).toMatch(/10 call\(s\) failed/);
  });

  it('fusion run against the same server exits 4', async () => {
    const server = await fixture.start({ labels: LABELS, failAll: { status: 401, message: 'invalid api key' } });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const input = itemsOf(4).map((i) => JSON.stringify(i)).join('\n') + '\n';
    const run = io(server.env(), input);
    const code = await main(['run', '--task', join(t.dir, 'task.json'), '--models', MODELS[0] as string, '--cache', join(t.dir, 'c.sqlite')], run);
    expect(code).toBe(EXIT_CALLS_FAILED);
    expect(run.stdout.text().trim().split('\n')).toHaveLength(4);
    expect(run.stderr.text()).toMatch(/failed: openai:gpt-4o-mini: 4 call\(s\) auth/);
  });

  it('a re-run asks again only the calls that failed', async () => {
    // Server errors on the first 6 attempts of some prompts: with 2 attempts per call those calls fail.
    const server = await fixture.start({ labels: LABELS, faults: { serverError: 0.4, failAttempts: 6 } });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    writeFileSync(join(t.dir, 'items.jsonl'), itemsOf(20).map((i) => JSON.stringify({ ...i, label: 'positive' })).join('\n') + '\n');
    const args = ['eval', t.dir, '--models', MODELS[0] as string, '--cache', join(t.dir, 'c.sqlite'), '--max-attempts', '2', '--strategies', 'majority-vote'];
    const first = io(server.env());
    const code = await main(args, first);
    expect(code).toBe(EXIT_CALLS_FAILED);
    const failed = Number(/(\d+) call\(s\) failed after all attempts/.exec(first.stderr.text())?.[1]);
    expect(failed).toBeGreaterThan(0);
    expect(existsSync(join(t.dir, 'responses.jsonl'))).toBe(true);
    const before = server.snapshot().requests;
    server.options.faults = undefined;
    const second = io(server.env());
    expect(await main(args, second)).toBe(0);
    expect(server.snapshot().requests - before).toBe(failed);
    expect(readFileSync(join(t.dir, 'responses.jsonl'), 'utf8').trim().split('\n')).toHaveLength(20);
  });
});
