import { mkdtempSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBuild } from '../support/built-package.js';
import { repoRoot, runCli } from '../support/run-cli.js';
import { sentimentTask, writeEvalFolder } from '../support/temp-folder.js';

describe('fusion eval (end to end)', () => {
  it('prints the leaderboard for the bundled toxicity-en set and writes JSON and Markdown', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fusion-cli-'));
    const json = join(out, 'result.json');
    const report = join(out, 'report.md');
    const r = await runCli(['eval', 'evals/toxicity-en', '--json', json, '--report', report]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^toxicity-en: 750 items, 12 models/);
    expect(r.stdout).toMatch(/\* \S+ +strategy/);
    expect(r.stdout).toMatch(/deepseek-chat +model +96\.8 +96\.8 +100\.0/);
    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(result).toMatchObject({ task: 'toxicity-en', items: 750 });
    expect(result.models).toHaveLength(12);
    expect(result.strategies.map((s: { name: string }) => s.name)).toContain('majority-vote');
    for (const e of [...result.models, ...result.strategies]) {
      expect(e).toEqual(expect.objectContaining({ name: expect.any(String), accuracy: expect.any(Number), macroF1: expect.any(Number), coverage: expect.any(Number) }));
    }
    expect(result.oracle).toBeCloseTo(0.991, 3);
    const md = readFileSync(report, 'utf8');
    expect(md).toMatch(/^# toxicity-en: fusion eval/);
    expect(md).toMatch(/## Abstentions per model/);
    expect(md).toMatch(/Fleiss' kappa over all models: 0\.\d{3}/);
  });

  it('reports a malformed file with its line and exits 2, printing nothing on stdout', async () => {
    const dir = writeEvalFolder({ task: sentimentTask, items: [{ id: 'a', text: 'x', label: 'positive' }], responses: '{"item": "a", "model": "m", "output": "C"}\n{"item": "a"\n' });
    const r = await runCli(['eval', dir]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${join(dir, 'responses.jsonl')}:2: invalid JSON`);
  });

  it('counts unreadable answers as abstentions rather than failing', async () => {
    const dir = writeEvalFolder({
      task: sentimentTask,
      items: [
        { id: 'a', text: 'x', label: 'positive' },
        { id: 'b', text: 'y', label: 'negative' },
      ],
      responses: [
        { item: 'a', model: 'm', output: 'C' },
        { item: 'b', model: 'm', output: '' },
      ],
    });
    const json = join(dir, 'out.json');
    const r = await runCli(['eval', dir, '--folds', '2', '--json', json, '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(result.models[0]).toMatchObject({ name: 'm', accuracy: 0.5, coverage: 0.5, abstentions: { empty: 1 } });
  });

  it('rejects bad options with a usage error', async () => {
    expect((await runCli(['eval'])).status).toBe(2);
    const r = await runCli(['eval', 'evals/toxicity-en', '--folds', 'many']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--folds must be/);
    expect((await runCli(['nope'])).stderr).toMatch(/unknown command "nope"/);
  });

  it('explains contested decisions in --json and --report, and names unknown strategies', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fusion-cli-'));
    const json = join(out, 'result.json');
    const report = join(out, 'report.md');
    const r = await runCli(['eval', 'evals/toxicity-en', '--strategies', 'majority-vote,stacking', '--explain', '2', '--explain-strategy', 'stacking', '--json', json, '--report', report, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const result = JSON.parse(readFileSync(json, 'utf8'));
    for (const s of result.strategies) {
      expect(s.explanations).toHaveLength(2);
      for (const e of s.explanations) expect(e.contributions).toHaveLength(12);
    }
    expect(readFileSync(report, 'utf8')).toMatch(/## Why: 2 contested decisions of stacking/);
    const bad = await runCli(['eval', 'evals/toxicity-en', '--strategies', 'majority-vote,nope']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown strategy "nope" \(known: majority-vote, /);
  });

  it('lists every command in its help, and each command has its own help', async () => {
    const r = await runCli(['--help']);
    expect(r.status).toBe(0);
    for (const c of ['eval', 'fit', 'run']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
      const h = await runCli([c, '--help']);
      expect(h.status).toBe(0);
      expect(h.stdout).toMatch(new RegExp(`^Usage: fusion ${c} `));
    }
  });

  // The one test that spawns a process: the built bin, as a user runs it.
  it('runs as the installed `fusion` bin through npx', () => {
    requireBuild('cli/main.js');
    const r = spawnSync('npx', ['--no-install', 'fusion', 'eval', 'evals/toxicity-en', '--strategies', 'majority-vote'], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\* majority-vote +strategy +96\.0/);
  });
});
