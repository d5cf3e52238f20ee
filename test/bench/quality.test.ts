import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ratingPlugin } from '../../src/kinds/rating/index.js';
import type { RatingTask } from '../../src/task/schema.js';

/**
 * `npm run bench:quality` over a data folder holding one classification and one rating set (tiny,
 * synthetic, known truth): one table with a row per set on each kind's own figure, the rating
 * row filled by the rating strategies in the roles the table names after label strategies, a '-'
 * with a note where the kind has no such strategy, and the previous run's figures compared per set.
 */
const BENCH = fileURLToPath(new URL('../../bench/quality.ts', import.meta.url));
const N = 40;

/** A deterministic stream of numbers in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function jsonl(rows: unknown[]): string {
  return `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
}

function writeSets(root: string): void {
  const rnd = lcg(7);
  const labels = ['A', 'B', 'C'];
  const cls = join(root, 'tiny-labels');
  mkdirSync(cls);
  writeFileSync(join(cls, 'task.json'), JSON.stringify({ name: 'tiny-labels', kind: 'classification', labels: labels.map((name) => ({ name })), instructions: 'A, B or C?' }));
  const gold = Array.from({ length: N }, () => Math.floor(rnd() * 3));
  writeFileSync(join(cls, 'items.jsonl'), jsonl(gold.map((g, i) => ({ id: `c${i}`, text: `item ${i}`, label: labels[g] }))));
  // Three voters right 85%, 70% and 55% of the time, otherwise a random wrong label.
  const rightRate = [0.85, 0.7, 0.55];
  writeFileSync(
    join(cls, 'responses.jsonl'),
    jsonl(gold.flatMap((g, i) => rightRate.map((p, j) => ({ item: `c${i}`, model: `m${j}`, output: labels[rnd() < p ? g : (g + 1 + Math.floor(rnd() * 2)) % 3] })))),
  );

  const qa = join(root, 'tiny-sums');
  mkdirSync(qa);
  writeFileSync(join(qa, 'task.json'), JSON.stringify({ name: 'tiny-sums', kind: 'qa', answerType: 'numeric', instructions: 'Add.' }));
  const sums = Array.from({ length: N }, (_, i) => 10 + i);
  writeFileSync(join(qa, 'items.jsonl'), jsonl(sums.map((x, i) => ({ id: `q${i}`, question: `${x - 3} + 3?`, answers: [String(x)] }))));
  // Right 90%, 75% and 60% of the time, otherwise off by one.
  writeFileSync(join(qa, 'responses.jsonl'), jsonl(sums.flatMap((x, i) => [0.9, 0.75, 0.6].map((p, j) => ({ item: `q${i}`, model: `s${j}`, output: `The answer is ${rnd() < p ? x : x + 1 + j}.` })))));

  const rat = join(root, 'tiny-scores');
  mkdirSync(rat);
  writeFileSync(join(rat, 'task.json'), JSON.stringify({ name: 'tiny-scores', kind: 'rating', scale: { min: 1, max: 5 }, instructions: 'Rate 1-5.' }));
  const truth = Array.from({ length: N }, () => 1 + Math.floor(rnd() * 5));
  writeFileSync(join(rat, 'items.jsonl'), jsonl(truth.map((g, i) => ({ id: `r${i}`, text: `essay ${i}`, label: g }))));
  // Judges with growing noise; the last one lenient (one point up).
  const noise = [0.5, 1, 1.5];
  const clamp = (x: number) => Math.min(5, Math.max(1, Math.round(x)));
  writeFileSync(
    join(rat, 'responses.jsonl'),
    jsonl(truth.flatMap((g, i) => noise.map((s, j) => ({ item: `r${i}`, model: `judge${j}`, output: String(clamp(g + (j === 2 ? 1 : 0) + s * (rnd() + rnd() - 1))) })))),
  );
}

function runBench(root: string, last: string): { out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', BENCH, '--data', root, '--last', last, '--cache', join(root, 'cache'), '--folds', '3', '--seed', '1', '--no-write'], { encoding: 'utf8', timeout: 240_000 });
  expect(r.status, r.stderr).toBe(0);
  return { out: r.stdout, err: r.stderr };
}

const rowOf = (out: string, set: string): string[] => {
  const line = out.split('\n').find((l) => l.startsWith(`| ${set} |`));
  expect(line, `no row for ${set} in\n${out}`).toBeDefined();
  return (line as string).split('|').slice(1, -1).map((c) => c.trim());
};

const temps: string[] = [];
/** A fresh temp dir, removed after the test. */
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

