import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { runCli } from '../support/run-cli.js';
import { writeEvalFolder } from '../support/temp-folder.js';

// The adaptive rating policy on the one path: eval scores it out of fold with its calls per item,
// fit saves it, and a live `fusion run` (fake provider server) asks judges one at a time.
const task = { name: 'tiny-essays', kind: 'rating', scale: { min: 1, max: 5 }, instructions: 'Rate the essay.' };
const JUDGES = ['openai:j1', 'openai:j2', 'anthropic:j3', 'ollama:j4'];
const clip = (x: number): number => Math.max(1, Math.min(5, x));
const goldOf = (i: number): number => 1 + ((i * 7) % 5);
/** Known truth: every judge is the gold score plus a small deterministic error (-1, 0 or +1, mostly 0); on "hard" items they disagree widely. */
function scoreOf(judge: number, i: number, hard: boolean): number {
  if (hard) return judge % 2 === 0 ? 1 : 5;
  const r = (i * 31 + judge * 17) % 10;
  return clip(goldOf(i) + (r === 0 ? -1 : r === 1 ? 1 : 0));
}
const N = 80;
const hardItem = (i: number): boolean => i % 8 === 0;
const items = Array.from({ length: N }, (_, i) => ({ id: `e${i}`, text: `Essay ${i} ${hardItem(i) ? 'hard' : 'easy'}`, label: goldOf(i) }));
const responses = items.flatMap((it, i) => JUDGES.map((model, j) => ({ item: it.id, model, output: `Score: ${scoreOf(j, i, hardItem(i))}` })));

