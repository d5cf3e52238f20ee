import { Readable } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand, runHelp } from '../../src/cli/commands/run.js';
import { getStrategy, STRATEGIES } from '../../src/fuse/registry.js';
import { fuse } from '../../src/run/fuse.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { startWithTask } from '../support/live-folder.js';
import { LABELS, LETTERS, MODELS, captureStream, itemsOf, mcQuestions, mcTask, task } from '../integration/setup.js';

const fixture = fakeServerFixture();

/** The built-in strategies `fusion run --help` names under --strategy (whole names: dawid-skene is not dawid-skene-one-coin). */
function listedStrategies(): string[] {
  const section = runHelp.slice(runHelp.indexOf('--strategy S'), runHelp.indexOf('--batch-size N'));
  return STRATEGIES.map((s) => s.name).filter((name) => new RegExp(`(?<![\\w-])${name}(?![\\w-])`).test(section));
}

describe('fusion run --strategy X for every X that run --help lists', () => {
  const listed = listedStrategies();
  it('lists several strategies (the test reads the help, not a copy of it)', () => {
    expect(listed).toEqual(expect.arrayContaining(['majority-vote', 'soft-vote', 'soft-vote-log', 'dawid-skene', 'central']));
  });

  for (const name of listed) {
    // A strategy that uses the labels' order (median-label) runs on the same task with its labels declared ordered.
    const needsOrder = getStrategy(name).needsOrderedLabels === true;
    it(`${name}: a label on every classification line${needsOrder ? ' (labels ordered)' : ''}`, async () => {
      const server = await fixture.start({ labels: LABELS });
      const t = fixture.tempDir();
      writeFileSync(join(t.dir, 'task.json'), JSON.stringify(needsOrder ? { ...task, ordered: true } : task));
      const items = itemsOf(12);
      const stdout = captureStream();
      const stderr = captureStream();
      const code = await runCommand(['--task', join(t.dir, 'task.json'), '--models', MODELS.join(','), '--strategy', name, '--no-cache'], {
        stdin: Readable.from([items.map((i) => JSON.stringify(i)).join('\n')]),
        stdout,
        stderr,
        env: server.env(),
      });
      expect(stderr.text()).not.toMatch(/unexpected error/);
      expect(code).toBe(0);
      const lines = stdout.text().trim().split('\n').map((l) => JSON.parse(l) as { label: string | null });
      expect(lines).toHaveLength(items.length);
      for (const l of lines) expect(LABELS).toContain(l.label);
    });

    if (needsOrder) {
      it(`${name}: refused on a task without ordered labels before any model is asked`, async () => {
        const { server, t } = await startWithTask(fixture);
        const stderr = captureStream();
        const run = runCommand(['--task', join(t.dir, 'task.json'), '--models', MODELS.join(','), '--strategy', name, '--no-cache'], {
          stdin: Readable.from([itemsOf(4).map((i) => JSON.stringify(i)).join('\n')]),
          stdout: captureStream(),
          stderr,
          env: server.env(),
        });
        await expect(run).rejects.toThrow(/needs an ordered task/);
        expect(server.snapshot().requests).toBe(0);
      });
      continue;
    }

    it(`${name}: an answer on every multiple-choice QA line`, async () => {
      const server = await fixture.start({ labels: LETTERS });
      const t = fixture.tempDir();
      writeFileSync(join(t.dir, 'task.json'), JSON.stringify(mcTask));
      const qs = mcQuestions(8, 'q');
      const stdout = captureStream();
      const stderr = captureStream();
      const code = await runCommand(['--task', join(t.dir, 'task.json'), '--models', MODELS.join(','), '--strategy', name, '--no-cache'], {
        stdin: Readable.from([qs.map((q) => JSON.stringify(q)).join('\n')]),
        stdout,
        stderr,
        env: server.env(),
      });
      expect(stderr.text()).not.toMatch(/unexpected error/);
      expect(code).toBe(0);
      const lines = stdout.text().trim().split('\n').map((l) => JSON.parse(l) as { answer: string | null });
      expect(lines).toHaveLength(qs.length);
      for (const l of lines) expect(l.answer).not.toBeNull();
    });
  }

  it('fuse(task, text, { strategy: "soft-vote" }) and soft-vote-log give a label', async () => {
    const server = await fixture.start({ labels: LABELS });
    for (const strategy of ['soft-vote', 'soft-vote-log']) {
      const r = await fuse(task, 'I loved it', { models: MODELS, strategy, env: server.env() });
      expect(LABELS).toContain(r.label);
    }
  });
});
