import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireBuild } from '../support/built-package.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { readmeExamples } from '../support/readme-examples.js';
import { repoRoot } from '../support/run-cli.js';

const fixture = fakeServerFixture();

/** Runs a command without blocking this process: the fake server answering it lives here. */
function run(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}

export { readmeExamples };

/**
 * The files a README command says it writes: the value of an output flag or a shell redirection.
 * Paths built by the shell (`"out-$k.jsonl"` in a loop) are left out: they name no one file.
 */
export function namedOutputs(command: string): string[] {
  const paths = [...command.matchAll(/(?:--(?:json|html|report|out|output)\s+|(?<![0-9&])>\s*)([^\s;&|]+)/g)].map((m) => m[1] as string);
  return paths.filter((p) => !/[$"'`]/.test(p));
}

/** A non-empty file, or a folder holding at least one (`fusion init --out DIR`). */
function wroteSomething(path: string): boolean {
  if (!existsSync(path)) return false;
  const stat = statSync(path);
  return stat.isDirectory() ? readdirSync(path).some((f) => wroteSomething(join(path, f))) : stat.size > 0;
}

const LABELS = ['toxic', 'non-toxic'];

/**
 * A working directory where the README's commands find what they name: the bundled sets, a
 * labelled classification folder `my-set`, a QA folder `my-qa` with answers, items and questions
 * files, a reviews CSV, and `fusion` on PATH (the built CLI).
 */
function sandbox(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fusion-readme-'));
  cpSync(join(repoRoot, 'evals'), join(dir, 'evals'), { recursive: true });
  const texts = Array.from({ length: 24 }, (_, i) => `Comment ${i}: you are ${['lovely', 'awful', 'fine', 'a clown'][i % 4]}.`);
  const task = { name: 'my-set', kind: 'classification', labels: LABELS.map((name) => ({ name, aliases: [] })), instructions: 'Is it toxic?' };
  // my-set is made by the README's own `fusion init reviews.csv ... --out my-set`, or here when the README has none.
  if (!/fusion init \S+ .*--out my-set/.test(readFileSync(join(repoRoot, 'README.md'), 'utf8'))) {
    mkdirSync(join(dir, 'my-set'));
    writeFileSync(join(dir, 'my-set/task.json'), JSON.stringify(task));
    writeFileSync(join(dir, 'my-set/items.jsonl'), texts.map((text, i) => JSON.stringify({ id: `c${i}`, text, label: LABELS[i % 2] })).join('\n'));
  }
  writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
  for (const f of ['items.jsonl', 'new-items.jsonl']) writeFileSync(join(dir, f), texts.map((text, i) => JSON.stringify({ id: `n${i}`, text })).join('\n'));
  writeFileSync(join(dir, 'reviews.csv'), `review_id,review_text,sentiment\n${texts.map((t, i) => `${i},"${t}",${LABELS[i % 2]}`).join('\n')}\n`);
  writeFileSync(join(dir, 'new-reviews.csv'), `review_id,review_text\n${texts.map((t, i) => `${i},"${t}"`).join('\n')}\n`);
  mkdirSync(join(dir, 'my-qa'));
  writeFileSync(join(dir, 'my-qa/task.json'), JSON.stringify({ name: 'my-qa', kind: 'qa', answerType: 'free-form', instructions: '' }));
  const questions = Array.from({ length: 12 }, (_, i) => ({ id: `q${i}`, question: `Is comment ${i} toxic?` }));
  writeFileSync(join(dir, 'my-qa/items.jsonl'), questions.map((q) => JSON.stringify({ ...q, answers: ['toxic'] })).join('\n'));
  const answers = questions.flatMap((q, i) => ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', 'ollama:llama3.1'].map((m, j) => ({ item: q.id, model: m, output: (i + j) % 3 === 0 ? 'non-toxic' : 'toxic' })));
  writeFileSync(join(dir, 'my-qa/responses.jsonl'), answers.map((a) => JSON.stringify(a)).join('\n'));
  writeFileSync(join(dir, 'answers.csv'), `item,model,output\n${answers.map((a) => `${a.item},${a.model},${a.output}`).join('\n')}\n`);
  writeFileSync(join(dir, 'questions.jsonl'), questions.map((q) => JSON.stringify(q)).join('\n'));
  // A rating folder: three judges, one of them biased, scoring 30 texts on two criteria (1-5).
  mkdirSync(join(dir, 'my-ratings'));
  writeFileSync(join(dir, 'my-ratings/task.json'), JSON.stringify({ name: 'my-ratings', kind: 'rating', scale: { min: 1, max: 5 }, instructions: 'Rate the text on the criterion named at its top.' }));
  const rated = Array.from({ length: 30 }, (_, i) => ({ id: `r${i}`, text: `Criterion: ${i % 2 === 0 ? 'fluency' : 'relevance'}\n\nText ${i}.`, label: 1 + (i % 5) }));
  writeFileSync(join(dir, 'my-ratings/items.jsonl'), rated.map((r) => JSON.stringify(r)).join('\n'));
  const judged = rated.flatMap((r, i) => ['openai:gpt-4o-mini', 'ollama:llama3.1', 'anthropic:claude-3-5-haiku-latest'].map((m, j) => ({ item: r.id, model: m, output: `Score: ${Math.min(5, Math.max(1, r.label + (j === 2 ? 1 : 0) + ((i + j) % 3 === 0 ? -1 : 0)))}` })));
  writeFileSync(join(dir, 'my-ratings/responses.jsonl'), judged.map((a) => JSON.stringify(a)).join('\n'));
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin/fusion'), `#!/bin/sh\nexec node ${JSON.stringify(join(repoRoot, 'dist/cli/main.js'))} "$@"\n`);
  chmodSync(join(dir, 'bin/fusion'), 0o755);
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repoRoot, join(dir, 'node_modules/llm-fusion'));
  return dir;
}

describe("the README's examples run", () => {
  const { commands, snippets } = readmeExamples(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
  let dir: string | undefined;
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('finds the examples (the test reads README.md, not a copy)', () => {
    expect(commands.length).toBeGreaterThan(5);
    expect(commands.flatMap(namedOutputs).length).toBeGreaterThan(5);
  });

  it('reads the outputs a command names, and only those', () => {
    expect(namedOutputs('fusion eval D --json r.json --report r.md --html r.html')).toEqual(['r.json', 'r.md', 'r.html']);
    expect(namedOutputs('fusion run --task t.json < items.jsonl > fused.jsonl')).toEqual(['fused.jsonl']);
    expect(namedOutputs('fusion fit D --out a.json && fusion run --strategy a.json --output b.csv')).toEqual(['a.json', 'b.csv']);
    expect(namedOutputs('fusion run --task t.json --shard "$k/4" < items.jsonl > "out-$k.jsonl" &')).toEqual([]);
    expect(namedOutputs('fusion eval D 2>&1 --max-cost 2')).toEqual([]);
  });

  it('every fusion command exits 0 against the fake provider server, every TypeScript snippet runs', async () => {
    requireBuild('cli/main.js');
    const server = await fixture.start({ labels: LABELS });
    dir = sandbox();
    // `k`: a command of the README's worker loop runs as the loop's first pass would.
    const env = { ...process.env, ...server.env(), k: '0', PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` };
    const failed: string[] = [];
    for (const command of commands) {
      // In README order, in one folder: later examples may use what earlier ones wrote, as a reader's would.
      // In the foreground: a worker the README starts with `&` would exit 0 whatever it did.
      const r = await run('bash', ['-c', command.replace(/\s*&$/, '')], { cwd: dir as string, env, timeoutMs: 900_000 });
      if (r.status !== 0) failed.push(`${command}\n  exit ${r.status}: ${(r.stderr ?? '').slice(0, 400)}`);
      // Exit 0 is not enough: what the command says it writes must be there, and not empty.
      else for (const path of namedOutputs(command)) if (!wroteSomething(join(dir, path))) failed.push(`${command}\n  exit 0 but wrote nothing to ${path}`);
    }
    for (const [i, code] of snippets.entries()) {
      const file = join(dir, `snippet-${i}.mts`);
      writeFileSync(file, code);
      const r = await run(join(repoRoot, 'node_modules/.bin/tsx'), [file], { cwd: dir, env, timeoutMs: 120_000 });
      if (r.status !== 0) failed.push(`snippet ${i}:\n${code}\n  exit ${r.status}: ${r.stderr.slice(0, 400)}`);
    }
    expect(failed, failed.join('\n\n')).toEqual([]);
  }, 1_800_000);
});
