import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import { fuse } from '../../src/run/fuse.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { spawnRunChild } from '../support/run-child-process.js';
import { LABELS, MODELS, captureStream, expectedLabel, itemsOf, task, waitFor } from './setup.js';

const fixture = fakeServerFixture();

/** The majority of the three models' expected labels, ties to task label order. */
function expectedFused(text: string): string {
  const votes = new Map<string, number>();
  for (const m of MODELS) {
    const l = expectedLabel(m, text);
    votes.set(l, (votes.get(l) ?? 0) + 1);
  }
  let best = LABELS[0] as string;
  for (const l of LABELS) if ((votes.get(l) ?? 0) > (votes.get(best) ?? 0)) best = l;
  return best;
}

describe('fusion run and fuse() through the real SDKs', () => {
  it('streams one fused line per input line, in order, with each model answer; a re-run is served from the cache', async () => {
    const server = await fixture.start({ labels: LABELS, latencyMs: 3, faults: { rateLimit: 0.1, retryAfterMs: 10, serverError: 0.05 } });
    const t = fixture.tempDir();
    const taskFile = join(t.dir, 'task.json');
    writeFileSync(taskFile, JSON.stringify(task));
    const items = itemsOf(50);
    const input = [...items.slice(0, 20).map((i) => JSON.stringify(i)), '{"id": 3}', ...items.slice(20).map((i) => JSON.stringify(i))].join('\n');
    const argv = ['--task', taskFile, '--models', MODELS.join(','), '--concurrency', '5', '--cache', join(t.dir, 'c.sqlite')];

    const stdout = captureStream();
    const stderr = captureStream();
    const code = await runCommand(argv, { stdin: Readable.from([input]), stdout, stderr, env: server.env() });
    expect(code).toBe(1); // one bad line
    // A number is an id (pandas writes them); the line is bad for its missing text.
    expect(stderr.text()).toMatch(/^stdin:21: text: /m);
    const lines = stdout.text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(51);
    expect(lines[20]).toMatchObject({ line: 21 });
    const fused = lines.filter((l) => !('error' in l));
    expect(fused.map((l) => l.id)).toEqual(items.map((i) => i.id));
    fused.forEach((line, i) => {
      const item = items[i] as { id: string; text: string };
      expect(line.label).toBe(expectedFused(item.text));
      expect((line.answers as { model: string; label: string }[]).map((a) => [a.model, a.label])).toEqual(MODELS.map((m) => [m, expectedLabel(m, item.text)]));
    });
    const s1 = server.snapshot();
    expect(s1.successes).toBe(150);
    expect(s1.maxInFlight).toBeLessThanOrEqual(5);

    const stdout2 = captureStream();
    const code2 = await runCommand(argv, { stdin: Readable.from([input]), stdout: stdout2, stderr: captureStream(), env: server.env() });
    expect(code2).toBe(1);
    expect(server.snapshot().requests).toBe(s1.requests);
    expect(stdout2.text().split('\n').map((l) => (l ? JSON.parse(l).label : undefined))).toEqual(
      stdout.text().split('\n').map((l) => (l ? JSON.parse(l).label : undefined)),
    );
  });

  it('runs Dawid-Skene over batches and reports a missing key before any call', async () => {
    const server = await fixture.start({ labels: LABELS });
    const t = fixture.tempDir();
    const taskFile = join(t.dir, 'task.json');
    writeFileSync(taskFile, JSON.stringify(task));
    const items = itemsOf(30);
    const stdout = captureStream();
    const code = await runCommand(['--task', taskFile, '--models', MODELS.join(','), '--strategy', 'dawid-skene', '--batch', '10', '--no-cache'], {
      stdin: Readable.from([items.map((i) => JSON.stringify(i)).join('\n')]),
      stdout,
      stderr: captureStream(),
      env: server.env(),
    });
    expect(code).toBe(0);
    const lines = stdout.text().trim().split('\n').map((l) => JSON.parse(l) as { id: string; label: string });
    expect(lines.map((l) => l.id)).toEqual(items.map((i) => i.id));
    expect(lines.every((l) => LABELS.includes(l.label))).toBe(true);

    // A saved strategy brings its models: --models may be left out.
    const saved = join(t.dir, 'strategy.json');
    writeFileSync(saved, JSON.stringify({ format: 'llm-fusion/strategy', version: 1, strategy: 'majority-vote', task: task.name, labels: LABELS, models: MODELS, createdAt: '2026-01-01T00:00:00Z', state: {} }));
    const stdout3 = captureStream();
    expect(await runCommand(['--task', taskFile, '--strategy', saved, '--no-cache'], { stdin: Readable.from(['{"id":"s1","text":"good"}\n']), stdout: stdout3, stderr: captureStream(), env: server.env() })).toBe(0);
    expect((JSON.parse(stdout3.text()) as { answers: { model: string }[] }).answers.map((a) => a.model)).toEqual(MODELS);

    const before = server.snapshot().requests;
    const env = { ...server.env(), ANTHROPIC_API_KEY: '' };
    await expect(
      runCommand(['--task', taskFile, '--models', MODELS.join(','), '--no-cache'], { stdin: Readable.from(['{"id":"a","text":"b"}']), stdout: captureStream(), stderr: captureStream(), env }),
    ).rejects.toThrow(/ANTHROPIC_API_KEY is not set/);
    expect(server.snapshot().requests).toBe(before);
  });

  it('Ctrl-C stops reading, writes complete lines for what was read, exits 130; the re-run pays nothing twice', async () => {
    const server = await fixture.start({ labels: LABELS, latencyMs: 20 });
    const t = fixture.tempDir();
    const taskFile = join(t.dir, 'task.json');
    writeFileSync(taskFile, JSON.stringify(task));
    const items = itemsOf(120);
    const argv = ['--task', taskFile, '--models', MODELS.join(','), '--concurrency', '4', '--cache', join(t.dir, 'c.sqlite')];
    // A producer that trickles lines in, like a pipe from another program.
    async function* trickle() {
      for (const item of items) {
        yield `${JSON.stringify(item)}\n`;
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    const stdout = captureStream();
    const stderr = captureStream();
    const running = runCommand(argv, { stdin: Readable.from(trickle()), stdout, stderr, env: server.env() });
    await waitFor(() => (server?.snapshot().successes ?? 0) >= 30, 20_000, '30 answers');
    process.emit('SIGINT');
    expect(await running).toBe(130);
    expect(stderr.text()).toMatch(/interrupted; waiting for \d+ call\(s\) in flight/);
    expect(stderr.text()).toMatch(/Re-run the same command to resume/);
    const partial = stdout.text().trim().split('\n').map((l) => JSON.parse(l) as { id: string });
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(items.length);
    expect(partial.map((l) => l.id)).toEqual(items.slice(0, partial.length).map((i) => i.id));

    server.options.latencyMs = 1; // the resumed run need not be slow
    const stdout2 = captureStream();
    expect(await runCommand(argv, { stdin: Readable.from(trickle()), stdout: stdout2, stderr: captureStream(), env: server.env() })).toBe(0);
    expect(stdout2.text().trim().split('\n')).toHaveLength(items.length);
    const after = server.snapshot();
    expect(after.duplicateSuccesses).toBe(0);
    expect(after.successes).toBe(items.length * MODELS.length);
  });

  it('a real SIGINT to a fusion run process: exit 130, complete lines in order, a clear message', async () => {
    const server = await fixture.start({ labels: LABELS, latencyMs: 20 });
    const t = fixture.tempDir();
    const taskFile = join(t.dir, 'task.json');
    writeFileSync(taskFile, JSON.stringify(task));
    const items = itemsOf(300);
    // stdin stays open, like a producer that has more to say.
    const run = spawnRunChild(['--task', taskFile, '--models', MODELS.join(','), '--concurrency', '4', '--cache', join(t.dir, 'c.sqlite')], server.env(), items);
    try {
      await waitFor(() => (server?.snapshot().successes ?? 0) >= 30, 30_000, '30 answers');
      run.child.kill('SIGINT');
      expect(await run.exit(15_000)).toBe(130);
    } finally {
      run.child.kill('SIGKILL');
    }
    expect(run.err()).toMatch(/interrupted; waiting for \d+ call\(s\) in flight/);
    const lines = run.out().trim().split('\n').map((l) => JSON.parse(l) as { id: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThan(items.length);
    expect(lines.map((l) => l.id)).toEqual(items.slice(0, lines.length).map((i) => i.id));
  });

  it('a SIGINT while the producer is idle ends the run at once with every line read answered', async () => {
    const server = await fixture.start({ labels: LABELS, latencyMs: 5 });
    const t = fixture.tempDir();
    const taskFile = join(t.dir, 'task.json');
    writeFileSync(taskFile, JSON.stringify(task));
    const items = itemsOf(20);
    const run = spawnRunChild(['--task', taskFile, '--models', MODELS.join(','), '--no-cache'], server.env(), items);
    try {
      await waitFor(() => run.out().trim().split('\n').filter(Boolean).length === items.length, 30_000, 'all 20 lines');
      run.child.kill('SIGINT');
      expect(await run.exit(10_000)).toBe(130);
    } finally {
      run.child.kill('SIGKILL');
    }
    expect(server.snapshot().successes).toBe(items.length * MODELS.length);
  });

  it('fuse() classifies one text as a library call', async () => {
    const server = await fixture.start({ labels: LABELS });
    const text = 'Review number 7: the product was great.';
    const r = await fuse(task, text, { models: MODELS, env: server.env() });
    expect(r.label).toBe(expectedFused(text));
    expect(r.answers.map((a) => a.model)).toEqual(MODELS);
    expect(Object.values(r.distribution).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(r.cost).toBeGreaterThan(0);
    // A batch strategy on a single item still gives an answer (it reduces to a vote).
    const ds = await fuse(task, text, { models: MODELS, env: server.env(), strategy: 'dawid-skene' });
    expect(LABELS).toContain(ds.label);
  });
});
