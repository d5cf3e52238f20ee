import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Orchestrator } from '../../src/orchestrate/orchestrator.js';
import { ProviderError } from '../../src/providers/provider.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, captureStream, itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();

function io(env: Record<string, string>, input = '') {
  const stdin = new PassThrough();
  stdin.end(input);
  return { stdin, stdout: captureStream(), stderr: captureStream(), env };
}

describe('issue 11 case 9: the cache key names the endpoint', () => {
  it('two OpenAI-compatible servers serving the same model id do not share cached answers', async () => {
    const local = await fixture.start({ labels: LABELS });
    const hosted = await fixture.start({ labels: LABELS });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const input = itemsOf(5).map((i) => JSON.stringify(i)).join('\n') + '\n';
    const args = ['run', '--task', join(t.dir, 'task.json'), '--models', 'openai:llama-3-8b', '--cache', join(t.dir, 'c.sqlite')];
    expect(await main(args, io(local.env(), input))).toBe(0);
    expect(await main(args, io(hosted.env(), input))).toBe(0);
    expect(local.snapshot().successes).toBe(5);
    expect(hosted.snapshot().successes).toBe(5);
    // The same endpoint again: all from the cache.
    expect(await main(args, io(local.env(), input))).toBe(0);
    expect(local.snapshot().requests).toBe(5);
  });

  it('a cache written by 0.1 (keys without endpoint) is ignored with a message, not served', async () => {
    const server = await fixture.start({ labels: LABELS });
    const t = fixture.tempDir();
    const cachePath = join(t.dir, 'c.sqlite');
    // A 0.1 cache: the same tables, no meta table, one answer under an old key.
    const db = new Database(cachePath);
    db.exec(`CREATE TABLE responses (key TEXT PRIMARY KEY, provider TEXT NOT NULL, model TEXT NOT NULL, text TEXT NOT NULL, logprobs TEXT,
      input_tokens INTEGER, output_tokens INTEGER, cost REAL, latency_ms REAL NOT NULL, finish_reason TEXT, created_at TEXT NOT NULL)`);
    db.prepare('INSERT INTO responses VALUES (?, ?, ?, ?, NULL, NULL, NULL, NULL, 1, NULL, ?)').run('old', 'openai', 'gpt-4o-mini', 'negative', 'then');
    db.close();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const run = io(server.env(), `${JSON.stringify(itemsOf(1)[0])}\n`);
    expect(await main(['run', '--task', join(t.dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--cache', cachePath], run)).toBe(0);
    expect(run.stderr.text()).toMatch(/holds 1 answer\(s\) stored by an older llm-fusion whose keys do not name the endpoint; they are ignored/);
    expect(server.snapshot().requests).toBe(1);
    const again = io(server.env(), `${JSON.stringify(itemsOf(1)[0])}\n`);
    await main(['run', '--task', join(t.dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--cache', cachePath], again);
    expect(again.stderr.text()).not.toMatch(/older llm-fusion/);
  });
});

describe('issue 11 case 10: a timeout error carries the provider:model prefix', () => {
  it('names the model like every other error', async () => {
    const never = { provider: 'openai', modelId: 'slow', supportsLogprobs: false, generate: () => new Promise<never>(() => undefined) };
    const o = new Orchestrator({ timeoutMs: 20, retry: { maxAttempts: 1 } });
    const outcome = await o.call({ name: 'openai:slow', model: never }, { messages: [{ role: 'user', content: 'x' }] });
    expect(outcome.status).toBe('failed');
    const error = (outcome as { error: ProviderError }).error;
    expect(error.kind).toBe('timeout');
    expect(error.message).toMatch(/^openai:slow: no answer within 20 ms/);
  });
});
