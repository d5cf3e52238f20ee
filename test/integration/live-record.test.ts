import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/orchestrate/cache.js';
import { cacheKey } from '../../src/orchestrate/cache-key.js';
import { createRequestBuilder } from '../../src/orchestrate/default-request.js';
import { resolveModels } from '../../src/run/models.js';
import { recordFolderResponses } from '../../src/cli/record-folder.js';
import { loadEvalFolder } from '../../src/kinds/load-folder.js';
import { ResponseSchema } from '../../src/task/schema.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, MODELS, captureStream, expectedLabel, itemsOf, task, waitFor, writeFolder } from './setup.js';
import { kindOf } from '../../src/kinds/registry.js';

const fixture = fakeServerFixture();

function readResponses(dir: string) {
  return readFileSync(join(dir, 'responses.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => ResponseSchema.parse(JSON.parse(l)));
}

describe('live eval through the real SDKs against the fake server', () => {
  it('answers every item with every model, retries faults, never exceeds concurrency, never pays twice', async () => {
    const N = 40;
    const server = await fixture.start({
      labels: LABELS,
      latencyMs: 5,
      faults: { rateLimit: 0.12, retryAfterMs: 30, serverError: 0.06, drop: 0.06, malformed: 0.04 },
    });
    const t = fixture.tempDir();
    writeFolder(t.dir, N);
    const cache = join(t.dir, 'cache.sqlite');
    const flags = { concurrency: '6', cache };
    const stderr = captureStream();
    const env = server.env();

    const first = await recordFolderResponses(t.dir, MODELS, flags, { stderr }, { env });
    const s1 = server.snapshot();
    expect(s1.maxInFlight).toBeLessThanOrEqual(6);
    expect(s1.faults).toBeGreaterThan(0);
    // Malformed bodies are not retried within a run: they are recorded as failures.
    expect(first.failed.every((f) => f.kind === 'bad-response')).toBe(true);
    expect(first.recorded + first.failed.length).toBe(N * MODELS.length);
    expect(stderr.text()).toContain('total:');

    // The re-run asks only for what failed; the server now answers those.
    const second = await recordFolderResponses(t.dir, MODELS, flags, { stderr }, { env });
    expect(second.alreadyRecorded).toBe(first.recorded);
    expect(second.failed).toEqual([]);
    expect(second.recorded).toBe(first.failed.length);

    const responses = readResponses(t.dir);
    expect(responses).toHaveLength(N * MODELS.length);
    const keys = new Set(responses.map((r) => `${r.item}/${r.model}`));
    expect(keys.size).toBe(N * MODELS.length);
    for (const item of itemsOf(N)) {
      for (const model of MODELS) {
        const r = responses.find((x) => x.item === item.id && x.model === model);
        expect(r?.output).toBe(expectedLabel(model, item.text));
      }
    }
    const openai = responses.find((r) => r.model === 'openai:gpt-4o-mini');
    expect(openai?.tokens?.input).toBeGreaterThan(0);
    expect(openai?.cost).toBeGreaterThan(0);
    expect(openai?.logprobs?.[0]?.top_logprobs?.length).toBeGreaterThan(0);

    // The folder is now a recorded set that the offline loader accepts as is.
    const folder = loadEvalFolder(t.dir, { requireResponses: true });
    expect(folder.responses).toHaveLength(N * MODELS.length);

    const s2 = server.snapshot();
    expect(s2.successes).toBe(N * MODELS.length);
    expect(s2.duplicateSuccesses).toBe(0);
    expect(s2.maxInFlight).toBeLessThanOrEqual(6);

    // No key leaks into the cache, the responses or the messages.
    for (const text of [readFileSync(cache).toString('latin1'), readFileSync(join(t.dir, 'responses.jsonl'), 'utf8'), stderr.text()]) {
      expect(text).not.toContain('test-key-openai');
      expect(text).not.toContain('test-key-anthropic');
    }

    // A third run makes no request at all.
    const third = await recordFolderResponses(t.dir, MODELS, flags, { stderr }, { env });
    expect(third.recorded).toBe(0);
    expect(server.snapshot().requests).toBe(s2.requests);
  });

  it('abandons a call that exceeds --timeout and retries it; the late answer is never counted', async () => {
    const N = 20;
    const server = await fixture.start({ labels: LABELS, faults: { slow: 0.3, slowMs: 4000 } });
    const t = fixture.tempDir();
    writeFolder(t.dir, N);
    const r = await recordFolderResponses(t.dir, MODELS, { concurrency: '8', 'no-cache': true, timeout: '0.3' }, { stderr: captureStream() }, { env: server.env() });
    expect(r.failed).toEqual([]);
    expect(r.recorded).toBe(N * MODELS.length);
    // Retried calls: their first attempt was abandoned, not awaited (the slow attempt is the only fault).
    const s = server.snapshot();
    expect(s.requests).toBeGreaterThan(N * MODELS.length);
    expect(s.successes - s.duplicateSuccesses).toBe(N * MODELS.length);
    // Each (item, model) is recorded once: an answer that arrives after its call was abandoned is not.
    const keys = readResponses(t.dir).map((r) => `${r.item}\u0000${r.model}`);
    expect(keys).toHaveLength(N * MODELS.length);
    expect(new Set(keys).size).toBe(N * MODELS.length);
  });

  it('Ctrl-C stops issuing calls, keeps everything done, and the resumed run makes only the missing calls', async () => {
    const N = 60;
    const server = await fixture.start({ labels: LABELS, latencyMs: 15 });
    const t = fixture.tempDir();
    writeFolder(t.dir, N);
    const flags = { concurrency: '4', cache: join(t.dir, 'cache.sqlite') };
    const running = recordFolderResponses(t.dir, MODELS, flags, { stderr: captureStream() }, { env: server.env() });
    await waitFor(() => (server?.snapshot().successes ?? 0) >= 30, 20_000, '30 answers');
    process.emit('SIGINT');
    const first = await running;
    expect(first.stopReason).toBe('interrupted');
    expect(first.skipped).toBeGreaterThan(0);
    const done = server.snapshot().successes;
    expect(first.recorded).toBe(done); // calls in flight were allowed to finish and were kept
    expect(done).toBeLessThan(N * MODELS.length);

    const second = await recordFolderResponses(t.dir, MODELS, flags, { stderr: captureStream() }, { env: server.env() });
    expect(second.stopReason).toBeUndefined();
    expect(second.recorded).toBe(N * MODELS.length - done);
    const s = server.snapshot();
    expect(s.successes).toBe(N * MODELS.length);
    expect(s.duplicateSuccesses).toBe(0);
    expect(readResponses(t.dir)).toHaveLength(N * MODELS.length);
  });

  it('a run killed with SIGKILL resumes with only the calls whose answers were not stored', async () => {
    const N = 60;
    const server = await fixture.start({ labels: LABELS, latencyMs: 15 });
    const t = fixture.tempDir();
    writeFolder(t.dir, N);
    const cachePath = join(t.dir, 'cache.sqlite');
    const childScript = fileURLToPath(new URL('../support/record-child.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, t.dir, MODELS.join(','), '4', cachePath], {
      env: { ...process.env, ...server.env() },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let childErr = '';
    child.stderr.on('data', (c: Buffer) => (childErr += c.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      await waitFor(() => (server?.snapshot().successes ?? 0) >= 40 || child.exitCode !== null, 30_000, 'the child to get 40 answers');
    } finally {
      child.kill('SIGKILL');
    }
    await exited;
    expect(childErr).not.toMatch(/error/i);
    const answeredBeforeKill = server.snapshot().successes;
    expect(answeredBeforeKill).toBeLessThan(N * MODELS.length);
    // What survived the kill: answers committed to the cache, lines completed in responses.jsonl.
    const c = new SqliteStore(cachePath);
    const stored = await c.size();
    const handles = resolveModels(MODELS, server.env());
    const build = createRequestBuilder(task, kindOf(task).prompt);
    const fileLines = readFileSync(join(t.dir, 'responses.jsonl'), 'utf8').split('\n').slice(0, -1);
    const inFile = new Set(fileLines.map((l) => { const r = JSON.parse(l) as { item: string; model: string }; return `${r.item}/${r.model}`; }));
    let kept = 0;
    for (const item of itemsOf(N)) {
      for (const h of handles) {
        const cached = (await c.get(cacheKey(h.model.provider, h.model.modelId, build(task, item, h.model), h.model.endpoint))) !== undefined;
        if (cached || inFile.has(`${item.id}/${h.name}`)) kept++;
      }
    }
    await c.close();
    expect(kept).toBeGreaterThanOrEqual(stored);
    // Only answers in flight (or received in the last event-loop turn) at the kill can be lost.
    expect(answeredBeforeKill - kept).toBeLessThanOrEqual(2 * 4);

    const resumed = await recordFolderResponses(t.dir, MODELS, { concurrency: '4', cache: cachePath }, { stderr: captureStream() }, { env: server.env() });
    expect(resumed.failed).toEqual([]);
    const s = server.snapshot();
    expect(s.successes - answeredBeforeKill).toBe(N * MODELS.length - kept);
    const responses = readResponses(t.dir);
    expect(new Set(responses.map((r) => `${r.item}/${r.model}`)).size).toBe(N * MODELS.length);
    expect(responses).toHaveLength(N * MODELS.length);
  });

  it('stops at --max-cost, says so, and never overspends', async () => {
    const N = 50;
    const server = await fixture.start({ labels: LABELS, latencyMs: 2 });
    const t = fixture.tempDir();
    writeFolder(t.dir, N);
    // A deliberately steep price so a few cents buy a handful of calls.
    const prices = join(t.dir, 'prices.json');
    writeFileSync(prices, JSON.stringify({ 'openai:gpt-4o-mini': { input: 100, output: 100 }, 'anthropic:claude-3-5-haiku-latest': { input: 100, output: 100 } }));
    const stderr = captureStream();
    const maxCost = 0.5;
    const r = await recordFolderResponses(
      t.dir,
      MODELS,
      { concurrency: '8', cache: join(t.dir, 'cache.sqlite'), prices, 'max-cost': String(maxCost) },
      { stderr },
      { env: server.env() },
    );
    expect(r.stopReason).toBe('budget');
    expect(r.skipped).toBeGreaterThan(0);
    expect(stderr.text()).toMatch(/--max-cost budget of \$0\.5000 was reached/);
    const spent = readResponses(t.dir).reduce((s, x) => s + (x.cost ?? 0), 0);
    expect(spent).toBeLessThanOrEqual(maxCost);
    expect(spent).toBeGreaterThan(maxCost / 2);
    // Requests that reached the server are exactly the answers recorded: nothing paid and lost.
    expect(server.snapshot().successes).toBe(r.recorded);
  });
});
