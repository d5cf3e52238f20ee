import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEAD_AFTER_ATTEMPTS, EndpointHealth } from '../../src/orchestrate/endpoint-health.js';
import { ProviderError } from '../../src/providers/provider.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { runCli } from '../support/run-cli.js';
import { LABELS, itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();

/** A port nothing listens on: taken, then released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function taskFile(): string {
  const { dir } = fixture.tempDir();
  writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
  return join(dir, 'task.json');
}

const input = (n: number): string => itemsOf(n).map((i) => JSON.stringify(i)).join('\n') + '\n';

describe('issue 22 case 13: a dead endpoint or a wrong key does not burn the whole run', () => {
  it('a 401 on every call: a few requests, not 200; exit 4; the message names the endpoint, never the key', async () => {
    const server = await fixture.start({ labels: LABELS, failAll: { status: 401, message: 'Incorrect API key provided' } });
    const r = await runCli(['run', '--task', taskFile(), '--models', 'openai:gpt-4o-mini', '--concurrency', '4', '--no-cache'], { input: input(200), env: { ...server.env(), OPENAI_API_KEY: 'sk-wrong-key-1234567890' } });
    expect(r.status, r.stderr).toBe(4);
    expect(server.snapshot().requests).toBeLessThanOrEqual(4 + 3);
    expect(r.stderr).toContain(`stopped calling ${server.url}/v1`);
    expect(r.stderr).toMatch(/HTTP 401, the key is refused/);
    expect(r.stderr).not.toContain('sk-wrong-key-1234567890');
    expect(r.stdout.trim().split('\n')).toHaveLength(200);
  }, 120_000);

  it('a typo in OPENAI_BASE_URL (connection refused): given up after a few attempts, the other provider answers everything', async () => {
    const server = await fixture.start({ labels: LABELS });
    const port = await closedPort();
    const started = Date.now();
    const r = await runCli(['run', '--task', taskFile(), '--models', 'openai:gpt-4o-mini,anthropic:claude-3-5-haiku-latest', '--concurrency', '4', '--no-cache'], {
      input: input(60),
      env: { ...server.env(), OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1?key=secret-in-query`, OPENAI_API_KEY: 'sk-secret-abcdef' },
    });
    expect(r.status, r.stderr).toBe(4);
    expect(r.stderr, r.stderr).toContain(`stopped calling http://127.0.0.1:${port}/v1`);
    expect(r.stderr).toMatch(/connection refused/);
    expect(r.stderr).not.toMatch(/secret/);
    expect(r.stderr).toMatch(/openai:gpt-4o-mini: 0 new answer\(s\), 0 cached, 60 failed/);
    expect(server.snapshot().perModel['claude-3-5-haiku-latest']).toBe(60);
    // Without the guard each of the 60 calls makes 5 attempts with backoff.
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);

  it('an endpoint that answered once is never given up; rate limits and server errors never count', () => {
    const handle = { name: 'openai:m', model: { provider: 'openai', modelId: 'm', endpoint: 'http://h/v1' } };
    const refused = new ProviderError('connection', 'x', { code: 'ECONNREFUSED' });
    const health = new EndpointHealth();
    health.succeeded(handle);
    for (let k = 0; k < 10; k++) health.failed(handle, refused);
    expect(health.deadError(handle)).toBeUndefined();
    const busy = new EndpointHealth();
    for (let k = 0; k < 10; k++) busy.failed(handle, new ProviderError('rate-limit', 'x', { status: 429 }));
    for (let k = 0; k < 10; k++) busy.failed(handle, new ProviderError('server', 'x', { status: 503 }));
    expect(busy.deadError(handle)).toBeUndefined();
    const dead = new EndpointHealth();
    for (let k = 0; k < DEAD_AFTER_ATTEMPTS; k++) dead.failed(handle, refused);
    expect(dead.deadError(handle)?.message).toMatch(/stopped calling http:\/\/h\/v1/);
  });
});
