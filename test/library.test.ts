import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBuild } from './support/built-package.js';
import { repoRoot } from './support/run-cli.js';

// The package as users import it: `import { ... } from 'llm-fusion'` resolves through package.json
// "exports" to the build output, so this checks the published entry point, not the sources.
describe('the llm-fusion package entry point', () => {
  it('evaluates a bundled eval folder through the public API', async () => {
    requireBuild('index.js');
    const lib = await import('llm-fusion');
    const folder = lib.loadEvalFolder(join(repoRoot, 'evals/toxicity-en'), { requireResponses: true });
    if (folder.kind !== 'classification') throw new Error('expected a classification folder');
    const result = lib.evaluateClassification(folder, { folds: 5, seed: 1, strategies: ['majority-vote'] });
    expect(result.strategies[0]).toMatchObject({ name: 'majority-vote' });
    expect(result.strategies[0]?.accuracy).toBeCloseTo(0.96, 3);
    expect(lib.STRATEGIES.map((s) => s.name)).toEqual(expect.arrayContaining(['majority-vote', 'weighted-vote', 'soft-vote', 'dawid-skene', 'stacking', 'auto']));
    for (const name of ['fuse', 'createModel', 'evaluateQaFolder', 'fuseQaQuestion', 'createClassificationNormalizer', 'readSavedStrategy'] as const) {
      expect(typeof lib[name]).toBe('function');
    }
  });
});
