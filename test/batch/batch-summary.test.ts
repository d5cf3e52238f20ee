import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();
const BATCH_MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest'];

/** The summary line of one model: new answers, cached, tokens and USD. */
function modelLine(stderr: string, model: string): { fresh: number; cached: number; tokens: number; usd: number } {
  const line = stderr.split('\n').find((l) => l.startsWith(`  ${model}: `));
  if (!line) throw new Error(`no summary line for ${model} in:\n${stderr}`);
  const m = /(\d+) new answer\(s\), (\d+) cached, .* (\d+)\+(\d+) tokens, \$([\d.]+)/.exec(line);
  if (!m) throw new Error(`unexpected summary line: ${line}`);
  return { fresh: Number(m[1]), cached: Number(m[2]), tokens: Number(m[3]) + Number(m[4]), usd: Number(m[5]) };
}

function totalLine(stderr: string): { hits: number; usd: number } {
  const m = /total: \d+ request\(s\), (\d+) cache hit\(s\), \d+ failed, \$([\d.]+) spent in this run/.exec(stderr);
  if (!m) throw new Error(`no total line in:\n${stderr}`);
  return { hits: Number(m[1]), usd: Number(m[2]) };
}

/** fusion run --batch on 6 items of the sentiment task, its own cache, against a fake server whose batches finish at the first poll. */
async function batchRun(extra: string[] = []) {
  const N = 6;
  const server = await fixture.start({ labels: LABELS, batches: { pollsToFinish: 1 } });
  const { dir } = fixture.tempDir();
  const taskFile = join(dir, 'task.json');
  writeFileSync(taskFile, JSON.stringify(task));
  const input = itemsOf(N).map((i) => JSON.stringify(i)).join('\n') + '\n';
  const args = ['run', '--task', taskFile, '--models', BATCH_MODELS.join(','), '--cache', join(dir, 'cache.sqlite'), '--batch', '--batch-poll', '0.001', ...extra];
  return { N, server, input, args };
}

// The live pass reads the batch answers back from the cache; the summary must still show them as
// answered and paid in this run, and only answers of earlier runs as cached.
describe('the summary after --batch', () => {
  it('fusion run --batch: batch answers are new and paid per model; the same run again finds them cached at $0', async () => {
    const { N, server, input, args } = await batchRun();

    const first = await runCli(args, { input, env: server.env() });
    expect(first.status, first.stderr).toBe(0);
    const err = first.stderr;
    expect(server.snapshot().batchRequests).toBe(2 * N);
    let sum = 0;
    for (const model of BATCH_MODELS) {
      const s = modelLine(err, model);
      expect(s, err).toMatchObject({ fresh: N, cached: 0 });
      expect(s.tokens).toBeGreaterThan(0);
      expect(s.usd).toBeGreaterThan(0);
      sum += s.usd;
    }
    const total = totalLine(err);
    expect(total.hits).toBe(0);
    expect(total.usd).toBeCloseTo(sum, 4);
    // Each output line counts what its answers cost in this run: the batch answers included.
    const lineCosts = (text: string) => text.trim().split('\n').map((l) => (JSON.parse(l) as { cost?: number }).cost ?? 0);
    expect(lineCosts(first.stdout).every((c) => c > 0), first.stdout).toBe(true);
    expect(lineCosts(first.stdout).reduce((a, b) => a + b, 0)).toBeCloseTo(sum, 4);

    const again = await runCli(args, { input, env: server.env() });
    expect(again.status, again.stderr).toBe(0);
    const err2 = again.stderr;
    for (const model of BATCH_MODELS) expect(modelLine(err2, model), err2).toMatchObject({ fresh: 0, cached: N, tokens: 0, usd: 0 });
    expect(totalLine(err2)).toEqual({ hits: 2 * N, usd: 0 });
    expect(lineCosts(again.stdout)).toEqual(new Array(N).fill(0));
  });

  it('the progress line of the live pass agrees with the summary: batch answers are not cached, their cost is counted', async () => {
    const { server, input, args } = await batchRun(['--progress']);
    const lines = (stderr: string) => stderr.split('\n').filter((l) => /^items \d+/.test(l));

    const first = await runCli(args, { input, env: server.env() });
    expect(first.status, first.stderr).toBe(0);
    expect(lines(first.stderr).length, first.stderr).toBeGreaterThan(0);
    expect(totalLine(first.stderr).usd).toBeGreaterThan(0);
    // The total as the summary writes it: no live call was made, so all of it was spent before the live pass.
    const spent = /\$([\d.]+) spent in this run/.exec(first.stderr)?.[1];
    for (const line of lines(first.stderr)) {
      expect(line, first.stderr).toMatch(/ \| cached 0 \| /);
      expect(line).toMatch(new RegExp(`cost \\$${spent}( |$)`));
    }

    // Run again: the same answers are now an earlier run's, cached at $0, in the progress line too.
    const again = await runCli(args, { input, env: server.env() });
    expect(again.status, again.stderr).toBe(0);
    expect(lines(again.stderr).length, again.stderr).toBeGreaterThan(0);
    for (const line of lines(again.stderr)) {
      expect(line).not.toMatch(/ \| cached 0 \| /);
      expect(line).toMatch(/cost \$0( |$)/);
    }
  });

  it('fusion eval --models --batch: the same, per model, in the summary of the recording', async () => {
    const N = 5;
    const server = await fixture.start({ labels: LABELS, batches: { pollsToFinish: 1 } });
    const { dir } = fixture.tempDir();
    writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
    writeFileSync(join(dir, 'items.jsonl'), itemsOf(N).map((i) => JSON.stringify({ ...i, label: 'positive' })).join('\n') + '\n');
    const run = await runCli(['eval', dir, '--models', BATCH_MODELS.join(','), '--cache', join(dir, 'cache.sqlite'), '--folds', '2', '--batch', '--batch-poll', '0.001'], { env: server.env() });
    const err = run.stderr;
    expect(run.status, err).toBe(0);
    for (const model of BATCH_MODELS) {
      const s = modelLine(err, model);
      expect(s, err).toMatchObject({ fresh: N, cached: 0 });
      expect(s.usd).toBeGreaterThan(0);
    }
    expect(totalLine(err).hits).toBe(0);
    expect(err).toMatch(new RegExp(`recorded ${2 * N} answer\\(s\\) \\(0 from the cache\\)`));
  });
});
