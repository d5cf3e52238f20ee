import { appendFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LABELS, itemsOf, task, waitFor } from '../integration/setup.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { runCli } from '../support/run-cli.js';
import { startCliProcess } from '../support/cli-process.js';

const fixture = fakeServerFixture();

const MODELS = 'openai:gpt-4o-mini,anthropic:claude-3-5-haiku-latest';

function setUp(dir: string, n: number): { taskFile: string; input: string; out: string } {
  const taskFile = join(dir, 'task.json');
  writeFileSync(taskFile, JSON.stringify(task));
  const input = join(dir, 'items.jsonl');
  writeFileSync(input, itemsOf(n).map((x) => JSON.stringify(x)).join('\n') + '\n');
  return { taskFile, input, out: join(dir, 'fused.jsonl') };
}

describe('fusion run --output FILE: the file appears whole or not at all', () => {
  it('interrupted: no cut FILE (the lines so far are kept beside it, named); the same command then writes it whole, paying nothing twice', async () => {
    const server = await fixture.start({ labels: LABELS, latencyMs: 20 });
    const t = fixture.tempDir();
    const { taskFile, input, out } = setUp(t.dir, 40);
    const argv = ['run', '--task', taskFile, '--models', MODELS, '--input', input, '--output', out, '--cache', join(t.dir, 'c.sqlite'), '--concurrency', '2', '--window', '4'];
    const running = runCli(argv, { env: server.env() });
    await waitFor(() => server.snapshot().successes >= 8, 20_000, '8 answers');
    process.emit('SIGINT');
    const stopped = await running;
    expect(stopped.status).toBe(130);
    expect(existsSync(out)).toBe(false);
    const kept = readdirSync(t.dir).filter((f) => f.startsWith('fused.jsonl.partial-'));
    expect(kept).toHaveLength(1);
    expect(stopped.stderr).toContain(kept[0]);
    const partial = readFileSync(join(t.dir, kept[0] as string), 'utf8');
    expect(partial.endsWith('\n')).toBe(true);
    const partialLines = partial.trim().split('\n').map((l) => JSON.parse(l) as { id: string });
    expect(partialLines.length).toBeLessThan(40);

    const paid = server.snapshot().successes;
    const resumed = await runCli(argv, { env: server.env() });
    expect(resumed.status).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string });
    expect(lines.map((l) => l.id)).toEqual(itemsOf(40).map((x) => x.id));
    expect(server.snapshot().duplicateSuccesses).toBe(0);
    expect(server.snapshot().successes).toBe(80);
    expect(server.snapshot().successes - paid).toBeLessThan(80);
    // The partial file of the interrupted run is the user's to remove: left as it was.
    expect(readFileSync(join(t.dir, kept[0] as string), 'utf8')).toBe(partial);
  });

  it('killed with SIGKILL mid-write (a half line left at the end of its partial file): the same command writes FILE whole from the cache, the partial file untouched, only the calls in flight paid again', async () => {
    const server = await fixture.start({ labels: LABELS, latencyMs: 20 });
    const t = fixture.tempDir();
    const { taskFile, input, out } = setUp(t.dir, 40);
    const argv = ['run', '--task', taskFile, '--models', MODELS, '--input', input, '--output', out, '--cache', join(t.dir, 'c.sqlite'), '--concurrency', '2', '--window', '4'];
    const killed = startCliProcess(argv, server.env());
    const partialName = (): string | undefined => readdirSync(t.dir).find((f) => f.startsWith('fused.jsonl.partial-'));
    try {
      await waitFor(() => server.snapshot().successes >= 20 && (partialName() !== undefined && readFileSync(join(t.dir, partialName() as string), 'utf8').length > 0), 20_000, 'lines in the partial file');
    } finally {
      killed.child.kill('SIGKILL');
    }
    expect(await killed.exit(10_000)).toBe('SIGKILL');
    const kept = partialName() as string;
    // What a kill in the middle of a write leaves: whole lines, then the head of the next.
    appendFileSync(join(t.dir, kept), '{"id":"item-3","label":"pos');
    const partial = readFileSync(join(t.dir, kept), 'utf8');
    const inFlight = 2;
    const paid = server.snapshot().successes;

    const resumed = await runCli(argv, { env: server.env() });
    expect(resumed.status, resumed.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string });
    expect(lines.map((l) => l.id)).toEqual(itemsOf(40).map((x) => x.id));
    expect(server.snapshot().successes).toBeLessThanOrEqual(80 + inFlight);
    expect(server.snapshot().duplicateSuccesses).toBeLessThanOrEqual(inFlight);
    expect(server.snapshot().successes - paid).toBeLessThan(80);
    expect(readFileSync(join(t.dir, kept), 'utf8')).toBe(partial);
  });

  it('--output naming the --cache file is refused before any call', async () => {
    const server = await fixture.start({ labels: LABELS });
    const t = fixture.tempDir();
    const { taskFile, input } = setUp(t.dir, 4);
    const cache = join(t.dir, 'c.sqlite');
    const r = await runCli(['run', '--task', taskFile, '--models', MODELS, '--input', input, '--output', cache, '--cache', cache], { env: server.env() });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--output .*c\.sqlite/);
    expect(server.snapshot().requests).toBe(0);
  });

  it('--batch with an --output that exists is refused before any batch is submitted (not after the batches were paid)', async () => {
    const server = await fixture.start({ labels: LABELS, batches: {} });
    const t = fixture.tempDir();
    const { taskFile, input, out } = setUp(t.dir, 4);
    writeFileSync(out, 'mine\n');
    const r = await runCli(['run', '--task', taskFile, '--models', MODELS, '--input', input, '--output', out, '--cache', join(t.dir, 'c.sqlite'), '--batch', '--batch-poll', '0.01'], { env: server.env() });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--output .*exists/);
    expect(server.snapshot().batchesCreated).toBe(0);
    expect(server.snapshot().requests).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('mine\n');
  });
});