describe('bench/quality.ts: one table over every kind', () => {
  afterEach(() => {
    for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('rates rating sets beside label sets, compares each set with the previous run, and marks the roles a kind has not', { timeout: 300_000 }, () => {
    const root = tempDir('quality-bench-');
    writeSets(root);
    const last = join(root, 'last.json');
    // The previous run: the rating set's auto far above anything it can reach now, the label set never measured.
    writeFileSync(last, JSON.stringify({ 'folds=3,seed=1': { 'tiny-scores': { best: 0.9, cells: { auto: 1.5, 'majority-vote': 0.5 } } } }));
    const { out, err } = runBench(root, last);
    const header = out.split('\n').find((l) => l.startsWith('| set |')) as string;
    const columns = header.split('|').slice(1, -1).map((c) => c.trim());
    const col = (name: string) => columns.indexOf(name);

    const label = rowOf(out, 'tiny-labels');
    expect(label[col('kind')]).toBe('classification');
    expect(label[col('metric')]).toBe('macro-F1');
    expect(label[col('Δ auto')]).toBe('new');
    for (const role of ['majority-vote', 'best-model', 'auto', 'dawid-skene']) expect(Number(label[col(role)]), role).toBeGreaterThan(0.3);
    expect(label[col("adaptive @ calls (share of all calls)")]).toMatch(/^0\.\d{3} @ \d+\.\d{2} \(\d\.\d{2}\)$/);

    // Answers without a fixed label set: the strategies that need one are refused, with the kind's reason, and the others still count.
    const sums = rowOf(out, 'tiny-sums');
    expect(sums[col('metric')]).toBe('accuracy');
    for (const role of ['majority-vote', 'best-model', 'auto']) expect(Number(sums[col(role)]), role).toBeGreaterThan(0.7);
    const refused = /^-\[(\d)\]$/.exec(sums[col('dawid-skene')] as string)?.[1];
    expect(out).toMatch(new RegExp(`\\[${refused}\\] refused on this set: .*dawid-skene`));

    const rating = rowOf(out, 'tiny-scores');
    expect(rating[col('kind')]).toBe('rating');
    expect(rating[col('metric')]).toBe('Spearman');
    // mean (the vote's counterpart), auto and judge-model (Dawid-Skene's) all track the truth; the data README's ridge beside them.
    for (const role of ['majority-vote', 'auto', 'dawid-skene', 'reference']) expect(Number(rating[col(role)]), role).toBeGreaterThan(0.5);
    expect(out).toMatch(/`mean` as `majority-vote` \(rating\)/);
    expect(out).toMatch(/`judge-model` as `dawid-skene` \(rating\)/);
    // Every kind's best single model under the one name: the best judge, calibrated, tracks the truth too.
    expect(Number(rating[col('best-model')]), rating.join(' | ')).toBeGreaterThan(0.5);
    // adaptive: a figure once the rating plug-in lists it, until then a '-' saying "not yet".
    const ratingTask: RatingTask = { name: 'x', kind: 'rating', scale: { min: 1, max: 5 }, instructions: '' };
    const adaptive = rating[col("adaptive @ calls (share of all calls)")] as string;
    if (ratingPlugin.strategyNames(ratingTask).includes('adaptive')) expect(Number(adaptive.split(' ')[0])).toBeGreaterThan(0.5);
    else {
      const mark = /^-\[(\d)\]$/.exec(adaptive)?.[1];
      expect(out).toContain(`[${mark}] not a strategy of this kind yet`);
    }
    // The previous run, per set: the fall is a number and a warning naming the set.
    expect(rating[col('Δ auto')]).toMatch(/^-\d+\.\d$/);
    expect(err).toMatch(/WARNING: tiny-scores: auto fell \d+\.\d points/);
    expect(err).not.toMatch(/WARNING: tiny-labels/);
    // --no-write leaves the previous run's file as it was.
    expect(JSON.parse(readFileSync(last, 'utf8'))).toEqual({ 'folds=3,seed=1': { 'tiny-scores': { best: 0.9, cells: { auto: 1.5, 'majority-vote': 0.5 } } } });
  });

  it('runs from a fresh checkout whose path has a space, with the dev sets beside it and nothing else (no cache, defaults only)', { timeout: 300_000 }, () => {
    const repo = fileURLToPath(new URL('../../', import.meta.url));
    const root = tempDir('quality bench ');
    const clone = join(root, 'llm fusion');
    mkdirSync(clone);
    for (const part of ['bench', 'src', 'package.json', 'tsconfig.json']) cpSync(join(repo, part), join(clone, part), { recursive: true });
    symlinkSync(join(repo, 'node_modules'), join(clone, 'node_modules'));
    mkdirSync(join(root, 'shared', 'data'), { recursive: true });
    writeSets(join(root, 'shared', 'data'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(clone, 'bench', 'quality.ts'), '--sets', 'tiny-labels,tiny-scores', '--strategies', 'majority-vote,auto', '--folds', '3', '--no-write'], { cwd: clone, encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(rowOf(r.stdout, 'tiny-scores')[2]).toBe('Spearman');
    expect(rowOf(r.stdout, 'tiny-labels')[2]).toBe('macro-F1');
    // The label strategies' auto fits went to the checkout's own cache (created on the way), not to an encoded path.
    expect(existsSync(join(clone, '.bench-cache', 'quality'))).toBe(true);
  });
});
