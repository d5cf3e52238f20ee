import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { sentimentTask, writeEvalFolder } from '../support/temp-folder.js';

// Behaviour that once differed between classification and QA folders: each case is asked of both.
const N = 12;
const qaItems = Array.from({ length: N }, (_, i) => ({ id: `q${i}`, question: `What is ${i} + ${i}?`, answers: [String(2 * i)] }));
const qaResponses = qaItems.flatMap((it, i) => [
  { item: it.id, model: 'solid', output: `The answer is ${2 * i}.` },
  { item: it.id, model: 'shaky', output: i % 2 === 0 ? `#### ${2 * i}` : `#### ${2 * i + 1}` },
  // 'late' has no answer at all on the first three questions.
  ...(i < 3 ? [] : [{ item: it.id, model: 'late', output: `\\boxed{${i % 3 === 0 ? 2 * i : 2 * i + 7}}` }]),
]);
const qaTask = { name: 'tiny-sums', kind: 'qa', answerType: 'numeric', instructions: 'Answer with a number.' };

const labels = ['positive', 'negative', 'neutral'];
const clsItems = Array.from({ length: N }, (_, i) => ({ id: `t${i}`, text: `text ${i}`, label: labels[i % 3] }));
const clsResponses = clsItems.flatMap((it, i) => [
  { item: it.id, model: 'solid', output: it.label },
  { item: it.id, model: 'shaky', output: labels[(i + (i % 2)) % 3] },
  ...(i < 3 ? [] : [{ item: it.id, model: 'late', output: labels[(i + 1) % 3] }]),
]);

const folders = (): { kind: string; dir: string }[] => [
  { kind: 'classification', dir: writeEvalFolder({ task: sentimentTask, items: clsItems, responses: clsResponses }) },
  { kind: 'qa', dir: writeEvalFolder({ task: qaTask, items: qaItems, responses: qaResponses }) },
];

describe('classification and QA folders behave alike', () => {
  it.each(folders())('$kind: more folds than items is a usage error naming the file, exit 2, no stack trace', async ({ dir }) => {
    const r = await runCli(['eval', dir, '--folds', '20', '--strategies', 'majority-vote,best-model']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'items.jsonl')}: cannot make 20 folds from 12 items (give --folds 12 or fewer, or --strategies naming only strategies that need no labels)`);
    expect(r.stderr).not.toMatch(/\bat \S+ \(/);
  });

  it.each(folders())('$kind: an item a model never answered counts as a `missing` abstention', async ({ dir }) => {
    const json = join(dir, 'r.json');
    const r = await runCli(['eval', dir, '--folds', '3', '--strategies', 'majority-vote', '--json', json, '--quiet']);
    expect(r.status).toBe(0);
    const result = JSON.parse(readFileSync(json, 'utf8')) as { models: { name: string; abstentions: Record<string, number> }[] };
    expect(result.models.find((m) => m.name === 'late')?.abstentions.missing).toBe(3);
    expect(result.models.find((m) => m.name === 'solid')?.abstentions.missing).toBeUndefined();
  });

  it.each(folders())('$kind: fit with an adaptive target honours it, and refuses it on another strategy', async ({ dir }) => {
    const refused = await runCli(['fit', dir, '--strategy', 'majority-vote', '--max-calls', '1', '--out', join(dir, 'v.json')]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--max-loss, --max-calls and --max-cost are targets of --strategy adaptive');
    const notAdaptive = await runCli(['fit', dir, '--strategy', 'majority-vote', '--text-checkpoint', '--out', join(dir, 'w.json')]);
    expect(notAdaptive.status).toBe(2);
    expect(notAdaptive.stderr).toContain('--text-checkpoint is an option of --strategy adaptive');
    const out = join(dir, 'policy.json');
    const r = await runCli(['fit', dir, '--strategy', 'adaptive', '--max-calls', '1.5', '--folds', '0', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.stringify(JSON.parse(readFileSync(out, 'utf8')).state)).toContain('"maxCalls":1.5');
  });

  it.each(folders())('$kind: --explain and --explain-strategy explain that strategy in the report', async ({ kind, dir }) => {
    const json = join(dir, 'r.json');
    const report = join(dir, 'r.md');
    const r = await runCli(['eval', dir, '--folds', '3', '--strategies', 'majority-vote,weighted-vote', '--explain', '2', '--explain-strategy', 'majority-vote', '--json', json, '--report', report, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const md = readFileSync(report, 'utf8');
    expect(md).toMatch(/## Why: 2 contested decisions of majority-vote/);
    // The other strategy too: one of the two is not the best, so a report that ignored the flag and explained the best would fail here.
    const other = join(dir, 'r2.md');
    const r2 = await runCli(['eval', dir, '--folds', '3', '--strategies', 'majority-vote,weighted-vote', '--explain', '2', '--explain-strategy', 'weighted-vote', '--report', other, '--quiet']);
    expect(r2.status).toBe(0);
    expect(readFileSync(other, 'utf8')).toMatch(/## Why: 2 contested decisions of weighted-vote/);
    const result = JSON.parse(readFileSync(json, 'utf8')) as { strategies: { name: string; explanations?: { fused: string | null; contributions: { answer: string | null }[] }[] }[] };
    const explained = result.strategies.find((s) => s.name === 'majority-vote')?.explanations ?? [];
    expect(explained).toHaveLength(2);
    // Answers are named as answers (a label, or a QA answer cluster), never as a column number.
    for (const e of explained) for (const c of e.contributions) if (c.answer !== null) expect(c.answer).not.toMatch(/^candidate-\d+$/);
    if (kind === 'qa') expect(explained[0]?.fused).toMatch(/^\d+$/);
  });
});
