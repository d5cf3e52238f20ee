import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fitCommand } from '../../src/cli/commands/fit.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { recordFolderResponses } from '../../src/cli/record-folder.js';
import { fuse } from '../../src/run/fuse.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LETTERS, MODELS, captureStream, expectedLabel, itemsOf, letterOf, mcQuestions, mcTask, STOPPING_TARGET, task } from './setup.js';

const fixture = fakeServerFixture();
const MODEL = MODELS[0] as string;

interface Line {
  id: string;
  label: string | null;
  asked?: number;
  stopped?: string;
  answers: { model: string; sample?: number; output: string | null; abstain?: string }[];
}

const noInput = () => ({ stdin: Readable.from([]), stdout: captureStream(), stderr: captureStream() });

describe('--samples: several answers of one model, each its own call', () => {
  it('records N samples per item (distinct calls, "sample" on each line), serves a re-run from the cache, and runs a saved adaptive policy asking only the samples it needs', async () => {
    const server = await fixture.start({ labels: task.labels.map((l) => l.name), disagreement: 0.3, resample: 0.25 });
    const t = fixture.tempDir();
    const items = itemsOf(90).map((i) => ({ ...i, label: expectedLabel(MODEL, i.text) }));
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    writeFileSync(join(t.dir, 'items.jsonl'), items.map((i) => JSON.stringify(i)).join('\n') + '\n');
    const cache = join(t.dir, 'cache.sqlite');
    const record = (dir: string) => recordFolderResponses(dir, [MODEL], { concurrency: '8', cache }, { stderr: captureStream() }, { env: server.env(), samples: 5 });

    const first = await record(t.dir);
    expect(first.recorded).toBe(90 * 5);
    // Server-side: five calls per item, the same prompt asked once per sample.
    expect(server.snapshot().successes).toBe(90 * 5);
    expect(server.snapshot().duplicateSuccesses).toBe(90 * 4);
    const lines = readFileSync(join(t.dir, 'responses.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { item: string; sample: number; output: string });
    expect(lines).toHaveLength(450);
    for (const item of items) expect(lines.filter((l) => l.item === item.id).map((l) => l.sample).sort()).toEqual([0, 1, 2, 3, 4]);
    // The samples differ on some items (what makes asking more than one worth it).
    expect(items.some((item) => new Set(lines.filter((l) => l.item === item.id).map((l) => l.output)).size > 1)).toBe(true);

    // Recording again pays for nothing: already recorded here, and another folder is served by the cache.
    expect((await record(t.dir)).alreadyRecorded).toBe(450);
    const other = fixture.tempDir();
    writeFileSync(join(other.dir, 'task.json'), JSON.stringify(task));
    writeFileSync(join(other.dir, 'items.jsonl'), items.map((i) => JSON.stringify(i)).join('\n') + '\n');
    const copy = await record(other.dir);
    expect(copy.fromCache).toBe(450);
    expect(server.snapshot().successes).toBe(450);
    // The same answers, sample for sample (latency aside).
    const answersOf = (file: string) =>
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => {
          const { latencyMs: _l, ...r } = JSON.parse(l) as Record<string, unknown>;
          return JSON.stringify(r);
        })
        .sort();
    expect(answersOf(join(other.dir, 'responses.jsonl'))).toEqual(answersOf(join(t.dir, 'responses.jsonl')));

    // A policy fitted on the samples orders (model, sample) units: the model once per sample.
    const policy = join(t.dir, 'policy.json');
    expect(await fitCommand([t.dir, '--strategy', 'adaptive', '--out', policy, '--folds', '0'], noInput())).toBe(0);
    const saved = JSON.parse(readFileSync(policy, 'utf8')) as { models: string[]; state: { order: string[] } };
    expect(saved.models).toEqual([MODEL]);
    expect(saved.state.order).toEqual([MODEL, MODEL, MODEL, MODEL, MODEL]);

    const fresh = Array.from({ length: 40 }, (_, i) => ({ id: `new-${i}`, text: `A new review ${i}, rather ${['good', 'poor', 'mixed'][i % 3]}.` }));
    const input = fresh.map((i) => JSON.stringify(i)).join('\n');
    const run = async (extra: string[], cacheFile = 'run-cache.sqlite'): Promise<{ code: number; lines: Line[]; calls: number; stderr: string }> => {
      const before = server.snapshot().successes;
      const stdout = captureStream();
      const stderr = captureStream();
      const code = await runCommand(['--task', join(t.dir, 'task.json'), '--models', MODEL, '--cache', join(t.dir, cacheFile), ...extra], {
        stdin: Readable.from([input]),
        stdout,
        stderr,
        env: server.env(),
      });
      const lines = code === 0 ? stdout.text().trim().split('\n').map((l) => JSON.parse(l) as Line) : [];
      return { code, lines, calls: server.snapshot().successes - before, stderr: stderr.text() };
    };

    // Without a policy: every sample asked, one answer entry per sample; a re-run pays for none.
    const all = await run(['--samples', '3']);
    expect(all.code).toBe(0);
    expect(all.calls).toBe(40 * 3);
    for (const l of all.lines) {
      expect(l.answers.map((a) => [a.model, a.sample])).toEqual([0, 1, 2].map((s) => [MODEL, s]));
      expect(l.label).not.toBeNull();
    }
    const allAgain = await run(['--samples', '3']);
    expect(allAgain.calls).toBe(0);
    expect(allAgain.lines.map((l) => l.label)).toEqual(all.lines.map((l) => l.label));

    // With the saved policy: exactly the samples the lines say were asked, fewer than all five.
    const adaptive = await run(['--strategy', policy, '--samples', '5'], 'policy-cache.sqlite');
    expect(adaptive.code).toBe(0);
    const asked = adaptive.lines.reduce((a, l) => a + (l.asked ?? 0), 0);
    expect(adaptive.calls).toBe(asked);
    expect(asked).toBeLessThan(40 * 5);
    for (const l of adaptive.lines) {
      const given = l.answers.filter((a) => a.output !== null);
      expect(given).toHaveLength(l.asked ?? -1);
      // The samples asked are the first ones, in order.
      expect(given.map((a) => a.sample)).toEqual(Array.from({ length: l.asked ?? 0 }, (_, s) => s));
      expect(['confident', 'all-asked']).toContain(l.stopped);
    }
    // Here a model's first sample is its base answer and gold is that answer, so the training folds
    // show no loss from stopping after one sample: the policy must then ask one per item, no more
    // (asking more only where it pays is shown on recorded answers in test/fuse/adaptive/samples.test.ts).
    const curve = (JSON.parse(readFileSync(policy, 'utf8')) as { state: { curve: { calls: number; loss: number }[] } }).state.curve;
    expect(curve.some((p) => p.calls < 1.5)).toBe(true);
    expect(curve.filter((p) => p.calls < 1.5).every((p) => p.loss <= 0)).toBe(true);
    expect(adaptive.lines.every((l) => l.asked === 1 && l.stopped === 'confident')).toBe(true);
    const adaptiveAgain = await run(['--strategy', policy, '--samples', '5'], 'policy-cache.sqlite');
    expect(adaptiveAgain.calls).toBe(0);
    expect(adaptiveAgain.lines.map((l) => [l.label, l.asked])).toEqual(adaptive.lines.map((l) => [l.label, l.asked]));
    // More samples than the policy was fitted with: the extra ones are never asked (a warning says
    // so), the policy decides as before, nothing new is paid.
    const more = await run(['--strategy', policy, '--samples', '7'], 'policy-cache.sqlite');
    expect(more.code).toBe(0);
    expect(more.stderr).toMatch(/adaptive policy was not fitted with .*sample 6.*sample 7.*; not asked/);
    expect(more.calls).toBe(0);
    expect(more.lines.map((l) => [l.label, l.asked])).toEqual(adaptive.lines.map((l) => [l.label, l.asked]));
    // Without --samples, the policy asks up to the samples it was fitted with: the same calls, all cached.
    const byDefault = await run(['--strategy', policy], 'policy-cache.sqlite');
    expect(byDefault.calls).toBe(0);
    expect(byDefault.lines.map((l) => [l.label, l.asked])).toEqual(adaptive.lines.map((l) => [l.label, l.asked]));

    // fuse(), the library form, asks the policy's samples the same way.
    const before = server.snapshot().successes;
    const one = await fuse(task, 'A brand new review, rather poor.', { models: [MODEL], strategy: policy, env: server.env() });
    expect(one.asked).toBeGreaterThanOrEqual(1);
    expect(server.snapshot().successes - before).toBe(one.asked);
    expect(one.answers.map((a) => a.sample)).toEqual([0, 1, 2, 3, 4]);
  });

  it('on a QA task: records samples, and a saved policy fitted on them makes exactly the sample calls its lines say it asked, samples in order', async () => {
    const server = await fixture.start({ labels: LETTERS, disagreement: 0.3, resample: 0.25 });
    const t = fixture.tempDir();
    const train = mcQuestions(90, 'train-').map((q) => ({ ...q, answers: [letterOf(MODEL, q, 0.3)] }));
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(mcTask));
    writeFileSync(join(t.dir, 'items.jsonl'), train.map((i) => JSON.stringify(i)).join('\n') + '\n');
    const recorded = await recordFolderResponses(t.dir, [MODEL], { concurrency: '8', 'no-cache': true }, { stderr: captureStream() }, { env: server.env(), samples: 4 });
    expect(recorded.recorded).toBe(90 * 4);
    const policy = join(t.dir, 'policy.json');
    // This test is about the calls a saved policy makes, not about the default target: on 90 items the
    // default bound (in accuracy, QA's figure) rightly vouches for no stop, so the policy is fitted to a
    // looser one that lets it stop early (STOPPING_TARGET, as the other run tests of saved policies).
    expect(await fitCommand([t.dir, '--strategy', 'adaptive', '--out', policy, '--folds', '0', ...STOPPING_TARGET], noInput())).toBe(0);
    expect((JSON.parse(readFileSync(policy, 'utf8')) as { state: { order: string[] } }).state.order).toEqual([MODEL, MODEL, MODEL, MODEL]);

    const fresh = mcQuestions(30, 'new-');
    const before = server.snapshot().successes;
    const stdout = captureStream();
    const code = await runCommand(['--task', join(t.dir, 'task.json'), '--strategy', policy, '--models', MODEL, '--cache', join(t.dir, 'run.sqlite')], {
      stdin: Readable.from([fresh.map((q) => JSON.stringify(q)).join('\n')]),
      stdout,
      stderr: captureStream(),
      env: server.env(),
    });
    expect(code).toBe(0);
    const lines = stdout.text().trim().split('\n').map((l) => JSON.parse(l) as Line & { answer: string | null });
    const asked = lines.reduce((a, l) => a + (l.asked ?? 0), 0);
    expect(server.snapshot().successes - before).toBe(asked);
    expect(asked).toBeLessThan(30 * 4);
    for (const l of lines) {
      expect(l.answers.map((a) => a.sample)).toEqual([0, 1, 2, 3]);
      const given = l.answers.filter((a) => a.output !== null);
      expect(given.map((a) => a.sample)).toEqual(Array.from({ length: l.asked ?? 0 }, (_, s) => s));
      expect(given.map((a) => a.output)).toContain(l.answer);
    }
  });
});
