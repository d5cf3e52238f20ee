import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { startCliProcess } from '../support/cli-process.js';
import { LABELS, itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();

function folder(n: number): string {
  const { dir } = fixture.tempDir();
  writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
  writeFileSync(join(dir, 'items.jsonl'), itemsOf(n).map((i) => JSON.stringify({ ...i, label: 'positive' })).join('\n') + '\n');
  return dir;
}

const mkfifo = (path: string): void => {
  execFileSync('mkfifo', [path]);
};

describe('issue 22 case 12: every file the tool reads or writes of its own goes through the safe reader', () => {
  it('--strategy FIFO: refused at once (exit 2), not blocked forever', async () => {
    const dir = folder(2);
    const fifo = join(dir, 'strategy.json');
    mkfifo(fifo);
    const run = startCliProcess(['run', '--task', join(dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--strategy', fifo, '--no-cache'], {}, '');
    expect(await run.exit(60_000)).toBe(2);
    expect(run.err()).toMatch(/strategy\.json: is a FIFO/);
  }, 90_000);

  it('--strategy /dev/zero: refused (exit 2), no std::bad_alloc', async () => {
    const dir = folder(2);
    const run = startCliProcess(['run', '--task', join(dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--strategy', '/dev/zero', '--no-cache'], {}, '');
    expect(await run.exit(60_000)).toBe(2);
    expect(run.err()).toMatch(/\/dev\/zero: is a device/);
  }, 90_000);

  it('a 100 MB strategy file is refused past the size limit, not loaded', async () => {
    const dir = folder(2);
    const big = join(dir, 'big.json');
    closeSync(openSync(big, 'w'));
    truncateSync(big, 100 * 1024 * 1024);
    const run = startCliProcess(['run', '--task', join(dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--strategy', big, '--no-cache'], {}, '');
    expect(await run.exit(60_000)).toBe(2);
    expect(run.err()).toMatch(/big\.json: larger than \d+ bytes \(raise FUSION_MAX_FILE_BYTES/);
  }, 90_000);

  it('a FIFO at D/.responses.jsonl.journal: refused before any call is paid, not blocked after', async () => {
    const server = await fixture.start({ labels: LABELS });
    const dir = folder(3);
    mkfifo(join(dir, '.responses.jsonl.journal'));
    const run = startCliProcess(['eval', dir, '--models', 'openai:gpt-4o-mini', '--cache', join(dir, 'c.sqlite'), '--quiet', '--strategies', 'majority-vote', '--folds', '2'], server.env());
    expect(await run.exit(60_000)).toBe(2);
    expect(run.err()).toMatch(/\.responses\.jsonl\.journal: is a FIFO/);
    expect(server.snapshot().requests, JSON.stringify(server.snapshot()) + run.err()).toBe(0);
    // The folder lock was released: the FIFO removed, the same command records.
    execFileSync('rm', [join(dir, '.responses.jsonl.journal')]);
    const again = startCliProcess(['eval', dir, '--models', 'openai:gpt-4o-mini', '--cache', join(dir, 'c.sqlite'), '--quiet', '--strategies', 'majority-vote', '--folds', '2'], server.env());
    expect(await again.exit(90_000), again.err()).toBe(0);
    expect(readFileSync(join(dir, 'responses.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
  }, 180_000);

  it('a FIFO at D/.fusion.lock.pid: refused (exit 2), not blocked', async () => {
    const server = await fixture.start({ labels: LABELS });
    const dir = folder(3);
    mkfifo(join(dir, '.fusion.lock.pid'));
    const run = startCliProcess(['eval', dir, '--models', 'openai:gpt-4o-mini', '--cache', join(dir, 'c.sqlite'), '--quiet', '--folds', '3'], server.env());
    expect(await run.exit(60_000)).toBe(2);
    expect(run.err()).toMatch(/\.fusion\.lock\.pid: is a FIFO/);
    expect(server.snapshot().requests).toBe(0);
    expect(existsSync(join(dir, '.fusion.lock'))).toBe(false);
  }, 90_000);
});
