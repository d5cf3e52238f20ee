import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, fit, fuseMany, createFusion, loadEvalFolder, readSavedStrategy, writeSavedStrategy } from '../../src/index.js';
import { loadSavedStrategy } from '../../src/api/strategies.js';
import { kindOf } from '../../src/kinds/registry.js';
import type { Task } from '../../src/task/schema.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { runCli } from '../support/run-cli.js';

/**
 * Every capability x every kind (unordered and ordered labels, free-form and multiple-choice QA,
 * ratings) on one small world whose truth is knowable: item i names its number in its text, two
 * judges always give its gold and the third is wrong on every third item. So every strategy that
 * reads the answers fuses the gold everywhere, recorded or live, and an outcome that is not the gold
 * is a capability that lost the kind on the way.
 */
const N = 18;
/**
 * Items of the world an adaptive policy is fitted on at its default target: enough rows to vouch
 * for stopping within half a point (its bound counts one disagreement the rows did not show, and
 * at N items that alone is worth several points, so the policy rightly asks every judge there).
 */
const N_ADAPTIVE = 540;
const MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', 'ollama:llama3.1'];
const WRONG_MODEL = 'llama3.1';
const wrongOn = (i: number): boolean => i % 3 === 0;

interface World {
  name: string;
  task: Record<string, unknown>;
  /** Item i as an eval folder holds it (gold included). */
  item(i: number): Record<string, unknown>;
  /** Item i as `fusion run` reads it (no gold). */
  input(i: number): Record<string, unknown>;
  /** A judge's raw answer on item i, right or wrong. */
  output(i: number, right: boolean): string;
  /** What `fusion init` must be told beyond the table to make this task (the rest it reads from the rows). */
  initFlags: string[];
  /** The fused answer of an output line, as the gold is spelt. */
  fused(line: Record<string, unknown>): unknown;
  gold(i: number): unknown;
}

const SENTIMENT = ['negative', 'neutral', 'positive'];
const CITIES = ['Paris', 'Lima', 'Oslo', 'Cairo', 'Quito', 'Hanoi'];
const LETTERS = ['A', 'B', 'C', 'D'];
const text = (i: number): string => `case #${i}# of the world`;

const WORLDS: World[] = [
  {
    name: 'classification',
    initFlags: [],
    task: { name: 'm-cls', kind: 'classification', labels: SENTIMENT.map((name) => ({ name })), instructions: 'Which sentiment?' },
    item: (i) => ({ id: `c${i}`, text: text(i), label: SENTIMENT[i % 3] }),
    input: (i) => ({ id: `c${i}`, text: text(i) }),
    output: (i, right) => SENTIMENT[(i + (right ? 0 : 1)) % 3] as string,
    fused: (l) => l.label,
    gold: (i) => SENTIMENT[i % 3],
  },
  {
    name: 'classification (ordered labels)',
    initFlags: ['--ordered'],
    task: { name: 'm-ord', kind: 'classification', ordered: true, labels: ['1', '2', '3', '4', '5'].map((name) => ({ name })), instructions: 'How many stars?' },
    item: (i) => ({ id: `o${i}`, text: text(i), label: String(1 + (i % 5)) }),
    input: (i) => ({ id: `o${i}`, text: text(i) }),
    // The wrong judge is one star off, as ordered judges err.
    output: (i, right) => String(1 + (i % 5) + (right ? 0 : i % 5 === 4 ? -1 : 1)),
    fused: (l) => l.label,
    gold: (i) => String(1 + (i % 5)),
  },
  {
    name: 'QA free-form',
    initFlags: [],
    task: { name: 'm-qa', kind: 'qa', answerType: 'free-form', instructions: 'Answer with a city.' },
    item: (i) => ({ id: `q${i}`, question: `Which city is ${text(i)}?`, answers: [CITIES[i % 6]] }),
    input: (i) => ({ id: `q${i}`, question: `Which city is ${text(i)}?` }),
    output: (i, right) => `The answer is ${CITIES[(i + (right ? 0 : 1)) % 6]}.`,
    fused: (l) => l.answer,
    gold: (i) => CITIES[i % 6],
  },
  {
    name: 'QA multiple-choice',
    initFlags: [],
    task: { name: 'm-mc', kind: 'qa', answerType: 'multiple-choice', instructions: 'Pick one option.' },
    item: (i) => ({ id: `m${i}`, question: `Which option fits ${text(i)}?`, choices: LETTERS.map((label) => ({ label, text: `option ${label.toLowerCase()}${i}` })), answers: [LETTERS[i % 4]] }),
    input: (i) => ({ id: `m${i}`, question: `Which option fits ${text(i)}?`, choices: LETTERS.map((label) => ({ label, text: `option ${label.toLowerCase()}${i}` })) }),
    output: (i, right) => `The answer is (${LETTERS[(i + (right ? 0 : 1)) % 4]}).`,
    fused: (l) => l.answer,
    gold: (i) => LETTERS[i % 4],
  },
  {
    name: 'rating',
    initFlags: [],
    task: { name: 'm-rate', kind: 'rating', scale: { min: 1, max: 5 }, instructions: 'Rate the text.' },
    item: (i) => ({ id: `r${i}`, text: text(i), label: 1 + (i % 5) }),
    input: (i) => ({ id: `r${i}`, text: text(i) }),
    output: (i, right) => `Score: ${1 + (i % 5) + (right ? 0 : i % 5 === 4 ? -1 : 1)}`,
    // Two judges of three give the gold: any fused score of theirs rounds to it.
    fused: (l) => Math.round(l.score as number),
    gold: (i) => 1 + (i % 5),
  },
];

