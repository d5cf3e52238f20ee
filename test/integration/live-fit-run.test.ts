import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fitCommand } from '../../src/cli/commands/fit.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { createRequestBuilder } from '../../src/orchestrate/default-request.js';
import { recordFolderResponses } from '../../src/cli/record-folder.js';
import type { LanguageModel } from '../../src/providers/provider.js';
import { fakeLabel } from '../support/fake-llm-server.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, MODELS, captureStream, itemsOf, task } from './setup.js';
import { kindOf } from '../../src/kinds/registry.js';

const fixture = fakeServerFixture();

/** The item's true label on the fake server (what a model that never errs would say). */
function truth(text: string): string {
  const build = createRequestBuilder(task, kindOf(task).prompt);
  const user = build(task, { id: 'x', text }, { supportsLogprobs: false } as LanguageModel).messages.filter((m) => m.role === 'user').pop()?.content ?? '';
  return fakeLabel(LABELS, 'any', user, 0);
}

describe('live record, fit, then run with the fitted strategy', () => {
  it('goes from an unanswered labelled folder to fused answers on new items', async () => {
    const server = await fixture.start({ labels: LABELS, disagreement: 0.3 });
    const t = fixture.tempDir();
    const train = itemsOf(150).map((i) => ({ ...i, label: truth(i.text) }));
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    writeFileSync(join(t.dir, 'items.jsonl'), train.map((i) => JSON.stringify(i)).join('\n') + '\n');

    const recorded = await recordFolderResponses(t.dir, MODELS, { concurrency: '8', 'no-cache': true }, { stderr: captureStream() }, { env: server.env() });
    expect(recorded.recorded).toBe(150 * MODELS.length);

    const strategyFile = join(t.dir, 'strategy.json');
    const fitOut = captureStream();
    expect(await fitCommand([t.dir, '--strategy', 'weighted-vote', '--out', strategyFile, '--folds', '0'], { stdin: Readable.from([]), stdout: fitOut, stderr: captureStream() })).toBe(0);

    const fresh = Array.from({ length: 40 }, (_, i) => ({ id: `new-${i}`, text: `A new review ${i}, rather ${['good', 'poor', 'mixed'][i % 3]}.` }));
    const stdout = captureStream();
    const code = await runCommand(['--task', join(t.dir, 'task.json'), '--strategy', strategyFile, '--no-cache'], {
      stdin: Readable.from([fresh.map((i) => JSON.stringify(i)).join('\n')]),
      stdout,
      stderr: captureStream(),
      env: server.env(),
    });
    expect(code).toBe(0);
    const lines = stdout.text().trim().split('\n').map((l) => JSON.parse(l) as { id: string; label: string; answers: unknown[] });
    expect(lines.map((l) => l.id)).toEqual(fresh.map((i) => i.id));
    expect(lines.every((l) => l.answers.length === MODELS.length)).toBe(true);
    // Each model errs on ~30% of items independently; the fused answer should be right far more often.
    const correct = lines.filter((l, i) => l.label === truth((fresh[i] as { text: string }).text)).length;
    expect(correct / lines.length).toBeGreaterThan(0.75);
  });
});
