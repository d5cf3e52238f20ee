import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFusion, fuse, InputError, UnmatchedModelsError } from '../../src/index.js';
import { loadTaskFile } from '../../src/kinds/load-folder.js';
import type { ClassificationTask } from '../../src/task/schema.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { repoRoot, runCli } from '../support/run-cli.js';

const fixture = fakeServerFixture();
const folder = join(repoRoot, 'evals/toxicity-en');
const task = loadTaskFile(join(folder, 'task.json')) as ClassificationTask;
/** The names the bundled set records (bare, as each provider reported them). */
const recorded = [...new Set(readFileSync(join(folder, 'responses.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { model: string }).model))];
const texts = readFileSync(join(folder, 'items.jsonl'), 'utf8').trim().split('\n').slice(0, 6).map((l) => (JSON.parse(l) as { text: string }).text);

describe("the library's model map (createFusion and fuse(), as --model-map)", () => {
  let saved = '';
  beforeAll(async () => {
    // Not a fixture temp folder: those are removed after each test, and this file serves them all.
    saved = join(mkdtempSync(join(tmpdir(), 'fusion-map-')), 'stacking.json');
    const fit = await runCli(['fit', folder, '--strategy', 'stacking', '--out', saved, '--folds', '0']);
    expect(fit.status, fit.stderr).toBe(0);
  }, 120_000);
  afterAll(() => rmSync(dirname(saved), { recursive: true, force: true }));

  it('createFusion({ modelMap }) asks the fitted models through the map and gives a label on every item', async () => {
    const server = await fixture.start({ labels: ['toxic', 'non-toxic'] });
    const modelMap = Object.fromEntries(recorded.map((m) => [m, `openai:${m}`]));
    const client = createFusion({ models: [], modelMap, cache: false, env: server.env() });
    try {
      const out = await Promise.all(texts.map((t) => client.fuse(task, t, { strategy: saved })));
      for (const line of out) {
        expect(['toxic', 'non-toxic']).toContain(line.label);
        expect(line.answers.map((a) => a.model)).toEqual(recorded);
      }
      expect(server.snapshot().successes).toBe(texts.length * recorded.length);
    } finally {
      await client.close();
    }
  });

  it('fuse(): specs matching by the model part need no map; a map entry can name a spec under another name', async () => {
    const server = await fixture.start({ labels: ['toxic', 'non-toxic'] });
    const [first, ...rest] = recorded as [string, ...string[]];
    const models = [`openai:${first}-live`, ...rest.map((m) => `openai:${m}`)];
    const line = await fuse(task, texts[0] as string, { strategy: saved, models, modelMap: { [first]: `openai:${first}-live` }, cachePath: join(fixture.tempDir().dir, 'c.sqlite'), env: server.env() });
    expect(['toxic', 'non-toxic']).toContain(line.label);
    expect(line.answers.map((a) => a.model)).toEqual(recorded);
  });

  it('names every fitted model nothing stands for, before any call: never a null label', async () => {
    const server = await fixture.start({ labels: ['toxic', 'non-toxic'] });
    const call = fuse(task, texts[0] as string, { strategy: saved, models: ['openai:gpt-4o'], env: server.env() });
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnmatchedModelsError);
    expect((error as UnmatchedModelsError).unmatched).toEqual(recorded);
    for (const m of recorded) expect(String((error as Error).message)).toContain(m);
    expect((error as Error).message).toContain('modelMap');
    expect(server.snapshot().requests).toBe(0);
    // All but one mapped: the one left is named.
    const [left, ...others] = recorded as [string, ...string[]];
    const partial = createFusion({ models: [], modelMap: Object.fromEntries(others.map((m) => [m, `openai:${m}`])), cache: false, env: server.env() });
    try {
      await expect(partial.fuse(task, texts[0] as string, { strategy: saved })).rejects.toMatchObject({ name: 'UnmatchedModelsError', unmatched: [left] });
    } finally {
      await partial.close();
    }
    expect(server.snapshot().requests).toBe(0);
  });

  it('refuses a map entry naming no fitted model, an empty spec, or a map on a strategy fitted with none', async () => {
    const server = await fixture.start({ labels: ['toxic', 'non-toxic'] });
    const models = recorded.map((m) => `openai:${m}`);
    await expect(fuse(task, 'x', { strategy: saved, models, modelMap: { 'gpt-4o': 'openai:gpt-4o' }, env: server.env() })).rejects.toThrow(/not a model the strategy was fitted with/);
    await expect(fuse(task, 'x', { strategy: saved, models, modelMap: { [recorded[0] as string]: '' }, env: server.env() })).rejects.toThrow(InputError);
    await expect(fuse(task, 'x', { strategy: 'majority-vote', models, modelMap: { a: 'openai:a' }, env: server.env() })).rejects.toThrow(/modelMap: maps the models of a saved strategy/);
    expect(server.snapshot().requests).toBe(0);
  });
});