const fixture = fakeServerFixture();

/** The world's answer to a live call: the item's number read from the prompt, wrong where the world says. */
function liveAnswer(world: World) {
  return (call: { model: string; user: string }): string => {
    const i = Number(/#(\d+)#/.exec(call.user)?.[1]);
    return world.output(i, !(call.model === WRONG_MODEL && wrongOn(i)));
  };
}

function folderOf(world: World, withResponses = true, n = N): string {
  const dir = fixture.tempDir().dir;
  writeFileSync(join(dir, 'task.json'), JSON.stringify(world.task));
  const items = Array.from({ length: n }, (_, i) => world.item(i));
  writeFileSync(join(dir, 'items.jsonl'), `${items.map((x) => JSON.stringify(x)).join('\n')}\n`);
  if (withResponses) {
    const responses = items.flatMap((x, i) => MODELS.map((model) => ({ item: x.id, model, output: world.output(i, !(model.endsWith(WRONG_MODEL) && wrongOn(i))) })));
    writeFileSync(join(dir, 'responses.jsonl'), `${responses.map((x) => JSON.stringify(x)).join('\n')}\n`);
  }
  return dir;
}

/** The kind's own default strategy (no gold needed): what a kind-blind test names where it needs one. */
const defaultOf = (world: World): string => kindOf(world.task as Task).defaultStrategy(world.task as Task);

const inputOf = (world: World, n = N): string => `${Array.from({ length: n }, (_, i) => JSON.stringify(world.input(i))).join('\n')}\n`;
const linesOf = (stdout: string): Record<string, unknown>[] => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

/** `fusion fit dir --strategy name --folds 0 --out FILE`, asserted clean; the file. */
async function fitted(dir: string, name: string): Promise<string> {
  const out = join(dir, `${name}.json`);
  const f = await runCli(['fit', dir, '--strategy', name, '--folds', '0', '--out', out]);
  expect(f.stderr).toBe('');
  expect(f.status).toBe(0);
  return out;
}

/** `fusion run` of the world's items on its task with `--strategy file`, live against a fresh fake server; the lines must fuse the gold. */
async function runSaved(world: World, dir: string, file: string, n = N): Promise<{ successes: number }> {
  const server = await fixture.start({ labels: ['x'], content: liveAnswer(world) });
  const run = await runCli(['run', '--task', join(dir, 'task.json'), '--strategy', file, '--no-cache'], { input: inputOf(world, n), env: server.env() });
  expect(run.status, run.stderr).toBe(0);
  expectGold(world, linesOf(run.stdout), n);
  return { successes: server.snapshot().successes };
}

/** Every line fused the gold of its item, in input order. */
function expectGold(world: World, lines: readonly Record<string, unknown>[], n = N): void {
  expect(lines).toHaveLength(n);
  expect(lines.map((l) => world.fused(l))).toEqual(Array.from({ length: n }, (_, i) => world.gold(i)));
}

describe.each(WORLDS.map((w) => [w.name, w] as const))('%s: every capability', (_name, world) => {
  it('init makes the task from a labelled table, and the folder it writes fuses the gold', async () => {
    const dir = fixture.tempDir().dir;
    const items = Array.from({ length: N }, (_, i) => world.item(i));
    const dataField = 'question' in (items[0] as object) ? 'question' : 'text';
    // Columns named otherwise than the fields; the gold as a table's cell holds it.
    const rows = items.map((it, i) => ({ key: it.id, body: it[dataField], gold: world.gold(i), ...(it.choices ? { choices: it.choices } : {}) }));
    writeFileSync(join(dir, 'rows.jsonl'), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const out = join(dir, 'set');
    const init = await runCli(['init', join(dir, 'rows.jsonl'), '--kind', (world.task as { kind: string }).kind, '--id-column', 'key', `--${dataField}-column`, 'body', '--label-column', 'gold', ...world.initFlags, '--out', out]);
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    const task = JSON.parse(readFileSync(join(out, 'task.json'), 'utf8')) as Record<string, unknown>;
    const { name: _n, instructions: _i, labels, ...kindFields } = world.task as { name: string; instructions: string; labels?: { name: string }[] };
    expect(task).toMatchObject(kindFields);
    if (labels) expect((task.labels as { name: string }[]).map((l) => l.name)).toEqual(labels.map((l) => l.name));
    const responses = readFileSync(join(folderOf(world), 'responses.jsonl'), 'utf8');
    writeFileSync(join(out, 'responses.jsonl'), responses);
    const fused = await runCli(['fuse', out, '--quiet']);
    expect(fused.status, fused.stderr).toBe(0);
    expectGold(world, linesOf(fused.stdout));
  });

  it('eval on recorded answers: the leaderboard, --json, the Markdown and HTML reports', async () => {
    const dir = folderOf(world);
    const r = await runCli(['eval', dir, '--folds', '3', '--json', join(dir, 'r.json'), '--report', join(dir, 'r.md'), '--html', join(dir, 'r.html')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const result = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { kind: string; best: string; strategies: { name: string }[] };
    expect(result.kind).toBe((world.task as { kind: string }).kind);
    expect(result.strategies.map((s) => s.name)).toContain(result.best);
    // The best single model, under the one name every kind gives it.
    expect(result.strategies.map((s) => s.name)).toContain('best-model');
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect(readFileSync(join(dir, 'r.md'), 'utf8')).toContain(result.best);
  });

  it('fit auto, the file read back, then fuse (recorded) and run (live) with it fuse the gold', async () => {
    const dir = folderOf(world);
    const saved = await fitted(dir, 'auto');
    // The library reads back every kind's saved file, as it wrote it.
    const back = readSavedStrategy(saved);
    expect(back.saved.kind).toBe((world.task as { kind: string }).kind);
    expect(back.saved.models).toEqual(MODELS);
    // The union narrows on kind (a rating document has its scale, by type as by value).
    if (back.kind === 'rating') expect(back.saved.scale).toEqual((world.task as { scale: unknown }).scale);
    else expect(back.saved.labels.length === 0).toBe(back.saved.kind === 'qa' && back.saved.answerType !== 'multiple-choice');
    // Restored by its kind's plug-in: the fitted strategy gives back the state that was saved.
    expect(JSON.parse(JSON.stringify(back.fitted.state()))).toEqual(back.saved.state);
    // A document parsed elsewhere is restored by its kind's plug-in too (a rating one was read as a label strategy's, with errors about its state).
    const parsed = loadSavedStrategy(saved, JSON.parse(readFileSync(saved, 'utf8')));
    expect(parsed.kind).toBe(back.kind);
    expect(JSON.parse(JSON.stringify(parsed.fitted.state()))).toEqual(back.saved.state);
    const fused = await runCli(['fuse', dir, '--strategy', saved, '--quiet']);
    expect(fused.stderr).toBe('');
    expect(fused.status).toBe(0);
    expectGold(world, linesOf(fused.stdout));
    // The same from files named one by one (an answers file with its task and items).
    const files = await runCli(['fuse', '--answers', join(dir, 'responses.jsonl'), '--task', join(dir, 'task.json'), '--items', join(dir, 'items.jsonl'), '--strategy', saved, '--quiet']);
    expect(files.status, files.stderr).toBe(0);
    expectGold(world, linesOf(files.stdout));
    await runSaved(world, dir, saved);
  });

  it('fit adaptive, then run with the saved policy: gold fused, fewer calls than every judge on every item', async () => {
    const dir = folderOf(world, true, N_ADAPTIVE);
    const { successes } = await runSaved(world, dir, await fitted(dir, 'adaptive'), N_ADAPTIVE);
    // Two judges that agree settle an item, and the two that are always right are asked first.
    expect(successes).toBeLessThan(N_ADAPTIVE * MODELS.length);
  });

  it('eval --models live and --batch, run --batch and --shard: answers recorded and fused alike', async () => {
    const server = await fixture.start({ labels: ['x'], content: liveAnswer(world), batches: { pollsToFinish: 1 } });
    const dir = folderOf(world, false);
    const live = await runCli(['eval', dir, '--models', MODELS.join(','), '--folds', '3', '--strategies', `${defaultOf(world)},auto`, '--no-cache', '--json', join(dir, 'r.json'), '--quiet'], { env: server.env() });
    expect(live.status, live.stderr).toBe(0);
    expect(readFileSync(join(dir, 'responses.jsonl'), 'utf8').trim().split('\n')).toHaveLength(N * MODELS.length);

    const batchDir = folderOf(world, false);
    const batch = await runCli(['eval', batchDir, '--models', MODELS.join(','), '--folds', '3', '--strategies', defaultOf(world), '--cache', join(batchDir, 'c.sqlite'), '--batch', '--batch-poll', '0.01', '--quiet'], { env: server.env() });
    expect(batch.status, batch.stderr).toBe(0);
    expect(readFileSync(join(batchDir, 'responses.jsonl'), 'utf8').trim().split('\n')).toHaveLength(N * MODELS.length);
    // openai: and anthropic: through their batch APIs (ollama: live).
    expect(server.snapshot().batchRequests).toBe(N * 2);
    const offline = await runCli(['run', '--task', join(batchDir, 'task.json'), '--models', MODELS.join(','), '--cache', join(batchDir, 'run.sqlite'), '--batch', '--batch-poll', '0.01'], { input: inputOf(world), env: server.env() });
    expect(offline.status, offline.stderr).toBe(0);
    expectGold(world, linesOf(offline.stdout));
    expect(server.snapshot().batchRequests).toBe(N * 4);

    const cache = join(dir, 'c.sqlite');
    const ids: string[] = [];
    for (const shard of ['0/2', '1/2']) {
      const r = await runCli(['run', '--task', join(dir, 'task.json'), '--models', MODELS.join(','), '--cache', cache, '--shard', shard], { input: inputOf(world), env: server.env() });
      expect(r.status, r.stderr).toBe(0);
      for (const l of linesOf(r.stdout)) {
        ids.push(String(l.id));
        const i = Number(String(l.id).slice(1));
        expect(world.fused(l)).toEqual(world.gold(i));
      }
    }
    expect(ids.sort()).toEqual(Array.from({ length: N }, (_, i) => String(world.input(i).id)).sort());
  });

  it('eval --explain and run --min-confidence do what they say, or are refused before any call where the kind says why', async () => {
    const dir = folderOf(world);
    const json = join(dir, 'r.json');
    const server = await fixture.start({ labels: ['x'], content: liveAnswer(world) });
    const args = ['--folds', '3', '--strategies', `${defaultOf(world)},best-model`, '--explain', '2', '--explain-strategy', defaultOf(world), '--json', json, '--report', join(dir, 'r.md'), '--quiet'];
    const refusal = kindOf(world.task as Task).refusedFlags['--explain'];
    if (refusal === undefined) {
      const r = await runCli(['eval', dir, ...args]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const result = JSON.parse(readFileSync(json, 'utf8')) as { strategies: { name: string; explanations?: unknown[] }[] };
      expect(result.strategies.find((s) => s.name === defaultOf(world))?.explanations).toHaveLength(2);
      expect(readFileSync(join(dir, 'r.md'), 'utf8')).toMatch(new RegExp(`## Why: 2 contested decisions of ${defaultOf(world)}`));
      expect(await evaluate(dir, { folds: 3, strategies: [defaultOf(world)], explain: 1 })).toMatchObject({ kind: (world.task as { kind: string }).kind });
    } else {
      // Never silently ignored: said, exit 2, before a model is asked; the library throws it too.
      const r = await runCli(['eval', folderOf(world, false), '--models', MODELS.join(','), '--no-cache', ...args], { env: server.env() });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`--explain: ${refusal}`);
      expect(server.snapshot().successes).toBe(0);
      await expect(evaluate(dir, { folds: 3, strategies: [defaultOf(world)], explain: 1 })).rejects.toThrow(refusal);
    }
    const floorRefused = kindOf(world.task as Task).refusedFlags['--min-confidence'];
    const run = await runCli(['run', '--task', join(dir, 'task.json'), '--models', MODELS.join(','), '--min-confidence', '0.5', '--no-cache'], { input: inputOf(world), env: server.env() });
    if (floorRefused === undefined) {
      expect(run.status, run.stderr).toBe(0);
      expectGold(world, linesOf(run.stdout));
      // A floor above what two judges of three give withholds the items the third contests, and only those.
      const strict = await runCli(['run', '--task', join(dir, 'task.json'), '--models', MODELS.join(','), '--strategy', 'majority-vote', '--min-confidence', '0.9', '--no-cache'], { input: inputOf(world), env: server.env() });
      expect(strict.status, strict.stderr).toBe(0);
      expect(linesOf(strict.stdout).map((l) => l.abstain === 'no-consensus')).toEqual(Array.from({ length: N }, (_, i) => wrongOn(i)));
    } else {
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(`--min-confidence: ${floorRefused}`);
      expect(server.snapshot().successes).toBe(0);
    }
  });

  it('the library: evaluate, fit (written and read back), fuseMany and createFusion', async () => {
    const dir = folderOf(world);
    const folder = loadEvalFolder(dir);
    const result = await evaluate(folder, { folds: 3, seed: 1, strategies: [defaultOf(world), 'auto'] });
    expect(result.kind).toBe(folder.task.kind);
    const { saved } = await fit(folder, { strategy: 'auto' });
    const file = join(dir, 'lib.json');
    writeSavedStrategy(file, saved);
    expect(existsSync(file)).toBe(true);
    const server = await fixture.start({ labels: ['x'], content: liveAnswer(world) });
    const task = folder.task as Task;
    const items = Array.from({ length: N }, (_, i) => world.input(i));
    const many = (await fuseMany(task, items as never, { models: MODELS, strategy: file, env: server.env(), cachePath: join(dir, 'c.sqlite') })) as unknown as Record<string, unknown>[];
    expectGold(world, many);
    const fusion = createFusion({ models: MODELS, cache: join(dir, 'c2.sqlite'), env: server.env() } as never);
    try {
      const one = (await fusion.fuse(task, items[4] as never)) as unknown as Record<string, unknown>;
      expect(world.fused(one)).toEqual(world.gold(4));
    } finally {
      await fusion.close();
    }
  });
});

describe('a saved file of one kind, given to a task of another', () => {
  it('is refused naming the kind it was fitted on, whichever two kinds meet', async () => {
    const files = await Promise.all(
      [WORLDS[0], WORLDS[2], WORLDS[4]].map(async (world) => {
        const dir = folderOf(world as World);
        const out = join(dir, 'vote.json');
        expect((await runCli(['fit', dir, '--strategy', defaultOf(world as World), '--out', out])).status).toBe(0);
        return { world: world as World, dir, out };
      }),
    );
    for (const from of files) {
      for (const to of files) {
        if (from === to) continue;
        const r = await runCli(['fuse', to.dir, '--strategy', from.out, '--quiet']);
        expect(r.status).toBe(2);
        expect(r.stderr).toContain(`${from.out}: kind: this strategy was fitted on a ${(from.world.task as { kind: string }).kind} task`);
      }
    }
  });
});
