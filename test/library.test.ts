import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FolderWarnings } from 'llm-fusion';
import { lockFolder } from '../src/orchestrate/folder-lock.js';
import { requireBuild } from './support/built-package.js';
import { repoRoot } from './support/run-cli.js';
import { tempDirsEach } from './support/temp-dirs.js';

const tempDir = tempDirsEach('fusion-library-');

/** The names src/index.ts exports (values and types), read from its export lists. */
function rootNames(): string[] {
  const source = readFileSync(join(repoRoot, 'src/index.ts'), 'utf8');
  expect(source).not.toMatch(/export \*/); // a star export would hide how many names the root has
  return [...source.matchAll(/export (?:type )?\{([^}]*)\}/g)].flatMap((m) =>
    (m[1] as string)
      .split(',')
      .map((n) => n.trim().replace(/^type /, ''))
      .filter((n) => n !== ''),
  );
}

// The package as users import it: `import { ... } from 'llm-fusion'` resolves through package.json
// "exports" to the build output, so this checks the published entry points, not the sources.
describe('the llm-fusion package entry points', () => {
  it('keeps the root small: at most 40 names', () => {
    const names = rootNames();
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeLessThanOrEqual(40);
    expect(names).toEqual(expect.arrayContaining(['evaluate', 'fit', 'fuse', 'fuseMany', 'createFusion', 'loadEvalFolder']));
  });

  it('evaluates and fits a bundled eval folder through the root', async () => {
    requireBuild('index.js');
    const lib = await import('llm-fusion');
    const folder = lib.loadEvalFolder(join(repoRoot, 'evals/toxicity-en'), { requireResponses: true });
    const result = await lib.evaluate(folder, { strategies: ['majority-vote'] });
    if (result.kind !== 'classification') throw new Error('expected a classification result');
    expect(result.strategies[0]).toMatchObject({ name: 'majority-vote' });
    expect(result.strategies[0]?.accuracy).toBeCloseTo(0.96, 3);
    // A path works as well as a loaded folder.
    const again = await lib.evaluate(join(repoRoot, 'evals/toxicity-en'), { strategies: ['majority-vote'] });
    expect(again.strategies[0]?.name).toBe('majority-vote');
    const fitted = await lib.fit(folder, { strategy: 'weighted-vote' });
    expect(fitted.saved).toMatchObject({ strategy: 'weighted-vote', kind: 'classification' });
    for (const name of ['fuse', 'fuseMany', 'createFusion', 'readSavedStrategy', 'writeSavedStrategy'] as const) expect(typeof lib[name]).toBe('function');
  });

  it('says what reading the folder noticed: evaluate() from a path and fit() return its warnings (model names that differ only by case), [] when there is none', async () => {
    requireBuild('index.js');
    const lib = await import('llm-fusion');
    const { dir } = tempDir();
    const labels = ['yes', 'no'];
    writeFileSync(join(dir, 'task.json'), JSON.stringify({ name: 'case', kind: 'classification', labels: labels.map((name) => ({ name })), instructions: 'Answer.' }));
    const items = Array.from({ length: 6 }, (_, i) => ({ id: `i${i}`, text: `item ${i}`, label: labels[i % 2] }));
    writeFileSync(join(dir, 'items.jsonl'), items.map((x) => JSON.stringify(x)).join('\n') + '\n');
    const models = ['m1', 'GPT-4o', 'gpt-4o'];
    const lines = items.flatMap((x) => models.map((model) => ({ item: x.id, model, output: x.label })));
    writeFileSync(join(dir, 'responses.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const expected = [{ file: join(dir, 'responses.jsonl'), line: 3, field: 'model', message: expect.stringContaining('"GPT-4o" (first on line 2) and "gpt-4o" (first on line 3) differ only by case') }];
    const result = await lib.evaluate(dir, { strategies: ['majority-vote'], folds: 2 });
    // The warnings' type is the root's, so a caller can name it (the typecheck fails if it is not exported).
    const noticed: FolderWarnings = result;
    expect(noticed.warnings).toEqual(expected);
    expect(result.models.map((m) => m.name).sort()).toEqual(['GPT-4o', 'gpt-4o', 'm1']);
    const fitted = await lib.fit(lib.loadEvalFolder(dir, { requireResponses: true }), { strategy: 'majority-vote' });
    expect(fitted.warnings).toEqual(expected);
    const clean = await lib.evaluate(join(repoRoot, 'evals/toxicity-en'), { strategies: ['majority-vote'] });
    expect(clean.warnings).toEqual([]);
  });

  it('serves the rest under its subpaths', async () => {
    requireBuild('api/strategies.js');
    const strategies = await import('llm-fusion/strategies');
    expect(strategies.STRATEGIES.map((s) => s.name)).toEqual(expect.arrayContaining(['majority-vote', 'weighted-vote', 'soft-vote', 'dawid-skene', 'stacking', 'auto']));
    expect(strategies.RATING_STRATEGIES.map((s) => s.name)).toEqual(expect.arrayContaining(['mean', 'median', 'stacking', 'judge-model', 'auto']));
    expect(strategies.readScore('Score: 4', { min: 1, max: 5 })).toMatchObject({ kind: 'score', score: 4 });
    const evaluation = await import('llm-fusion/evaluation');
    expect(evaluation.spearman([1, 2, 3], [1, 3, 2])).toBeCloseTo(0.5, 9);
    const providers = await import('llm-fusion/providers');
    for (const name of ['createModel', 'Orchestrator', 'openStore', 'runBatches'] as const) expect(providers[name]).toBeDefined();
    // Replay of a recorded folder looks the kind's prompt part up itself: no kind plug-in to pass.
    const folder = (await import('llm-fusion')).loadEvalFolder(join(repoRoot, 'evals/toxicity-en'), { requireResponses: true });
    const replayed = providers.createReplayModels(folder);
    expect(replayed.length).toBeGreaterThan(1);
    expect(replayed[0]?.items.size).toBeGreaterThan(0);
    expect(providers.promptResolver(folder.task, folder.items)({ messages: [{ role: 'user', content: 'no such prompt' }] })).toBeUndefined();
    const task = await import('llm-fusion/task');
    expect(task.TaskSchema.safeParse({ name: 'r', kind: 'rating', scale: { min: 1, max: 5 }, instructions: '' }).success).toBe(true);
  });

  it('exports the error a batch engine of its own throws when its lookup cannot tell a lost create\'s batch, so that the run names fusion batches abandon for it', async () => {
    requireBuild('api/providers.js');
    const providers = await import('llm-fusion/providers');
    const error = new providers.UnresolvedCreateError('none-carries', ['b1', 'b2'], 'none of them names the calls');
    expect(error).toBeInstanceOf(providers.ProviderError);
    expect(error).toMatchObject({ reason: 'none-carries', batchIds: ['b1', 'b2'], kind: 'bad-response' });
  });

  it('exports the error a batch store throws on a batch id recorded again for other calls (BatchConflictError, a StoreError), so a caller of add() can catch it by type', async () => {
    requireBuild('api/providers.js');
    const providers = await import('llm-fusion/providers');
    const root = await import('llm-fusion');
    const { dir } = tempDir();
    const store = providers.openStore(join(dir, 'cache.sqlite'));
    try {
      const job = { batchId: 'batch_1', provider: 'openai', model: 'openai:gpt-4o-mini', status: 'in-progress' as const, requests: 2, estimatedCost: 0 };
      await store.batches.add(job, ['k1', 'k2']);
      const again = store.batches.add(job, ['k3', 'k4']);
      await expect(again).rejects.toBeInstanceOf(providers.BatchConflictError);
      await expect(again).rejects.toBeInstanceOf(root.StoreError);
      await expect(again).rejects.toMatchObject({ name: 'BatchConflictError', batchId: 'batch_1' });
    } finally {
      await store.close();
    }
  });

  it('exports the error recordFolderResponses throws on a folder another run holds, so a caller can catch it by type', async () => {
    requireBuild('api/providers.js');
    const providers = await import('llm-fusion/providers');
    const { dir } = tempDir();
    cpSync(join(repoRoot, 'evals/toxicity-en'), dir, { recursive: true });
    const unlock = lockFolder(dir);
    try {
      const stderr = new Writable({ write: (_chunk, _encoding, done) => done() });
      const recording = providers.recordFolderResponses(dir, ['openai:gpt-4o-mini'], { 'no-cache': true }, { stderr }, { env: { OPENAI_API_KEY: 'sk-test' } });
      await expect(recording).rejects.toBeInstanceOf(providers.FolderInUseError);
      await expect(recording).rejects.toMatchObject({ name: 'FolderInUseError' });
    } finally {
      unlock();
    }
  });
});
