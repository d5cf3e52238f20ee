import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fitCommand } from '../../src/cli/commands/fit.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { recordFolderResponses } from '../../src/cli/record-folder.js';
import { fuse, fuseQuestion } from '../../src/run/fuse.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LETTERS, MODELS, STOPPING_TARGET, captureStream, expectedLabel, itemsOf, letterOf, mcQuestions as questions, mcTask, task } from './setup.js';

const fixture = fakeServerFixture();

interface Line {
  id: string;
  label: string | null;
  asked?: number;
  stopped?: string;
  answers: { model: string; output: string | null; abstain?: string }[];
}

describe('fusion run with a saved adaptive policy', () => {
  it('makes exactly the calls the policy asks for, never more than --max-calls-per-item, and a rerun pays for none', async () => {
    const server = await fixture.start({ labels: task.labels.map((l) => l.name), disagreement: 0.3 });
    const t = fixture.tempDir();
    // Gold: what the first model says (so the policy can learn that it is reliable).
    const train = itemsOf(120).map((i) => ({ ...i, label: expectedLabel(MODELS[0] as string, i.text) }));
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    writeFileSync(join(t.dir, 'items.jsonl'), train.map((i) => JSON.stringify(i)).join('\n') + '\n');
    await recordFolderResponses(t.dir, MODELS, { concurrency: '8', 'no-cache': true }, { stderr: captureStream() }, { env: server.env() });
    const policy = join(t.dir, 'policy.json');
    expect(await fitCommand([t.dir, '--strategy', 'adaptive', '--out', policy, '--folds', '0', ...STOPPING_TARGET], { stdin: Readable.from([]), stdout: captureStream(), stderr: captureStream() })).toBe(0);

    // A call budget as the target: the setting chosen on the training folds asks at most 1.2 models per item there.
    const budget = join(t.dir, 'budget.json');
    expect(await fitCommand([t.dir, '--strategy', 'adaptive', '--out', budget, '--folds', '0', '--max-calls', '1.2'], { stdin: Readable.from([]), stdout: captureStream(), stderr: captureStream() })).toBe(0);
    const saved = JSON.parse(readFileSync(budget, 'utf8')) as { state: { rule: unknown; target: unknown; curve: { rule: unknown; calls: number }[] } };
    expect(saved.state.target).toEqual({ maxCalls: 1.2 });
    expect(saved.state.curve.find((p) => JSON.stringify(p.rule) === JSON.stringify(saved.state.rule))?.calls).toBeLessThanOrEqual(1.2);

    const fresh = Array.from({ length: 30 }, (_, i) => ({ id: `new-${i}`, text: `A new review ${i}, rather ${['good', 'poor', 'mixed'][i % 3]}.` }));
    const input = fresh.map((i) => JSON.stringify(i)).join('\n');
    const cache = join(t.dir, 'cache.sqlite');
    const run = async (extra: string[], cacheFile = cache): Promise<{ code: number; lines: Line[]; calls: number }> => {
      const before = server.snapshot().successes;
      const stdout = captureStream();
      const code = await runCommand(['--task', join(t.dir, 'task.json'), '--strategy', policy, '--models', MODELS.join(','), '--cache', cacheFile, ...extra], {
        stdin: Readable.from([input]),
        stdout,
        stderr: captureStream(),
        env: server.env(),
      });
      const lines = stdout.text().trim().split('\n').map((l) => JSON.parse(l) as Line);
      return { code, lines, calls: server.snapshot().successes - before };
    };

    const first = await run([]);
    expect(first.code).toBe(0);
    expect(first.lines.map((l) => l.id)).toEqual(fresh.map((i) => i.id));
    const asked = first.lines.reduce((a, l) => a + (l.asked ?? 0), 0);
    // Server-side: exactly the calls the lines say were asked, and fewer than every model on every item.
    expect(first.calls).toBe(asked);
    expect(asked).toBeLessThan(fresh.length * MODELS.length);
    for (const l of first.lines) {
      expect(l.answers.filter((a) => a.output !== null)).toHaveLength(l.asked ?? -1);
      expect(['settled', 'confident', 'all-asked', 'max-calls']).toContain(l.stopped);
      expect(l.label).not.toBeNull();
    }

    // The same run again pays for nothing: every call it makes is the cached one (as after Ctrl-C).
    const again = await run([]);
    expect(again.calls).toBe(0);
    const free = (lines: Line[]) => lines.map((l) => ({ ...l, cost: 0 }));
    expect(free(again.lines)).toEqual(free(first.lines));
    expect(again.lines.every((l) => (l as Line & { cost: number }).cost === 0)).toBe(true);

    // fuse(), the library form, asks the same way.
    const before = server.snapshot().successes;
    const one = await fuse(task, 'A brand new review, rather poor.', { models: MODELS, strategy: policy, env: server.env() });
    expect(server.snapshot().successes - before).toBe(one.asked);
    expect(one.asked).toBeGreaterThanOrEqual(1);

    // A cap of one call per item, with an empty cache: at most one new call each.
    const capped = await run(['--max-calls-per-item', '1'], join(t.dir, 'other-cache.sqlite'));
    expect(capped.code).toBe(0);
    expect(capped.calls).toBeLessThanOrEqual(fresh.length);
    expect(capped.lines.every((l) => (l.asked ?? 0) <= 1)).toBe(true);
  });
});

