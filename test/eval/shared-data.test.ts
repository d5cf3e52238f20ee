import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateClassification } from '../../src/eval/evaluate.js';
import { loadEvalFolder } from '../../src/task/load-folder.js';
import { UnsupportedKindError } from '../../src/task/errors.js';
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
    expect(result.oracle).toBeGreaterThanOrEqual(ref.oracle - 0.0005);
  });

  it('loads every folder there without an input error (QA sets included); a kind not supported yet is refused by name', () => {
    for (const name of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
      const kind = (JSON.parse(readFileSync(join(dir, name, 'task.json'), 'utf8')) as { kind?: string }).kind;
      if (kind === 'classification' || kind === 'qa') {
        expect(() => loadEvalFolder(join(dir, name)), name).not.toThrow();
      } else {
        expect(() => loadEvalFolder(join(dir, name)), name).toThrow(UnsupportedKindError);
        expect(() => loadEvalFolder(join(dir, name)), name).toThrow(`kind "${kind}" is not supported yet`);
      }
    }
  });
});
