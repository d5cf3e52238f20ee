import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fitCommand } from '../../src/cli/commands/fit.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { recordFolderResponses } from '../../src/cli/record-folder.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { MODELS, captureStream, expectedLabel, itemsOf, task } from './setup.js';

const fixture = fakeServerFixture();

/** A model that answers every item with program code no reader reads (an abstention, never a label). */
const JUNK = MODELS[2] as string;
const JUNK_ID = JUNK.slice(JUNK.indexOf(':') + 1);

describe('fusion run with a saved adaptive policy and a model that never gave a readable answer', () => {
  it('saves the skipped model and makes no call to it, even at the setting that asks everything (server-side counts per model)', async () => {
    const server = await fixture.start({ labels: task.labels.map((l) => l.name), disagreement: 0.3, content: ({ model }) => (model === JUNK_ID ? 'def solve():\n    return 3 * 4' : undefined) });
    const t = fixture.tempDir();
    const train = itemsOf(90).map((i) => ({ ...i, label: expectedLabel(MODELS[0] as string, i.text) }));
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    writeFileSync(join(t.dir, 'items.jsonl'), train.map((i) => JSON.stringify(i)).join('\n') + '\n');
    await recordFolderResponses(t.dir, MODELS, { concurrency: '8', 'no-cache': true }, { stderr: captureStream() }, { env: server.env() });
    expect(server.snapshot().perModel[JUNK_ID]).toBe(train.length);
    const policy = join(t.dir, 'policy.json');
    expect(await fitCommand([t.dir, '--strategy', 'adaptive', '--out', policy, '--folds', '0'], { stdin: Readable.from([]), stdout: captureStream(), stderr: captureStream() })).toBe(0);
    const saved = JSON.parse(readFileSync(policy, 'utf8')) as { state: { order: string[]; skipped?: { model: string; sample: number }[]; rule: { kind: string; tau?: number } } };
    expect(saved.state.skipped).toEqual([{ model: JUNK, sample: 0 }]);
    expect(saved.state.order).not.toContain(JUNK);
    // The deepest setting (never confident enough to stop): every call the policy can make, on every item.
    saved.state.rule = { kind: 'agreement', tau: 2 };
    writeFileSync(policy, JSON.stringify(saved));

    const fresh = Array.from({ length: 20 }, (_, i) => ({ id: `new-${i}`, text: `A new review ${i}, rather ${['good', 'poor', 'mixed'][i % 3]}.` }));
    const before = server.snapshot().perModel;
    const stdout = captureStream();
    const code = await runCommand(['--task', join(t.dir, 'task.json'), '--strategy', policy, '--models', MODELS.join(','), '--cache', join(t.dir, 'cache.sqlite')], {
      stdin: Readable.from([fresh.map((i) => JSON.stringify(i)).join('\n')]),
      stdout,
      stderr: captureStream(),
      env: server.env(),
    });
    expect(code).toBe(0);
    const after = server.snapshot().perModel;
    const calls = (id: string) => (after[id] ?? 0) - (before[id] ?? 0);
    expect(calls(JUNK_ID)).toBe(0);
    for (const spec of MODELS.slice(0, 2)) expect(calls(spec.slice(spec.indexOf(':') + 1))).toBe(fresh.length);
    const lines = stdout.text().trim().split('\n').map((l) => JSON.parse(l) as { asked?: number; label: string | null });
    expect(lines).toHaveLength(fresh.length);
    expect(lines.every((l) => l.asked === 2 && l.label !== null)).toBe(true);
  });
});