describe('adaptive rating policy', () => {
  it('fusion eval scores it out of fold with its calls per item, never below auto by more than noise', async () => {
    const dir = writeEvalFolder({ task, items, responses });
    const json = join(dir, 'r.json');
    const r = await runCli(['eval', dir, '--folds', '4', '--strategies', 'calibrated,auto,adaptive', '--json', json]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/adaptive .* \d\.\d\d\n/);
    const result = JSON.parse(readFileSync(json, 'utf8')) as { strategies: { name: string; callsPerItem: number; mae: number; spearman: number; scoredOn?: string }[] };
    const adaptive = result.strategies.find((s) => s.name === 'adaptive');
    const auto = result.strategies.find((s) => s.name === 'auto');
    const calibrated = result.strategies.find((s) => s.name === 'calibrated');
    expect(adaptive?.scoredOn).toBe('out-of-fold');
    expect(adaptive?.callsPerItem).toBeLessThanOrEqual(JUDGES.length);
    expect(adaptive?.callsPerItem).toBeGreaterThanOrEqual(1);
    expect(calibrated?.callsPerItem).toBe(JUDGES.length);
    // Its fused score is auto's fit of the judges it asked: here auto's error is half calibrated's,
    // and a policy measured against calibrated (as before) stopped early and kept calibrated's error.
    expect(adaptive?.mae).toBeLessThan(((auto?.mae ?? 0) + (calibrated?.mae ?? 0)) / 2);
    expect(adaptive?.spearman).toBeGreaterThan((auto?.spearman ?? 1) - 0.02);
  });

  it('fit honours --max-calls on --strategy adaptive and refuses the label targets', async () => {
    const dir = writeEvalFolder({ task, items, responses });
    const out = join(dir, 'p.json');
    const fit = await runCli(['fit', dir, '--strategy', 'adaptive', '--max-calls', '1.5', '--out', out]);
    expect(fit.stderr).toBe('');
    expect(fit.status).toBe(0);
    expect(JSON.stringify(JSON.parse(readFileSync(out, 'utf8')).state)).toContain('"maxCalls":1.5');
    // The saved policy carries auto per prefix of its asking order (its fused score after k judges).
    const state = (JSON.parse(readFileSync(out, 'utf8')) as { state: { point: { order: string[]; prefixes: unknown[] } } }).state.point;
    expect([...state.order].sort()).toEqual([...JUDGES].sort());
    expect(state.prefixes).toHaveLength(JUDGES.length);
    const loss = await runCli(['fit', dir, '--strategy', 'adaptive', '--max-loss', '0.1', '--out', join(dir, 'x.json')]);
    expect(loss.status).toBe(2);
    expect(loss.stderr).toContain('takes --max-calls');
    // Checkpoint 0 (deciding from the text before any call) belongs to the label policy: refused here, not ignored.
    const text = await runCli(['fit', dir, '--strategy', 'adaptive', '--text-checkpoint', '--max-calls', '1.5', '--out', join(dir, 'y.json')]);
    expect(text.status).toBe(2);
    expect(text.stderr).toContain('--text-checkpoint is an option of the label policy');
  });

  const fixture = fakeServerFixture();
  it('a live fusion run under a saved policy asks fewer judges on items they agree on', async () => {
    const server = await fixture.start({
      labels: ['1', '2', '3', '4', '5'],
      content: ({ model, user }) => {
        const m = /Essay (\d+) (easy|hard)/.exec(user);
        return m ? `Score: ${scoreOf(Number(model.slice(1)) - 1, Number(m[1]), m[2] === 'hard')}` : 'no essay';
      },
    });
    const dir = writeEvalFolder({ task, items, responses });
    const policy = join(dir, 'policy.json');
    // Four judges of equal noise: asking fewer is measurably worse on these items, so the untargeted
    // policy asks everyone; a budget of three calls per item lets it stop where the judges agree.
    const fit = await runCli(['fit', dir, '--strategy', 'adaptive', '--max-calls', '3', '--out', policy]);
    expect(fit.status).toBe(0);
    const fresh = [1001, 1002, 1003, 1004, 1005, 1006].map((n, k) => ({ id: `n${k}`, text: `Essay ${n} ${k < 3 ? 'easy' : 'hard'}` }));
    const input = fresh.map((x) => JSON.stringify(x)).join('\n');
    const run = await runCli(['run', '--task', join(dir, 'task.json'), '--models', JUDGES.join(','), '--strategy', policy, '--no-cache'], { input, env: server.env() });
    expect(run.stderr).toMatch(/6 line\(s\) written, 0 bad/);
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; score: number; interval: [number, number]; answers: { model: string; output: string | null }[] });
    const asked = lines.map((l) => l.answers.filter((a) => a.output !== null).length);
    expect(lines.map((l) => l.id)).toEqual(fresh.map((x) => x.id));
    for (const l of lines) expect(l.answers).toHaveLength(JUDGES.length);
    // Easy items: the judges agree, so the policy stops early; hard ones: it keeps asking.
    for (const k of [0, 1, 2]) expect(asked[k]).toBeLessThan(JUDGES.length);
    expect(Math.max(...asked.slice(0, 3))).toBeLessThan(Math.min(...asked.slice(3)));
    // Only the calls it asked for reached the provider.
    expect(server.snapshot().successes).toBe(asked.reduce((a, b) => a + b, 0));
    // --max-calls-per-item caps the policy in a run.
    const capped = await runCli(['run', '--task', join(dir, 'task.json'), '--models', JUDGES.join(','), '--strategy', policy, '--max-calls-per-item', '1', '--no-cache'], { input, env: server.env() });
    expect(capped.stderr).toMatch(/6 line\(s\) written, 0 bad/);
    expect(capped.status).toBe(0);
    for (const l of capped.stdout.trim().split('\n').map((x) => JSON.parse(x) as { answers: { output: string | null }[] })) expect(l.answers.filter((a) => a.output !== null)).toHaveLength(1);
    // A policy saved before the fused score came from auto's prefix fits: a clear error naming the fix, and no call made.
    const saved = JSON.parse(readFileSync(policy, 'utf8')) as { state: { point: Record<string, unknown> } };
    const { prefixes: _p, order: _o, ...old } = saved.state.point;
    const oldFile = join(dir, 'old-policy.json');
    writeFileSync(oldFile, JSON.stringify({ ...saved, state: { ...saved.state, point: old } }));
    const before = server.snapshot().successes;
    const refused = await runCli(['run', '--task', join(dir, 'task.json'), '--models', JUDGES.join(','), '--strategy', oldFile, '--no-cache'], { input, env: server.env() });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('old-policy.json');
    expect(refused.stderr).toMatch(/earlier version.*fit it again \(fusion fit <folder> --strategy adaptive/);
    expect(server.snapshot().successes).toBe(before);
  });

  it('fusion eval --models asks live judges about a rating folder (fake provider) and scores them', async () => {
    const server = await fixture.start({
      labels: ['1', '2', '3', '4', '5'],
      content: ({ model, user }) => {
        const m = /Essay (\d+) (easy|hard)/.exec(user);
        return m ? `I would give it ${scoreOf(Number(model.slice(1)) - 1, Number(m[1]), m[2] === 'hard')} out of 5.` : 'no essay';
      },
    });
    const dir = writeEvalFolder({ task, items: items.slice(0, 24) });
    const json = join(dir, 'r.json');
    const r = await runCli(['eval', dir, '--models', JUDGES.join(','), '--folds', '3', '--strategies', 'mean,median', '--json', json, '--quiet', '--no-cache'], { env: server.env() });
    expect(r.status).toBe(0);
    const result = JSON.parse(readFileSync(json, 'utf8')) as { kind: string; models: { name: string; coverage: number; spearman: number }[]; strategies: { name: string; spearman: number }[] };
    expect(result.kind).toBe('rating');
    expect(result.models.map((m) => m.name).sort()).toEqual([...JUDGES].sort());
    for (const m of result.models) expect(m.coverage).toBe(1);
    expect(result.strategies.find((s) => s.name === 'median')?.spearman).toBeGreaterThan(0.5);
    expect(readFileSync(join(dir, 'responses.jsonl'), 'utf8').trim().split('\n')).toHaveLength(24 * JUDGES.length);
  });
});
