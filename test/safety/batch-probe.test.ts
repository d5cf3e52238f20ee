import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { runCli } from '../support/run-cli.js';
import { itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

describe('issue 22 case 15: an unexpected answer to the batch probe falls back to live calls', () => {
  it.each([400, 500, 418])('GET /v1/batches answered %i: the run goes on live, with a note', async (status) => {
    let chats = 0;
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url?.startsWith('/v1/batches')) {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: 'gateway says no' } }));
          return;
        }
        chats++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'c', object: 'chat.completion', created: 0, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'positive' }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 } }));
      });
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const { dir } = fixture.tempDir();
    writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
    const r = await runCli(['run', '--task', join(dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--batch', '--cache', join(dir, 'c.sqlite')], {
      input: itemsOf(3).map((i) => JSON.stringify(i)).join('\n') + '\n',
      env: { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: url },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`answered the batch probe (/v1/batches) with HTTP ${status}; asked with live calls`);
    expect(chats).toBe(3);
  }, 60_000);
});
