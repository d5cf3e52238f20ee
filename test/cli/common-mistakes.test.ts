import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli } from '../support/run-cli.js';

/**
 * The mistakes a new user makes in the first minutes, each answered with what to do: a usage error
 * (exit 2) naming what was given and the way out, never a path the user did not type.
 */
describe('messages for common mistakes say what to do', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fusion-mistakes-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'empty'));
  writeFileSync(join(dir, 'notes.txt'), 'not a folder\n');

  it.each([
    ['eval', []],
    ['eval', ['--models', 'openai:gpt-4o-mini', '--no-cache']],
    ['fit', ['--strategy', 'majority-vote', '--out', join(dir, 'out.json')]],
    ['fuse', []],
  ])('%s %j on a folder that does not exist, a file, or a folder without task.json', async (command, extra) => {
    const missing = await runCli([command, join(dir, 'nope'), ...extra]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`${join(dir, 'nope')}: no such folder`);
    expect(missing.stderr).not.toContain('nope/task.json');

    const file = await runCli([command, join(dir, 'notes.txt'), ...extra]);
    expect(file.status).toBe(2);
    expect(file.stderr).toContain(`${join(dir, 'notes.txt')}: not a folder`);
    expect(file.stderr).not.toContain('ENOTDIR');

    const empty = await runCli([command, join(dir, 'empty'), ...extra]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain(`${join(dir, 'empty')}: not an eval folder: it has no task.json`);
    // Each says what an eval folder is and how to make one.
    for (const r of [missing, file, empty]) expect(r.stderr).toMatch(/fusion init FILE --out DIR/);
  });

  it('a mistyped --kind gets "did you mean"', async () => {
    const r = await runCli(['init', join(dir, 'x.csv'), '--out', join(dir, 'x'), '--kind', 'classifcation']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--kind classifcation: must be one of classification, qa, rating; did you mean classification\?/);
  });

  it.each([
    [['--folds', '--seed', '2'], 'fusion: --folds needs a value (the next argument, "--seed", starts with "-": write --folds=VALUE for a value that does)\n'],
    [['--quiet=yes'], 'fusion: --quiet takes no value (it is a switch: --quiet alone)\n'],
  ])('a flag given without its value, or a switch given one: %j', async (args, message) => {
    const r = await runCli(['eval', 'evals/toxicity-en', ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${message}Run "fusion eval --help" for its options.\n`);
  });

  it.each([
    ['a model spec without its provider', 'gpt-4o-mini', /^fusion: model spec "gpt-4o-mini" must look like provider:model/],
    ['an unknown provider', 'opnai:gpt-4o-mini', /^fusion: unknown provider "opnai"/],
  ])('%s: the message and the one hint line of every usage error (README, "Messages")', async (_what, spec, message) => {
    const r = await runCli(['run', '--task', 'evals/toxicity-en/task.json', '--models', spec, '--no-cache'], { input: '' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/\nRun "fusion run --help" for its options\.\n$/);
    expect(r.stderr.split('\n')).toHaveLength(3);
  });

  it.each([
    ['eval', ['evals/toxicity-en', '--strategies', 'majority-vot'], 'majority-vote'],
    ['fit', ['evals/toxicity-en', '--strategy', 'stackng', '--out', join(dir, 'fit.json')], 'stacking'],
    ['run', ['--task', 'evals/toxicity-en/task.json', '--models', 'openai:gpt-4o-mini', '--no-cache', '--strategy', 'majority-vot'], 'majority-vote'],
    ['fuse', ['evals/toxicity-en', '--strategy', 'dawid-skeen'], 'dawid-skene'],
  ])('a mistyped strategy name given to %s: a usage error (exit 2) with "did you mean"', async (command, args, meant) => {
    const r = await runCli([command, ...args], { input: '', env: { OPENAI_API_KEY: 'not-used' } });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(`did you mean ${meant}?`);
    expect(r.stderr).toMatch(new RegExp(`\nRun "fusion ${command} --help" for its options\.\n$`));
  });

  it('fit: a strategy that learns from labels on a folder without any is a usage error (exit 2), as fit --help says', async () => {
    const folder = join(dir, 'unlabelled');
    mkdirSync(folder);
    const labels = ['toxic', 'non-toxic'];
    writeFileSync(join(folder, 'task.json'), JSON.stringify({ name: 'u', kind: 'classification', labels: labels.map((name) => ({ name, aliases: [] })), instructions: 'Toxic?' }));
    writeFileSync(join(folder, 'items.jsonl'), Array.from({ length: 12 }, (_, i) => JSON.stringify({ id: `i${i}`, text: `text ${i}` })).join('\n'));
    writeFileSync(join(folder, 'responses.jsonl'), Array.from({ length: 12 }, (_, i) => ['m1', 'm2', 'm3'].map((model, j) => JSON.stringify({ item: `i${i}`, model, output: labels[(i + j) % 2] })).join('\n')).join('\n'));
    const r = await runCli(['fit', folder, '--strategy', 'stacking', '--out', join(dir, 'stacking.json')]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^fusion: --strategy stacking: stacking learns from labels, but no item in .* has a label\nRun "fusion fit --help" for its options\.\n$/);
    expect((await runCli(['fit', folder, '--strategy', 'dawid-skene', '--out', join(dir, 'ds.json')])).status).toBe(0);
    expect((await runCli(['fit', '--help'])).stdout).toMatch(/Exit status: 0 written; 2 bad input or usage/);
  });

  it('fusion batches with a mistyped action: did you mean cancel', async () => {
    const r = await runCli(['batches', 'cancl', 'batch_1', '--cache', join(dir, 'none.sqlite')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^fusion: unknown action "cancl" \(the actions are cancel, abandon and adopt: fusion batches cancel ID\.\.\., fusion batches abandon TOKEN\.\.\., fusion batches adopt TOKEN BATCH_ID\); did you mean cancel\?\n/);
  });

  it.each([
    ['csv', 'id,text\n1,hello\n2,bye\n'],
    ['tsv', 'id\ttext\n1\thello\n'],
  ])('a %s table piped to fusion run without --format: line 1 says which flag reads it', async (format, input) => {
    const r = await runCli(['run', '--task', 'evals/toxicity-en/task.json', '--models', 'openai:gpt-4o-mini', '--no-cache'], { input, env: { OPENAI_API_KEY: 'not-used' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^stdin:1: invalid JSON \\(.*\\); a ${format.toUpperCase()} header\\? give --format ${format} \\(or --input FILE\\.${format}\\)\n`));
    // Said on the first line only: the others are the same mistake.
    expect(r.stderr.match(/give --format/g)).toHaveLength(1);
  });

  it('fusion run with the terminal as stdin (no --input, no < FILE) says it is reading from it, not a silent wait', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    stdin.end();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let said = '';
    stderr.on('data', (d: Buffer) => (said += d.toString()));
    stdout.resume();
    const status = await main(['run', '--task', 'evals/toxicity-en/task.json', '--models', 'openai:gpt-4o-mini', '--no-cache'], { stdin, stdout, stderr, env: { ...process.env, OPENAI_API_KEY: 'not-used' } });
    expect(status).toBe(0);
    expect(said).toMatch(/^fusion run: reading items from the terminal, one JSON object a line \(Ctrl-D ends\); to read a file: --input FILE or < items\.jsonl\n/);
    // A pipe or a file on stdin is read without the note.
    expect((await runCli(['run', '--task', 'evals/toxicity-en/task.json', '--models', 'openai:gpt-4o-mini', '--no-cache'], { input: '', env: { OPENAI_API_KEY: 'not-used' } })).stderr).not.toMatch(/terminal/);
  });

  it('fusion help eval prints the help of eval, as fusion eval --help does', async () => {
    const r = await runCli(['help', 'eval']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe((await runCli(['eval', '--help'])).stdout);
    expect(r.stdout).toMatch(/^Usage: fusion eval <folder>/);
  });

  it('fusion --help names --version', async () => {
    const r = await runCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--version/);
    // fusion run reads tables too: a help that said "JSONL stream" sent CSV users elsewhere.
    expect(r.stdout).toMatch(/run +ask models about a stream of items \(JSON Lines, CSV or TSV\)/);
    expect((await runCli(['run', '--help'])).stdout).toMatch(/--input FILE: JSONL, CSV, TSV/);
  });
});
