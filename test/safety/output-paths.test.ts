import { linkSync, lstatSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { runCli } from '../support/run-cli.js';
import { LABELS, MODELS, itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();

/** A recorded folder: 8 items, two models' answers. */
function recordedFolder(): string {
  const { dir } = fixture.tempDir();
  writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
  const items = itemsOf(8);
  writeFileSync(join(dir, 'items.jsonl'), items.map((i, k) => JSON.stringify({ ...i, label: LABELS[k % 3] })).join('\n') + '\n');
  writeFileSync(join(dir, 'responses.jsonl'), items.flatMap((i, k) => ['m1', 'm2'].map((m) => JSON.stringify({ item: i.id, model: m, output: LABELS[(k + (m === 'm2' ? 1 : 0)) % 3] }))).join('\n') + '\n');
  return dir;
}

const snapshot = (dir: string): Record<string, string> => Object.fromEntries(['task.json', 'items.jsonl', 'responses.jsonl'].map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
const quick = ['--strategies', 'majority-vote', '--folds', '2', '--quiet'];

describe('issue 22 case 9: an output flag never overwrites an input', () => {
  it.each([
    ['eval --json D/responses.jsonl', (d: string) => ['eval', d, ...quick, '--json', join(d, 'responses.jsonl')], /--json .*responses\.jsonl: is the folder's/],
    ['eval --html D/task.json', (d: string) => ['eval', d, ...quick, '--html', join(d, 'task.json')], /--html .*task\.json: is the folder's/],
    ['eval --report D/items.jsonl', (d: string) => ['eval', d, ...quick, '--report', join(d, 'items.jsonl')], /--report/],
    ['eval --json and --html on one file', (d: string) => ['eval', d, ...quick, '--json', join(d, 'out'), '--html', join(d, 'out')], /another output/],
    ['fit --out D/items.jsonl', (d: string) => ['fit', d, '--strategy', 'majority-vote', '--out', join(d, 'items.jsonl')], /--out .*items\.jsonl: is the folder's/],
    ['fit --out D/./sub/../responses.jsonl', (d: string) => ['fit', d, '--strategy', 'majority-vote', '--out', `${d}/./../${d.split('/').at(-1)}/responses.jsonl`], /--out/],
  ])('%s: exit 2, the folder unchanged', async (_name, argv, message) => {
    const dir = recordedFolder();
    const before = snapshot(dir);
    const r = await runCli(argv(dir));
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(snapshot(dir)).toEqual(before);
  });

  it('a symlink (or a hard link) to an input is the input', async () => {
    const dir = recordedFolder();
    const { dir: out } = fixture.tempDir();
    symlinkSync(join(dir, 'responses.jsonl'), join(out, 'link.json'));
    const before = snapshot(dir);
    const r = await runCli(['eval', dir, ...quick, '--json', join(out, 'link.json')]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/is the folder's/);
    // A symlinked folder spelling of the same file.
    symlinkSync(dir, join(out, 'alias'));
    const r2 = await runCli(['fit', dir, '--strategy', 'majority-vote', '--out', join(out, 'alias', 'task.json')]);
    expect(r2.status, r2.stderr).toBe(2);
    linkSync(join(dir, 'items.jsonl'), join(out, 'hard.json'));
    const r3 = await runCli(['eval', dir, ...quick, '--json', join(out, 'hard.json')]);
    expect(r3.status, r3.stderr).toBe(2);
    expect(snapshot(dir)).toEqual(before);
  });

  it('an empty responses.jsonl given as --cache stays a responses file: refused before any call', async () => {
    const server = await fixture.start({ labels: LABELS });
    const dir = recordedFolder();
    writeFileSync(join(dir, 'responses.jsonl'), '');
    const r = await runCli(['eval', dir, ...quick, '--models', MODELS[0] as string, '--cache', join(dir, 'responses.jsonl')], { env: server.env() });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--cache .*responses\.jsonl: is the folder's/);
    expect(readFileSync(join(dir, 'responses.jsonl'), 'utf8')).toBe('');
    expect(server.snapshot().requests).toBe(0);
    // fusion run: the cache is not the task either.
    const r2 = await runCli(['run', '--task', join(dir, 'task.json'), '--models', MODELS[0] as string, '--cache', join(dir, 'task.json')], { input: '', env: server.env() });
    expect(r2.status, r2.stderr).toBe(2);
    expect(readFileSync(join(dir, 'task.json'), 'utf8')).toBe(JSON.stringify(task));
  });

  it('outputs are written to a temporary file renamed into place; a symlink to another file is followed', async () => {
    const dir = recordedFolder();
    const { dir: out } = fixture.tempDir();
    // Earlier outputs of fusion eval (a file it did not write is refused: test/safety/own-outputs.test.ts).
    writeFileSync(join(out, 'report.json'), '{"task": "old"}');
    const oldInode = statSync(join(out, 'report.json')).ino;
    writeFileSync(join(out, 'target.md'), '# old: fusion eval\n');
    symlinkSync(join(out, 'target.md'), join(out, 'report.md'));
    const r = await runCli(['eval', dir, ...quick, '--json', join(out, 'report.json'), '--report', join(out, 'report.md')]);
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(join(out, 'report.json')).ino).not.toBe(oldInode);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))).toHaveProperty('strategies');
    expect(lstatSync(join(out, 'report.md')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(out, 'target.md'), 'utf8')).not.toBe('# old: fusion eval\n');
    expect(readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
