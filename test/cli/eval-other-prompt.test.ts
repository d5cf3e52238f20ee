import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { evaluate } from '../../src/run/evaluate.js';
import { fit } from '../../src/run/fit.js';
import { loadEvalFolder } from '../../src/kinds/load-folder.js';
import { InputError } from '../../src/task/errors.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { startWithLabelledFolder } from '../support/live-folder.js';
import { captureStream, task } from '../integration/setup.js';

const fixture = fakeServerFixture();
const MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest'];

const io = (env: Record<string, string> = {}) => ({ stdin: new PassThrough(), stdout: captureStream(), stderr: captureStream(), env });
const record = (dir: string, models = MODELS) => ['eval', dir, '--models', models.join(','), '--cache', join(dir, 'cache.sqlite'), '--folds', '2'];
const plain = (dir: string, json = 'result.json') => ['eval', dir, '--folds', '2', '--json', join(dir, json)];
const writeTask = (dir: string, fields: Record<string, unknown>) => writeFileSync(join(dir, 'task.json'), JSON.stringify({ ...task, ...fields }));
const editInstructions = (dir: string) => writeTask(dir, { instructions: `${task.instructions} Answer in one word.` });
const lines = (dir: string) => readFileSync(join(dir, 'responses.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const models = (dir: string, json: string) => (JSON.parse(readFileSync(join(dir, json), 'utf8')) as { models: unknown }).models;

/** A folder of 8 items whose answers `fusion eval --models` recorded from the fake server (16 lines). */
async function recorded(): Promise<{ dir: string; env: Record<string, string>; requests: () => number }> {
  const { server, t } = await startWithLabelledFolder(fixture, 8);
  const env = server.env();
  expect(await main(record(t.dir), io(env))).toBe(0);
  return { dir: t.dir, env, requests: () => server.snapshot().requests };
}

describe('plain fusion eval on answers asked with another prompt than task.json gives now', () => {
  it('every recorded line carries the key of its prompt alone; after the instructions are edited, plain eval refuses before writing anything', async () => {
    const { dir } = await recorded();
    for (const l of lines(dir)) expect(l.promptKey).toMatch(/^[0-9a-f]{64}$/);
    // The prompt does not depend on the model: both models' answers to one item name the same prompt.
    const byItem = new Map<unknown, Set<unknown>>();
    for (const l of lines(dir)) byItem.set(l.item, (byItem.get(l.item) ?? new Set()).add(l.promptKey));
    for (const keys of byItem.values()) expect(keys.size).toBe(1);

    const before = readFileSync(join(dir, 'responses.jsonl'));
    editInstructions(dir);
    const run = io();
    expect(await main(plain(dir), run)).toBe(2);
    expect(run.stderr.text()).toMatch(/responses\.jsonl:1: promptKey: asked with another prompt than task\.json gives now \(16 answers of 16\); to evaluate them as recorded, put task\.json back as it was; to ask them again, move responses\.jsonl aside/);
    expect(run.stdout.text()).toBe('');
    expect(existsSync(join(dir, 'result.json'))).toBe(false);
    expect(readFileSync(join(dir, 'responses.jsonl')).equals(before)).toBe(true);

    // Put back, the same answers evaluate.
    writeTask(dir, {});
    expect(await main(plain(dir), io())).toBe(0);
  });

  it('unedited: evaluates as the recording run did', async () => {
    const { dir, env } = await recorded();
    expect(await main([...record(dir), '--json', join(dir, 'recording.json')], io(env))).toBe(0);
    const run = io();
    expect(await main(plain(dir), run)).toBe(0);
    expect(run.stdout.text()).not.toBe('');
    expect(models(dir, 'result.json')).toEqual(models(dir, 'recording.json'));
  });

  it('an edit that leaves the rendered prompt as it was (a field the prompt does not show) is not refused', async () => {
    const { dir } = await recorded();
    writeTask(dir, { name: 'renamed-sentiment', description: 'the same task, described', ordered: true });
    expect(await main(plain(dir), io())).toBe(0);
  });

  it('lines without promptKey (an older file, another tool) are taken as they are, whatever task.json says now', async () => {
    const { dir } = await recorded();
    writeFileSync(join(dir, 'responses.jsonl'), `${lines(dir).map(({ promptKey: _k, ...rest }) => JSON.stringify(rest)).join('\n')}\n`);
    editInstructions(dir);
    expect(await main(plain(dir), io())).toBe(0);
  });

  it('only the lines asked with another prompt are counted, and the first of them is named', async () => {
    const { dir } = await recorded();
    editInstructions(dir);
    // The second line and every fourth after it asked with the prompt task.json gives now, the rest with the old one.
    const { dir: other, env } = await recorded();
    editInstructions(other);
    writeFileSync(join(other, 'responses.jsonl'), '');
    expect(await main(record(other), io(env))).toBe(0);
    const now = new Map(lines(other).map((l) => [`${String(l.item)}/${String(l.model)}`, l.promptKey]));
    const mixed = lines(dir).map((l, i) => (i % 4 === 1 ? l : { ...l, promptKey: now.get(`${String(l.item)}/${String(l.model)}`) }));
    writeFileSync(join(dir, 'responses.jsonl'), `${mixed.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const run = io();
    expect(await main(plain(dir), run)).toBe(2);
    expect(run.stderr.text()).toMatch(/responses\.jsonl:2: promptKey: asked with another prompt than task\.json gives now \(4 answers of 16\)/);
  });

  it('fusion fit and fusion fuse use the answers as the prompt\'s too: refused the same way, nothing written; fuse --answers without --items has no text to compare and fuses as before', async () => {
    const { dir } = await recorded();
    editInstructions(dir);
    const said = /responses\.jsonl:1: promptKey: asked with another prompt than task\.json gives now \(16 answers of 16\)/;
    const fit = io();
    expect(await main(['fit', dir, '--strategy', 'majority-vote', '--out', join(dir, 'vote.json')], fit)).toBe(2);
    expect(fit.stderr.text()).toMatch(said);
    expect(existsSync(join(dir, 'vote.json'))).toBe(false);
    const fuse = io();
    expect(await main(['fuse', dir, '--output', join(dir, 'fused.jsonl')], fuse)).toBe(2);
    expect(fuse.stderr.text()).toMatch(said);
    expect(existsSync(join(dir, 'fused.jsonl'))).toBe(false);
    const files = ['--answers', join(dir, 'responses.jsonl'), '--task', join(dir, 'task.json')];
    const withItems = io();
    expect(await main(['fuse', ...files, '--items', join(dir, 'items.jsonl'), '--quiet'], withItems)).toBe(2);
    expect(withItems.stderr.text()).toMatch(said);
    const idsOnly = io();
    expect(await main(['fuse', ...files, '--quiet'], idsOnly)).toBe(0);
    expect(idsOnly.stdout.text().trim().split('\n')).toHaveLength(8);
    writeTask(dir, {});
    expect(await main(['fit', dir, '--strategy', 'majority-vote', '--out', join(dir, 'vote.json')], io())).toBe(0);
  });

  it('the library: evaluate(path) refuses them as fusion eval does (an InputError naming the line)', async () => {
    const { dir } = await recorded();
    editInstructions(dir);
    await expect(evaluate(dir, { folds: 2 })).rejects.toThrow(/responses\.jsonl:1: promptKey: asked with another prompt than task\.json gives now \(16 answers of 16\)/);
    await expect(evaluate(dir, { folds: 2 })).rejects.toBeInstanceOf(InputError);
    writeTask(dir, {});
    expect((await evaluate(dir, { folds: 2 })).models.length).toBe(2);
  });

  it('the library: evaluate(loadEvalFolder(dir)) and fit(loadEvalFolder(dir)) refuse them as evaluate(path) does; the folder loaded after task.json is put back is used', async () => {
    const { dir } = await recorded();
    editInstructions(dir);
    const said = /responses\.jsonl:1: promptKey: asked with another prompt than task\.json gives now \(16 answers of 16\)/;
    const loaded = loadEvalFolder(dir);
    await expect(evaluate(loaded, { folds: 2 })).rejects.toThrow(said);
    await expect(evaluate(loaded, { folds: 2 })).rejects.toBeInstanceOf(InputError);
    await expect(fit(loaded, { strategy: 'majority-vote' })).rejects.toThrow(said);
    writeTask(dir, {});
    const again = loadEvalFolder(dir);
    expect((await evaluate(again, { folds: 2 })).models.length).toBe(2);
    expect((await fit(again, { strategy: 'majority-vote' })).saved.strategy).toBe('majority-vote');
  });

  it('--models with another model refuses, before any call, the other models\' answers asked with the old prompt (the evaluation after the calls would)', async () => {
    const { dir, env, requests } = await recorded();
    editInstructions(dir);
    const before = requests();
    const content = readFileSync(join(dir, 'responses.jsonl'));
    const run = io(env);
    expect(await main(record(dir, ['ollama:llama3.1']), run)).toBe(2);
    expect(run.stderr.text()).toMatch(/responses\.jsonl:1: promptKey: asked with another prompt than task\.json gives now \(16 answers of 16\)/);
    expect(requests()).toBe(before);
    expect(readFileSync(join(dir, 'responses.jsonl')).equals(content)).toBe(true);
  });
});
