import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { startWithTask } from '../support/live-folder.js';
import { LABELS, MODELS, captureStream, itemsOf, task, writeFolder } from '../integration/setup.js';

const fixture = fakeServerFixture();
afterEach(() => vi.unstubAllEnvs());

function io(env: Record<string, string>, input: string | Buffer = '') {
  const stdin = new PassThrough();
  stdin.end(input);
  return { stdin, stdout: captureStream(), stderr: captureStream(), env };
}

const line = (o: unknown): string => `${JSON.stringify(o)}\n`;

describe('issue 11 case 2: --models never deletes a line it did not write', () => {
  it('a hand-written invalid last line without newline is a file:line error and stays as written', async () => {
    const server = await fixture.start({ labels: LABELS });
    const t = fixture.tempDir();
    writeFolder(t.dir, 2);
    const path = join(t.dir, 'responses.jsonl');
    const text = `${line({ item: 'item-0', model: 'x:y', output: 'positive' })}${JSON.stringify({ item: 'item-1', model: 'x:y', output: 'negative', cost: -1 })}`;
    writeFileSync(path, text);
    const run = io(server.env());
    expect(await main(['eval', t.dir, '--models', MODELS[0] as string, '--no-cache', '--folds', '2'], run)).toBe(2);
    expect(run.stderr.text()).toMatch(/responses\.jsonl:2: cost:/);
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(server.snapshot().requests).toBe(0);
  });

  it('a responses.jsonl symlinked to a file outside the folder is refused and the file is untouched', async () => {
    const server = await fixture.start({ labels: LABELS });
    const t = fixture.tempDir();
    const outside = fixture.tempDir();
    writeFolder(t.dir, 2);
    const victim = join(outside.dir, 'precious.txt');
    const content = '{"item": "item-0", "model": "x:y", "output": "a line the user keeps"}\n{"broken';
    writeFileSync(victim, content);
    symlinkSync(victim, join(t.dir, 'responses.jsonl'));
    const run = io(server.env());
    expect(await main(['eval', t.dir, '--models', MODELS[0] as string, '--no-cache', '--folds', '2'], run)).toBe(2);
    expect(run.stderr.text()).toMatch(/symlink leading out of its folder/);
    expect(readFileSync(victim, 'utf8')).toBe(content);
  });

  it('a killed run\'s incomplete last line (journalled as its own) is set aside in a named backup file, with a message', async () => {
    const server = await fixture.start({ labels: LABELS });
    const t = fixture.tempDir();
    writeFolder(t.dir, 3);
    const args = ['eval', t.dir, '--models', MODELS[0] as string, '--cache', join(t.dir, 'c.sqlite'), '--folds', '3', '--quiet'];
    await main(args, io(server.env()));
    const path = join(t.dir, 'responses.jsonl');
    const journal = JSON.parse(readFileSync(join(t.dir, '.responses.jsonl.journal'), 'utf8')) as { offset: number; text: string };
    const full = readFileSync(path);
    writeFileSync(path, full.subarray(0, journal.offset + 7)); // as a kill in the middle of the last write leaves it
    const requests = server.snapshot().requests;
    const run = io(server.env());
    await main(args, run);
    expect(run.stderr.text()).toMatch(/incomplete line left by a killed fusion run; set aside in .*responses\.jsonl\.partial-/);
    const backups = readdirSync(t.dir).filter((f) => f.startsWith('responses.jsonl.partial-'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(t.dir, backups[0] as string), 'utf8')).toBe(full.subarray(journal.offset, journal.offset + 7).toString());
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(3);
    expect(server.snapshot().requests).toBe(requests); // the lost answer came from the cache
  });
});

