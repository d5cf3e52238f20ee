import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STRATEGIES } from '../../src/fuse/registry.js';
import { loadLabelStrategy, readLabelStrategy, toSavedStrategy, writeSavedStrategy } from '../../src/fuse/saved-strategy.js';
import { syntheticAnswers } from '../../src/fuse/synthetic-answers.js';
import { selectItems } from '../../src/fuse/answer-matrix.js';
import { InputError } from '../../src/task/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'fusion-saved-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { matrix, gold } = syntheticAnswers({ items: 160, models: 5, labels: 3, seed: 4, abstainRate: 0.15 });
const train = selectItems(matrix, Array.from({ length: 120 }, (_, i) => i));
const testItems = selectItems(matrix, Array.from({ length: 40 }, (_, i) => 120 + i));
const trainGold = gold.slice(0, 120);

function save(name: string, file: string): void {
  const s = STRATEGIES.find((x) => x.name === name);
  if (!s) throw new Error(name);
  const fitted = s.fit(train, s.supervised ? trainGold : new Int32Array(120).fill(-1), { seed: 1 });
  writeSavedStrategy(file, toSavedStrategy(fitted, { strategy: name, task: 'synthetic', labels: train.labels, models: train.models }));
}

function issuesOf(fn: () => unknown): { field?: string; message: string; file: string }[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return [...e.issues];
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('saved strategies', () => {
  for (const s of STRATEGIES) {
    it(`${s.name}: save, load and predict give identical predictions`, () => {
      // Order-aware strategies need an ordered task: the synthetic labels are taken as listed low to high.
      const ordered = s.needsOrderedLabels === true;
      const test = ordered ? { ...testItems, ordered } : testItems;
      const fitted = s.fit(ordered ? { ...train, ordered } : train, s.supervised ? trainGold : new Int32Array(120).fill(-1), { seed: 1 });
      const file = join(dir, `${s.name}.json`);
      writeSavedStrategy(file, toSavedStrategy(fitted, { strategy: s.name, task: 'synthetic', labels: train.labels, models: train.models }));
      const { saved, fitted: loaded } = readLabelStrategy(file);
      expect(saved.strategy).toBe(s.name);
      const a = fitted.predict(test);
      const b = loaded.predict(test);
      expect(Array.from(b.probs)).toEqual(Array.from(a.probs));
      expect(Array.from(b.decided)).toEqual(Array.from(a.decided));
    });
  }

  it('names the file and field of a malformed envelope', () => {
    const file = join(dir, 'bad.json');
    save('stacking', file);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const issues = issuesOf(() => loadLabelStrategy(file, { ...doc, labels: 'a,b' }));
    expect(issues[0]).toMatchObject({ file, field: 'labels' });
    expect(issuesOf(() => loadLabelStrategy(file, { ...doc, format: 'other' }))[0]).toMatchObject({ field: 'format' });
  });

  it('explains a version mismatch', () => {
    const file = join(dir, 'v.json');
    save('weighted-vote', file);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const issues = issuesOf(() => loadLabelStrategy(file, { ...doc, version: 99 }));
    expect(issues[0]).toMatchObject({ field: 'version' });
    expect(issues[0]?.message).toMatch(/version 99/);
  });

  it('names the state field that does not fit the strategy, including nested ones', () => {
    const file = join(dir, 's.json');
    save('stacking', file);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const issues = issuesOf(() => loadLabelStrategy(file, { ...doc, state: { ...doc.state, coef: [1, 2, 3] } }));
    expect(issues[0]).toMatchObject({ file, field: 'state.coef' });
    expect(issues[0]?.message).toMatch(/expected \d+ values, got 3/);
    save('auto', file);
    const auto = JSON.parse(readFileSync(file, 'utf8'));
    const first = auto.state.components[0];
    const withFirst = (c: unknown) => ({ ...auto, state: { ...auto.state, components: [c, ...auto.state.components.slice(1)] } });
    const nested = issuesOf(() => loadLabelStrategy(file, withFirst({ ...first, inner: 'nope' })));
    expect(nested[0]?.field).toMatch(/^state\.components\.0\.inner/);
    expect(issuesOf(() => loadLabelStrategy(file, withFirst({ ...first, strategy: 'magic' })))[0]).toMatchObject({ field: 'state.components.0.strategy' });
    expect(issuesOf(() => loadLabelStrategy(file, withFirst({ ...first, weight: first.weight / 2 })))[0]).toMatchObject({ field: 'state.components' });
  });

  it('rejects an unknown strategy, invalid JSON and a missing file with the file name', () => {
    const file = join(dir, 'u.json');
    save('majority-vote', file);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(issuesOf(() => loadLabelStrategy(file, { ...doc, strategy: 'magic' }))[0]).toMatchObject({ field: 'strategy' });
    writeFileSync(file, '{"format":');
    expect(issuesOf(() => readLabelStrategy(file))[0]?.message).toMatch(/not valid JSON/);
    expect(() => readLabelStrategy(join(dir, 'absent.json'))).toThrow(/absent\.json/);
  });

  it('refuses answers whose labels differ from the fitted ones', () => {
    const file = join(dir, 'l.json');
    save('dawid-skene', file);
    const { fitted } = readLabelStrategy(file);
    expect(() => fitted.predict({ ...testItems, labels: ['x', 'y', 'z'] })).toThrow(/labels/);
  });
});
