import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { runCli } from '../support/run-cli.js';
import { MODELS, itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();
let servers: Server[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});

/** A provider whose every answer is an endless body (a JSON string that never ends); counts the bytes it managed to send. */
async function endlessServer(declareLength: boolean): Promise<{ url: string; sent: () => number }> {
  let sent = 0;
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', ...(declareLength ? { 'content-length': String(2 * 1024 ** 3) } : {}) });
    res.write('{"id":"x","choices":[{"message":{"role":"assistant","content":"');
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk)) sent += chunk.length;
      if (!res.destroyed) res.once('drain', pump);
    };
    res.on('close', () => undefined);
    pump();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, sent: () => sent };
}

/** Each provider adapter, and where its endpoint is set: the endless server stands in for it alone. */
const PROVIDERS = [
  { model: MODELS[0] as string, endpoint: (url: string) => ({ OPENAI_BASE_URL: `${url}/v1` }) },
  { model: MODELS[1] as string, endpoint: (url: string) => ({ ANTHROPIC_BASE_URL: url }) },
  { model: MODELS[2] as string, endpoint: (url: string) => ({ OLLAMA_HOST: url }) },
];

describe('issue 22 case 11 (live half): a huge provider body fails the call, it does not crash the process', () => {
  const cases = PROVIDERS.flatMap((p) => [false, true].map((declared) => [p.model, declared, p] as const));
  it.each(cases)('%s, an endless body (Content-Length declared: %s): that call fails with a clear reason after at most the limit; the other providers answer', async (model, declared, provider) => {
    vi.stubEnv('FUSION_MAX_RESPONSE_BYTES', String(1 << 20));
    const server = await endlessServer(declared);
    const fake = await fixture.start({ labels: ['positive', 'negative', 'neutral'] });
    const { dir } = fixture.tempDir();
    writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
    const r = await runCli(['run', '--task', join(dir, 'task.json'), '--models', MODELS.join(','), '--no-cache', '--max-attempts', '2', '--timeout', '60'], {
      input: itemsOf(2).map((i) => JSON.stringify(i)).join('\n') + '\n',
      env: { ...fake.env(), ...provider.endpoint(server.url) },
    });
    expect(r.status, r.stderr).toBe(4);
    const name = model.replace(/\./g, '\\.');
    expect(r.stderr).toMatch(new RegExp(`${name}: 2 call\\(s\\) bad-response, e\\.g\\. .*response body larger than 1048576 bytes`));
    // Not retried (a second attempt would get the same), and what was read stayed near the limit.
    expect(r.stderr).toMatch(new RegExp(`${name}: 0 new answer\\(s\\), 0 cached, 2 failed, 0 retries`));
    expect(server.sent()).toBeLessThan(64 * (1 << 20));
    // The other providers answered: the failure is that provider's calls only.
    for (const other of MODELS.filter((m) => m !== model)) expect(r.stderr).toMatch(new RegExp(`${other.replace(/\./g, '\\.')}: 2 new answer\\(s\\), 0 cached, 0 failed`));
    expect(fake.snapshot().successes).toBe(4);
  }, 120_000);
});
