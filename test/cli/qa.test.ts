import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSavedQaStrategy } from '../../src/kinds/qa/fit.js';
import { runCli } from '../support/run-cli.js';
import { writeEvalFolder } from '../support/temp-folder.js';

// 12 numeric questions; "solid" is right on all, "shaky" on the even ones, "wrong" on none.
const N = 12;
const items = Array.from({ length: N }, (_, i) => ({ id: `q${i}`, question: `What is ${i} + ${i}?`, answers: [String(2 * i)] }));
const responses = items.flatMap((it, i) => [
  { item: it.id, model: 'solid', output: `${i} + ${i} = ${2 * i}. The answer is ${2 * i}.` },
  { item: it.id, model: 'shaky', output: i % 2 === 0 ? `#### ${2 * i}` : `#### ${2 * i + 1}` },
  { item: it.id, model: 'wrong', output: `\\boxed{${2 * i + 7}}` },
]);
const task = { name: 'tiny-sums', kind: 'qa', answerType: 'numeric', instructions: 'Answer with a number.' };

describe('fusion eval and fit on a QA folder (end to end)', () => {
  it('prints the QA leaderboard and writes the shared JSON shape', async () => {
    const dir = writeEvalFolder({ task, items, responses });
    const json = join(dir, 'result.json');
    const report = join(dir, 'report.md');
    const r = await runCli(['eval', dir, '--folds', '3', '--json', json, '--report', report]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^tiny-sums: 12 items, 3 models/);
    const result = JSON.parse(readFileSync(json, 'utf8'));
    const model = (name: string) => result.models.find((m: { name: string }) => m.name === name);
    expect(model('solid').accuracy).toBe(1);
    expect(model('shaky').accuracy).toBe(0.5);
    expect(model('wrong').accuracy).toBe(0);
    const names = result.strategies.map((s: { name: string }) => s.name);
    expect(names).toEqual(expect.arrayContaining(['majority-vote', 'weighted-vote', 'auto']));
    for (const s of result.strategies) expect(s).toEqual(expect.objectContaining({ accuracy: expect.any(Number), coverage: expect.any(Number) }));
    // A learned reliability finds the one model that is always right.
    expect(result.strategies.find((s: { name: string }) => s.name === 'weighted-vote').accuracy).toBe(1);
    expect(readFileSync(report, 'utf8')).toMatch(/tiny-sums/);
  });

  it('fits a QA strategy and saves a file its loader accepts', async () => {
    const dir = writeEvalFolder({ task, items, responses });
    const out = join(dir, 'qa-model.json');
    const r = await runCli(['fit', dir, '--strategy', 'weighted-vote', '--out', out, '--folds', '3']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/estimated out-of-fold \(3 folds, seed 1\): accuracy 1\.000/);
    const saved = parseSavedQaStrategy(JSON.parse(readFileSync(out, 'utf8')), out);
    expect(saved).toMatchObject({ strategy: 'weighted-vote', task: 'tiny-sums', models: ['solid', 'shaky', 'wrong'] });
  });

  it('fit --strategy auto prints what the mixture holds; numeric answers refuse fixed-label strategies', async () => {
    const dir = writeEvalFolder({ task, items, responses });
    const r = await runCli(['fit', dir, '--strategy', 'auto', '--out', join(dir, 'auto.json'), '--folds', '0']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^picked: \S+\*\d\.\d\d/m);
    const e = await runCli(['eval', dir, '--folds', '3', '--strategies', 'dawid-skene']);
    expect(e.status).not.toBe(0);
    expect(e.stderr).toMatch(/dawid-skene needs a fixed label set/);
  });

  it('rejects an unknown strategy with usage errors', async () => {
    const dir = writeEvalFolder({ task, items, responses });
    const a = await runCli(['eval', dir, '--strategies', 'nope']);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/unknown strategy "nope"/);
    const c = await runCli(['fit', dir, '--strategy', 'nope', '--out', join(dir, 'x.json')]);
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/unknown strategy "nope"/);
  });
});
