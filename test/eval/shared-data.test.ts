import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateClassification } from '../../src/kinds/classification/evaluate.js';
import { loadEvalFolder } from '../../src/kinds/load-folder.js';
import { kindOf } from '../../src/kinds/registry.js';
import { sharedDataDir } from '../support/temp-folder.js';

const data = sharedDataDir();

interface Reference {
  set: string;
  bestModel: string;
  bestAccuracy: number;
  oracle: number;
}

/** The reference figures table of ../shared/data/README.md. */
function references(dir: string): Reference[] {
  const rows = readFileSync(join(dir, 'README.md'), 'utf8').split('\n').filter((l) => /^\| [a-z0-9-]+ \| \d+ \| \d+ \| [\d.]+ \|/.test(l));
  return rows.map((row) => {
    const cells = row.split('|').map((c) => c.trim());
    const best = /^(.+): ([\d.]+) \/ [\d.]+$/.exec(cells[5] as string);
    if (!best) throw new Error(`cannot read README row: ${row}`);
    return { set: cells[1] as string, bestModel: best[1] as string, bestAccuracy: Number(best[2]), oracle: Number(cells[10]) };
  });
}

describe.skipIf(data === null)('every ../shared/data folder', () => {
  const dir = data ?? '';
  const refs = data === null ? [] : references(dir);

  it('has reference figures for every classification set', () => {
    expect(refs.length).toBeGreaterThanOrEqual(11);
  });

  it.each(refs)('$set evaluates, with the reference single-model accuracy reached (never lowered) and the same oracle', (ref) => {
    const folder = loadEvalFolder(join(dir, ref.set));
    if (folder.kind !== 'classification') throw new Error('expected classification');
    const result = evaluateClassification(folder, { folds: 5, seed: 1, strategies: ['majority-vote'] });
    const model = result.models.find((m) => m.name === ref.bestModel);
    expect(model, `model ${ref.bestModel}`).toBeDefined();
    expect(model?.accuracy ?? 0).toBeGreaterThanOrEqual(ref.bestAccuracy - 0.0005);
    expect(result.extras.oracle).toBeGreaterThanOrEqual(ref.oracle - 0.0005);
  });

  it('loads every folder there without an input error, every kind (QA and rating sets included), through its plug-in', () => {
    const kinds = new Set<string>();
    for (const name of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
      const folder = loadEvalFolder(join(dir, name));
      kinds.add(folder.kind);
      expect(kindOf(folder.task).hasGold(folder), name).toBe(true);
    }
    expect([...kinds].sort()).toEqual(['classification', 'qa', 'rating']);
  });

  it.each(['hanna-story', 'qaes-essay-traits', 'mt-da-dev'])('%s (rating) evaluates through the plug-in: fused scores with intervals, the judges scored beside them', async (set) => {
    const folder = loadEvalFolder(join(dir, set));
    const { result } = await kindOf(folder.task).evaluate(folder, { folds: 5, seed: 1, strategies: ['median'] });
    const r = result as unknown as { strategies: { name: string; spearman: number; coverage: number; intervalCoverage: number }[]; models: unknown[] };
    expect(r.models.length).toBeGreaterThanOrEqual(3);
    expect(r.strategies[0]?.name).toBe('median');
    expect(r.strategies[0]?.spearman).toBeGreaterThan(0);
    expect(r.strategies[0]?.intervalCoverage).toBeGreaterThan(0.7);
  });
});
