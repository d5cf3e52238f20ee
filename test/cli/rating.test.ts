import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuse } from '../../src/run/fuse.js';
import type { Task } from '../../src/task/schema.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { runCli } from '../support/run-cli.js';
import { writeEvalFolder } from '../support/temp-folder.js';

// A rating folder end to end through the one path every kind takes: eval, fit, fuse and run.
const N = 40;
const ratingTask = { name: 'tiny-ratings', kind: 'rating', scale: { min: 1, max: 5 }, instructions: 'Rate the text.' };
const gold = Array.from({ length: N }, (_, i) => 1 + (i % 5));
const items = gold.map((g, i) => ({ id: `r${i}`, text: `text ${i}`, label: g }));
const clip = (x: number): number => Math.max(1, Math.min(5, x));
const responses = items.flatMap((it, i) => [
  { item: it.id, model: 'steady', output: `Score: ${gold[i]}` },
  // A harsh judge: one point low, on a scale that clips.
  { item: it.id, model: 'harsh', output: `I would give it ${clip((gold[i] as number) - 1)} out of 5.` },
  { item: it.id, model: 'noisy', output: i % 4 === 0 ? 'no idea' : `**${clip((gold[i] as number) + ((i % 3) - 1))}**` },
]);

describe('a rating folder through fusion eval, fit, fuse and run', () => {
  it('eval scores judges and strategies with the rating metrics; fit saves; fuse writes {id, score, interval, answers}', async () => {
    const dir = writeEvalFolder({ task: ratingTask, items, responses });
    const json = join(dir, 'r.json');
    const ev = await runCli(['eval', dir, '--folds', '4', '--strategies', 'mean,median,calibrated', '--json', json, '--report', join(dir, 'r.md')]);
    expect(ev.stderr).toBe('');
    expect(ev.status).toBe(0);
    const result = JSON.parse(readFileSync(json, 'utf8')) as { kind: string; strategies: Record<string, unknown>[]; models: { name: string; coverage: number }[]; rejected: unknown[] };
    expect(result.kind).toBe('rating');
    for (const key of ['mae', 'rmse', 'pearson', 'spearman', 'kendall', 'qwk', 'intervalCoverage']) expect(result.strategies[0]).toHaveProperty(key);
    expect(result.models.find((m) => m.name === 'noisy')?.coverage).toBeCloseTo(0.75, 5);
    const calibrated = result.strategies.find((s) => s.name === 'calibrated') as { mae: number };
    expect(calibrated.mae).toBeLessThan(0.3);
    expect(readFileSync(join(dir, 'r.md'), 'utf8')).toContain('| Spearman |');
    // The terminal leaderboard is the shared table with the rating columns, under the rating title.
    expect(ev.stdout).toMatch(/^\S+: \d+ items \(\d+ with a gold score\), scale 1-5; strategies scored out-of-fold \(4 grouped folds, seed 1\)\n\n {2}name +kind +Spearman +Pearson +MAE +RMSE +QWK +coverage +interval +calls\n/);
    expect(ev.stdout).toMatch(/^\* (mean|median|calibrated) +strategy +-?\d\.\d{3}/m);
    // One result type: the kind's extras sit at the top level of --json as before; judges' rows carry their abstentions.
    const top = JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>;
    expect(top).toMatchObject({ scale: { min: 1, max: 5 }, scoredItems: items.length });
    expect(top).not.toHaveProperty('extras');
    expect(typeof top.callsPerItem).toBe('number');
    const noisy = (top.models as { name: string; abstentions: Record<string, number> }[]).find((m) => m.name === 'noisy');
    expect(Object.values(noisy?.abstentions ?? {}).reduce((a, b) => a + b, 0)).toBe(items.filter((_, i) => i % 4 === 0).length);
    const html = await runCli(['eval', dir, '--folds', '4', '--strategies', 'mean,calibrated', '--html', join(dir, 'r.html'), '--json', join(dir, 'h.json'), '--quiet']);
    expect(html.status).toBe(0);
    expect(html.stderr).not.toContain('no HTML report');
    const page = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('id="leaderboard"');
    expect(page).toMatch(/aria-label="fused score of (mean|calibrated) against gold"/);
    expect(page).toMatch(/<tr><td>harsh<\/td><td data-v="40">40<\/td>/);
    expect(page).toContain('no idea');
    const report = (JSON.parse(readFileSync(join(dir, 'h.json'), 'utf8')) as { report: { format: string; judgeErrors: { judge: string; bias: number }[] } }).report;
    expect(report.format).toBe('llm-fusion/report');
    expect(report.judgeErrors.find((e) => e.judge === 'steady')?.bias).toBe(0);

    const saved = join(dir, 's.json');
    const fit = await runCli(['fit', dir, '--strategy', 'calibrated', '--out', saved, '--folds', '4']);
    expect(fit.stderr).toBe('');
    expect(fit.status).toBe(0);
    expect(fit.stdout).toMatch(/estimated out-of-fold \(4 folds, seed 1\): Spearman/);
    expect(JSON.parse(readFileSync(saved, 'utf8'))).toMatchObject({ kind: 'rating', strategy: 'calibrated', scale: { min: 1, max: 5 } });
    const refused = await runCli(['fit', dir, '--strategy', 'mean', '--max-calls', '2', '--out', join(dir, 'x.json')]);
    expect(refused.status).toBe(2);

    const fused = await runCli(['fuse', dir, '--strategy', saved, '--quiet']);
    expect(fused.status).toBe(0);
    const lines = fused.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; score: number; interval: [number, number]; answers: { model: string; score: number | null }[] });
    expect(lines).toHaveLength(N);
    lines.forEach((l, i) => {
      expect(l.id).toBe(`r${i}`);
      expect(Math.abs(l.score - (gold[i] as number))).toBeLessThan(0.5);
      expect(l.interval[0]).toBeLessThanOrEqual(l.score);
      expect(l.interval[1]).toBeGreaterThanOrEqual(l.score);
      expect(l.answers.map((a) => a.model)).toEqual(['steady', 'harsh', 'noisy']);
    });
    expect(lines[0]?.answers[2]).toMatchObject({ score: null, abstain: 'no-score' });

    // A label strategy saved on a classification folder is refused by kind, not misread.
    const wrong = await runCli(['fuse', dir, '--strategy', 'majority-vote', '--quiet']);
    expect(wrong.status).not.toBe(0);
  });

  const fixture = fakeServerFixture();
  it('fusion run and fuse() ask live judges (fake provider) and write a score with its interval', async () => {
    const server = await fixture.start({ labels: ['1', '2', '3', '4', '5'], disagreement: 0.3 });
    const dir = writeEvalFolder({ task: ratingTask });
    const models = 'openai:gpt-4o-mini,anthropic:claude-3-5-haiku-latest,ollama:llama3.1';
    const input = Array.from({ length: 6 }, (_, i) => JSON.stringify({ id: `n${i}`, text: `new text ${i}` })).join('\n');
    const run = await runCli(['run', '--task', join(dir, 'task.json'), '--models', models, '--no-cache'], { input, env: server.env() });
    expect(run.stderr).toMatch(/6 line\(s\) written, 0 bad/);
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; score: number; interval: [number, number]; answers: unknown[] });
    expect(lines.map((l) => l.id)).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n5']);
    for (const l of lines) {
      expect(l.score).toBeGreaterThanOrEqual(1);
      expect(l.score).toBeLessThanOrEqual(5);
      expect(l.answers).toHaveLength(3);
      expect(l.interval[0]).toBeLessThanOrEqual(l.score);
    }
    const one = (await fuse(ratingTask as Task, 'one more text', { models: models.split(','), env: server.env(), cachePath: join(dir, 'c.sqlite') })) as unknown as { id: string; score: number };
    expect(one.id).toBe('item');
    expect(one.score).toBeGreaterThanOrEqual(1);
  });
});