interface QaLine {
  id: string;
  answer: string | null;
  asked?: number;
  stopped?: string;
  cost: number;
  answers: { model: string; output: string | null; abstain?: string }[];
}

describe('fusion run on a QA task with a saved adaptive policy', () => {
  it('asks only the models the policy asks (server-side counts), never more than --max-calls-per-item, and a rerun pays for none', async () => {
    const server = await fixture.start({ labels: LETTERS, disagreement: 0.3 });
    const t = fixture.tempDir();
    // Gold: what the first model says, so the policy learns that it is reliable.
    const train = questions(120, 'train-').map((q) => ({ ...q, answers: [letterOf(MODELS[0] as string, q, 0.3)] }));
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(mcTask));
    writeFileSync(join(t.dir, 'items.jsonl'), train.map((i) => JSON.stringify(i)).join('\n') + '\n');
    await recordFolderResponses(t.dir, MODELS, { concurrency: '8', 'no-cache': true }, { stderr: captureStream() }, { env: server.env() });
    const policy = join(t.dir, 'policy.json');
    expect(await fitCommand([t.dir, '--strategy', 'adaptive', '--out', policy, '--folds', '0', ...STOPPING_TARGET], { stdin: Readable.from([]), stdout: captureStream(), stderr: captureStream() })).toBe(0);
    expect(JSON.parse(readFileSync(policy, 'utf8'))).toMatchObject({ kind: 'qa', strategy: 'adaptive' });

    const fresh = questions(30, 'new-');
    const input = fresh.map((i) => JSON.stringify(i)).join('\n');
    const cache = join(t.dir, 'cache.sqlite');
    const run = async (extra: string[], cacheFile = cache): Promise<{ code: number; lines: QaLine[]; calls: number }> => {
      const before = server.snapshot().successes;
      const stdout = captureStream();
      const code = await runCommand(['--task', join(t.dir, 'task.json'), '--strategy', policy, '--models', MODELS.join(','), '--cache', cacheFile, ...extra], {
        stdin: Readable.from([input]),
        stdout,
        stderr: captureStream(),
        env: server.env(),
      });
      const lines = stdout.text().trim().split('\n').map((l) => JSON.parse(l) as QaLine);
      return { code, lines, calls: server.snapshot().successes - before };
    };

    const first = await run([]);
    expect(first.code).toBe(0);
    expect(first.lines.map((l) => l.id)).toEqual(fresh.map((i) => i.id));
    const asked = first.lines.reduce((a, l) => a + (l.asked ?? 0), 0);
    expect(first.calls).toBe(asked);
    expect(asked).toBeLessThan(fresh.length * MODELS.length);
    for (const [i, l] of first.lines.entries()) {
      const given = l.answers.filter((a) => a.output !== null);
      expect(given).toHaveLength(l.asked ?? -1);
      expect(l.answers.filter((a) => a.output === null).every((a) => a.abstain === 'missing')).toBe(true);
      expect(['settled', 'confident', 'all-asked', 'max-calls']).toContain(l.stopped);
      // The asked models answered what the server says for them, and the answer is one of theirs.
      const item = fresh[i] as (typeof fresh)[number];
      for (const a of given) expect(a.output).toBe(letterOf(a.model, item, 0.3));
      expect(given.map((a) => a.output)).toContain(l.answer);
    }

    const again = await run([]);
    expect(again.calls).toBe(0);
    const free = (lines: QaLine[]) => lines.map((l) => ({ ...l, cost: 0 }));
    expect(free(again.lines)).toEqual(free(first.lines));
    expect(again.lines.every((l) => l.cost === 0)).toBe(true);

    // fuseQuestion(), the library form, asks the same way.
    const q = questions(1, 'lib-')[0] as (typeof fresh)[number];
    const before = server.snapshot().successes;
    const one = await fuseQuestion(mcTask, { question: q.question, choices: q.choices }, { models: MODELS, strategy: policy, env: server.env() });
    expect(one.asked).toBeGreaterThanOrEqual(1);
    expect(server.snapshot().successes - before).toBe(one.asked);

    const capped = await run(['--max-calls-per-item', '1'], join(t.dir, 'other-cache.sqlite'));
    expect(capped.code).toBe(0);
    expect(capped.calls).toBeLessThanOrEqual(fresh.length);
    expect(capped.calls).toBe(capped.lines.reduce((a, l) => a + (l.asked ?? 0), 0));
    expect(capped.lines.every((l) => (l.asked ?? 0) <= 1)).toBe(true);
  });
});
