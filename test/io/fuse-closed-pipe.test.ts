import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { LABELS, captureStream, itemsOf, task } from '../integration/setup.js';
import { requireBuild } from '../support/built-package.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';

const fixture = fakeServerFixture();

describe('fusion fuse | head', () => {
  it('a reader that goes away (EPIPE) ends the command quietly, exit 0, as fusion run does; no uncaught stream error', async () => {
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const items = itemsOf(200);
    writeFileSync(join(t.dir, 'items.jsonl'), items.map((x) => JSON.stringify(x)).join('\n'));
    writeFileSync(join(t.dir, 'responses.jsonl'), items.flatMap((x, i) => ['a', 'b'].map((model) => JSON.stringify({ item: x.id, model, output: LABELS[i % 3] }))).join('\n'));
    let writes = 0;
    const stdout = new Writable({
      write(_chunk, _enc, cb) {
        writes++;
        cb(writes > 1 ? Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }) : null);
      },
    });
    const errors: unknown[] = [];
    const onUncaught = (e: unknown): void => void errors.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const stderr = captureStream();
      const code = await main(['fuse', t.dir, '--quiet'], { stdin: new PassThrough().end(), stdout, stderr, env: process.env });
      await new Promise((r) => setTimeout(r, 50));
      expect(code).toBe(0);
      expect(stderr.text()).toBe('');
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(errors).toEqual([]);
  });

  it.each([
    ['fit', (dir: string) => ['fit', dir, '--strategy', 'majority-vote', '--folds', '0', '--out', join(dir, 'vote.json')]],
    ['eval', (dir: string) => ['eval', dir, '--folds', '2', '--strategies', 'majority-vote']],
    ['fuse', (dir: string) => ['fuse', dir, '--quiet']],
  ])('the built bin, %s with its stdout closed: no crash on the closed pipe, exit 0', async (_name, args) => {
    const bin = requireBuild('cli/main.js');
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const items = itemsOf(60).map((x, i) => ({ ...x, label: LABELS[i % 3] }));
    writeFileSync(join(t.dir, 'items.jsonl'), items.map((x) => JSON.stringify(x)).join('\n'));
    writeFileSync(join(t.dir, 'responses.jsonl'), items.flatMap((x, i) => ['a', 'b', 'c'].map((model) => JSON.stringify({ item: x.id, model, output: LABELS[(i + (model === 'c' ? 1 : 0)) % 3] }))).join('\n'));
    const child = spawn(process.execPath, [bin, ...args(t.dir)], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(status).toBe(0);
  });
});