describe('fusion run --output FILE stopped by --max-cost', () => {
  it('exit 3, no FILE (the lines are kept beside it, named); the same command with room to finish writes FILE, paying nothing twice', async () => {
    const server = await fixture.start({ labels: LABELS });
    const t = fixture.tempDir();
    const { taskFile, input, out } = setUp(t.dir, 40);
    const prices = join(t.dir, 'prices.json');
    writeFileSync(prices, JSON.stringify({ 'openai:gpt-4o-mini': { input: 10, output: 10 }, 'anthropic:claude-3-5-haiku-latest': { input: 10, output: 10 } }));
    const argv = (budget: string): string[] => ['run', '--task', taskFile, '--models', MODELS, '--input', input, '--output', out, '--cache', join(t.dir, 'c.sqlite'), '--prices', prices, '--max-cost', budget];
    const stopped = await runCli(argv('0.03'), { env: server.env() });
    expect(stopped.status).toBe(3);
    expect(existsSync(out)).toBe(false);
    const kept = readdirSync(t.dir).filter((f) => f.startsWith('fused.jsonl.partial-'));
    expect(kept).toHaveLength(1);
    expect(stopped.stderr).toContain(`stopped by --max-cost: ${out} not written; the lines so far are in ${join(t.dir, kept[0] as string)}`);
    const paid = server.snapshot().successes;
    expect(paid).toBeLessThan(80);
    const resumed = await runCli(argv('100'), { env: server.env() });
    expect(resumed.status).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(40);
    expect(server.snapshot().successes).toBe(80);
    expect(server.snapshot().duplicateSuccesses).toBe(0);
  });
});

describe('--output in a folder that does not exist, or a file that cannot be written', () => {
  it('fusion run and fusion fuse: a usage error before any call (fusion run exited 0 having written nothing; fuse crashed)', async () => {
    const server = await fixture.start({ labels: LABELS });
    const t = fixture.tempDir();
    const { taskFile, input } = setUp(t.dir, 3);
    const out = join(t.dir, 'no-such-folder', 'fused.jsonl');
    const run = await runCli(['run', '--task', taskFile, '--models', MODELS, '--input', input, '--output', out, '--no-cache'], { env: server.env() });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`--output ${out}: its folder does not exist`);
    expect(server.snapshot().requests).toBe(0);
    writeFileSync(join(t.dir, 'responses.jsonl'), itemsOf(3).map((x) => JSON.stringify({ item: x.id, model: 'a', output: 'positive' })).join('\n'));
    const fuse = await runCli(['fuse', '--answers', join(t.dir, 'responses.jsonl'), '--task', taskFile, '--output', out, '--quiet']);
    expect(fuse.status).toBe(2);
    expect(fuse.stderr).toContain('its folder does not exist');
  });

  it('a write error (disk full): the file is not given its name, close() says why, the lines stay under the partial name', async () => {
    const { openOutput } = await import('../../src/cli/table-args.js');
    const t = fixture.tempDir();
    const out = join(t.dir, 'fused.csv');
    const sink = openOutput({ output: out }, process.stdout);
    await new Promise((r) => sink.output.write('id,label\n1,positive\n', r));
    // The error is seen once the stream has closed its file (an fs close on the thread pool, which
    // a loaded machine can take longer than any fixed wait to run).
    const closed = new Promise((r) => sink.output.once('close', r));
    sink.output.destroy(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    await closed;
    expect(sink.failure()?.message).toMatch(/no space/);
    await expect(sink.close()).rejects.toThrow(/no space/);
    const kept = await sink.abandon();
    expect(existsSync(out)).toBe(false);
    expect(kept).toMatch(/fused\.csv\.partial-/);
    expect(readFileSync(kept as string, 'utf8')).toBe('id,label\n1,positive\n');
  });
});