describe('issue 11 cases 4 and 5: bad files are file:line errors with exit 2, inputs are bounded', () => {
  it('items.jsonl or responses.jsonl as a directory: exit 2 naming it', async () => {
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    mkdirSync(join(t.dir, 'items.jsonl'));
    const run = io({});
    expect(await main(['eval', t.dir], run)).toBe(2);
    expect(run.stderr.text()).toMatch(/items\.jsonl: is a directory/);
    const u = fixture.tempDir();
    writeFolder(u.dir, 2);
    mkdirSync(join(u.dir, 'responses.jsonl'));
    const again = io({});
    expect(await main(['eval', u.dir], again)).toBe(2);
    expect(again.stderr.text()).toMatch(/responses\.jsonl: is a directory/);
  });

  it('items.jsonl as a FIFO with no writer does not hang: exit 2', async () => {
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    execFileSync('mkfifo', [join(t.dir, 'items.jsonl')]);
    const run = io({});
    expect(await main(['eval', t.dir], run)).toBe(2);
    expect(run.stderr.text()).toMatch(/items\.jsonl: is a FIFO/);
  });

  it('responses.jsonl pointing at /dev/zero: exit 2 at once', async () => {
    const t = fixture.tempDir();
    writeFolder(t.dir, 2);
    symlinkSync('/dev/zero', join(t.dir, 'responses.jsonl'));
    const run = io({});
    expect(await main(['eval', t.dir], run)).toBe(2);
    expect(run.stderr.text()).toMatch(/responses\.jsonl: is a device/);
  });

  it('a line longer than the limit is a file:line error (the limit is overridable)', async () => {
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const long = JSON.stringify({ id: 'big', text: 'x'.repeat(2 << 20), label: 'positive' });
    writeFileSync(join(t.dir, 'items.jsonl'), `${line({ id: 'a', text: 'ok', label: 'positive' })}${long}\n`);
    const run = io({});
    expect(await main(['eval', t.dir], run)).toBe(2);
    expect(run.stderr.text()).toMatch(/items\.jsonl:2: line longer than 1048576 bytes \(raise FUSION_MAX_LINE_BYTES/);
    vi.stubEnv('FUSION_MAX_LINE_BYTES', String(4 << 20));
    const again = io({});
    await main(['eval', t.dir], again);
    expect(again.stderr.text()).not.toMatch(/line longer/);
  });

  it('a prompt template path outside the folder (/dev/zero) is refused before any call', async () => {
    const server = await fixture.start({ labels: LABELS });
    const t = fixture.tempDir();
    writeFolder(t.dir, 2);
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify({ ...task, prompt: '/dev/zero' }));
    const run = io(server.env());
    expect(await main(['eval', t.dir, '--models', MODELS[0] as string, '--no-cache'], run)).toBe(2);
    expect(run.stderr.text()).toMatch(/outside the task's folder and prompts/);
    expect(server.snapshot().requests).toBe(0);
  });

  it('a task with 10,002 labels is refused at once (overridable)', async () => {
    const t = fixture.tempDir();
    const labels = Array.from({ length: 10_002 }, (_, i) => ({ name: `l${i}` }));
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify({ ...task, labels }));
    writeFileSync(join(t.dir, 'items.jsonl'), line({ id: 'a', text: 'x' }));
    const run = io({});
    expect(await main(['eval', t.dir], run)).toBe(2);
    expect(run.stderr.text()).toMatch(/10002 labels, more than 1000 \(raise FUSION_MAX_LABELS/);
  });

  it('an answer of 1 MB despite max_tokens is cut to the kept maximum and counted, in the cache and responses.jsonl', async () => {
    const server = await fixture.start({ labels: LABELS, content: () => `positive ${'x'.repeat(1 << 20)}` });
    const t = fixture.tempDir();
    writeFolder(t.dir, 2);
    const run = io(server.env());
    await main(['eval', t.dir, '--models', MODELS[0] as string, '--cache', join(t.dir, 'c.sqlite'), '--folds', '2', '--quiet'], run);
    expect(run.stderr.text()).toMatch(/2 answer\(s\) cut: longer than 65536 characters/);
    const lines = readFileSync(join(t.dir, 'responses.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect((JSON.parse(l) as { output: string }).output).toHaveLength(65_536);
    // The folder stays usable.
    const again = io({});
    await main(['eval', t.dir, '--folds', '2', '--quiet'], again);
    expect(again.stderr.text()).not.toMatch(/unexpected error/);
  });

  it('a 10 MB stdin line is a bad line, never sent to a model', async () => {
    const { server, t } = await startWithTask(fixture);
    const input = `${JSON.stringify({ id: 'huge', text: 'y'.repeat(10 << 20) })}\n${line(itemsOf(1)[0])}`;
    const run = io(server.env(), input);
    const code = await main(['run', '--task', join(t.dir, 'task.json'), '--models', MODELS[0] as string, '--no-cache'], run);
    expect(code).toBe(1);
    expect(run.stderr.text()).toMatch(/stdin:1: line longer than 1048576 bytes, not sent to any model/);
    const out = run.stdout.text().trim().split('\n').map((l) => JSON.parse(l) as { line?: number; label?: string });
    expect(out).toHaveLength(2);
    expect(out[0]?.line).toBe(1);
    expect(server.snapshot().requests).toBe(1);
  });
});

describe('issue 11 case 10: strict UTF-8, BOM, escaped control characters, timeout prefix', () => {
  it('invalid UTF-8 in an id is a file:line error (two ids cannot merge)', async () => {
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    writeFileSync(join(t.dir, 'items.jsonl'), Buffer.concat([Buffer.from(line({ id: 'a', text: 'x' })), Buffer.from('{"id": "b\xff", "text": "y"}\n', 'latin1')]));
    const run = io({});
    expect(await main(['eval', t.dir], run)).toBe(2);
    expect(run.stderr.text()).toMatch(/items\.jsonl:2: invalid UTF-8/);
  });

  it('a BOM at the start of items.jsonl and task.json is accepted', async () => {
    const server = await fixture.start({ labels: LABELS });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), `\ufeff${JSON.stringify(task)}`);
    writeFileSync(join(t.dir, 'items.jsonl'), `\ufeff${line({ id: 'a', text: 'x', label: 'positive' })}${line({ id: 'b', text: 'y', label: 'negative' })}`);
    const run = io(server.env());
    await main(['eval', t.dir, '--models', MODELS[0] as string, '--no-cache', '--strategies', 'majority-vote'], run);
    expect(run.stderr.text()).not.toMatch(/Unexpected token|invalid/);
    expect(run.stdout.text()).toMatch(/fake-sentiment: 2 items/);
  });

  it('invalid UTF-8 on stdin is a bad line naming it; a BOM on stdin is accepted', async () => {
    const { server, t } = await startWithTask(fixture);
    const input = Buffer.concat([Buffer.from('\ufeff'), Buffer.from(line({ id: 'a', text: 'fine' })), Buffer.from('{"id": "b\xff", "text": "y"}\n', 'latin1')]);
    const run = io(server.env(), input);
    expect(await main(['run', '--task', join(t.dir, 'task.json'), '--models', MODELS[0] as string, '--no-cache'], run)).toBe(1);
    expect(run.stderr.text()).toMatch(/stdin:2: invalid UTF-8/);
    expect(run.stderr.text()).not.toMatch(/stdin:1/);
    expect(server.snapshot().requests).toBe(1);
  });

  it('control bytes from stdin are escaped in messages', async () => {
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const run = io({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }, '{"id": "\u001b[31mred", "text": 5}\n');
    await main(['run', '--task', join(t.dir, 'task.json'), '--models', MODELS[0] as string, '--no-cache'], run);
    expect(run.stderr.text()).not.toContain('\u001b');
  });
});
