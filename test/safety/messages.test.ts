import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { repoRoot, runCli } from '../support/run-cli.js';
import { LABELS, itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();

function taskFile(content: unknown = task): string {
  const { dir } = fixture.tempDir();
  writeFileSync(join(dir, 'task.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return join(dir, 'task.json');
}

describe('issue 22 case 15: messages and exit codes', () => {
  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`fusion ${(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version}\n`);
  });

  it('a missing --task prints the error and one hint line, not the whole help', async () => {
    const r = await runCli(['run', '--models', 'openai:gpt-4o-mini']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('fusion: run needs --task task.json\nRun "fusion run --help" for its options.\n');
  });

  it('an unknown flag gets "did you mean", in plain words', async () => {
    const r = await runCli(['run', '--modles', 'openai:x', '--task', 't.json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^fusion: unknown option --modles; did you mean --models\?\nRun "fusion run --help" for its options\.\n$/);
    const e = await runCli(['eval', 'D', '--concurency', '4']);
    expect(e.stderr).toMatch(/did you mean --concurrency\?/);
    const c = await runCli(['evla', 'D']);
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/unknown command "evla"; did you mean "eval"\?/);
    const v = await runCli(['run', '--task']);
    expect(v.stderr).toMatch(/^fusion: --task needs a value\n/);
  });

  it.each([
    ['a bad model spec', ['--models', 'gpt-4o-mini'], /must look like provider:model/],
    ['an unknown provider', ['--models', 'opnai:gpt-4o-mini'], /unknown provider "opnai"/],
    ['an unfitted --strategy auto', ['--models', 'openai:gpt-4o-mini', '--strategy', 'auto'], /--strategy auto: .*fit/],
  ])('%s is a usage error: exit 2, as the help says', async (_name, extra, message) => {
    const r = await runCli(['run', '--task', taskFile(), '--no-cache', ...extra], { input: '' });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a corrupt cache: a plain message and exit 5, no stack trace', async () => {
    const server = await fixture.start({ labels: LABELS });
    const { dir } = fixture.tempDir();
    const cache = join(dir, 'cache.sqlite');
    writeFileSync(cache, 'this is not a database, but it is not empty either: '.repeat(200));
    const r = await runCli(['run', '--task', taskFile(), '--models', 'openai:gpt-4o-mini', '--cache', cache], { input: itemsOf(2).map((i) => JSON.stringify(i)).join('\n'), env: server.env() });
    expect(r.status, r.stderr).toBe(5);
    expect(r.stderr).toMatch(/^fusion: the response cache is not a SQLite database .*SQLITE_NOTADB/);
    expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
    expect(server.snapshot().requests).toBe(0);
  });

  it('zod messages are translated into plain words', async () => {
    const bad = taskFile({ name: 't', kind: 'classification', labels: ['positive', 'negative'], instructions: 'x' });
    const r = await runCli(['run', '--task', bad, '--models', 'openai:x', '--no-cache'], { input: '' });
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/Invalid input|received string/);
    expect(r.stderr).toMatch(/labels\.0: expected an object, got a string/);
    const kind = taskFile({ name: 't', kind: 'ranking', labels: [{ name: 'a' }], instructions: 'x' });
    const k = await runCli(['run', '--task', kind, '--models', 'openai:x', '--no-cache'], { input: '' });
    expect(k.status).toBe(2);
    expect(k.stderr).not.toMatch(/Invalid discriminator value|Invalid input/);
    expect(k.stderr).toMatch(/kind: must be one of/);
  });

  it('a long retry-after wait is printed, not silent', async () => {
    const server = await fixture.start({ labels: LABELS, faults: { rateLimit: 1, retryAfterMs: 5_000 } });
    const r = await runCli(['run', '--task', taskFile(), '--models', 'openai:gpt-4o-mini', '--no-cache'], { input: JSON.stringify(itemsOf(1)[0]) + '\n', env: server.env() });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/fusion: openai:gpt-4o-mini: rate-limit, retry-after: waiting [5-9] s before retrying/);
  }, 60_000);
});
