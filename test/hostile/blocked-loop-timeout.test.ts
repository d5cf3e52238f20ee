import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../src/orchestrate/orchestrator.js';
import { createModel } from '../../src/providers/registry.js';
import type { FakeServerStats } from '../support/fake-llm-server.js';
import { repoRoot } from '../support/run-cli.js';
import { LABELS, itemsOf } from '../integration/setup.js';

const serverScript = fileURLToPath(new URL('../support/fake-llm-server.ts', import.meta.url));
let child: ChildProcessByStdio<Writable, Readable, null> | undefined;
afterEach(() => {
  child?.stdin.end();
  child = undefined;
});

/** The fake server in a process of its own: it answers while this thread is stalled. */
async function serverProcess(latencyMs: number): Promise<{ env: Record<string, string>; stats: () => Promise<FakeServerStats> }> {
  child = spawn(process.execPath, ['--import', 'tsx', serverScript, '--labels', LABELS.join(','), '--latency', String(latencyMs)], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child!.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = /\{"port":\d+\}/.exec(out);
      if (line) resolve((JSON.parse(line[0]) as { port: number }).port);
    });
    child!.on('exit', () => reject(new Error('the fake server exited')));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    env: { OPENAI_API_KEY: 'test-key-openai', OPENAI_BASE_URL: `${url}/v1` },
    stats: async () => (await (await fetch(`${url}/_stats`)).json()) as FakeServerStats,
  };
}

/** Blocks this thread for `ms`, as a synchronous SQLite busy wait on a locked cache does. */
function blockFor(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy: nothing else runs on this thread meanwhile
  }
}

/**
 * The event loop stalled past a call's deadline (a store waiting on another process's lock, a
 * long garbage collection) while the answer arrived: when the loop resumes, its timers run before
 * the sockets are read, so the call used to be cancelled as timed out with its answer already
 * received, then charged and asked again: paid twice. A deadline that passed during a stall gives
 * what already arrived one turn of the loop.
 */
describe('a deadline passed while the event loop was stalled', () => {
  it('an answer that arrived during the stall is taken, not timed out and bought again', async () => {
    const server = await serverProcess(100);
    const env = server.env;
    const orchestrator = new Orchestrator({ timeoutMs: 300, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 } });
    const request = { messages: [{ role: 'user' as const, content: itemsOf(1)[0]!.text }], maxTokens: 16 };
    const handle = { name: 'openai:gpt-4o-mini', model: createModel('openai:gpt-4o-mini', env) };
    // A first call opens the connection, so the stall below is not spent connecting.
    expect((await orchestrator.call(handle, { ...request, messages: [{ role: 'user', content: 'warm up' }] })).status).toBe('ok');
    const outcome = orchestrator.call(handle, request);
    // The stall starts once the request is out (the server answers after 100 ms) and lasts past the
    // deadline (300 ms); the answer comes meanwhile. It runs where a group commit does (setImmediate),
    // after which the loop runs its timers before it reads the sockets.
    setTimeout(() => setImmediate(() => blockFor(600)), 50);
    const result = await outcome;
    expect(result.status).toBe('ok');
    expect(result.status === 'ok' && result.attempts).toBe(1);
    const stats = await server.stats();
    expect(stats.requests).toBe(2);
    expect(stats.duplicateSuccesses).toBe(0);
  });
});
