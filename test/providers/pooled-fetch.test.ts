import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { tooLargeIn } from '../../src/providers/limited-fetch.js';
import { OpenAIModel } from '../../src/providers/openai/openai-model.js';
import { pooledFetch } from '../../src/providers/pooled-fetch.js';

const LIMIT = 1 << 16;
let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r).closeAllConnections())));
  servers = [];
});

/** A real server on 127.0.0.1, port 0; returns its base URL and the sockets it accepted. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ url: string; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c)).on('end', () => handler(req, res, body));
  });
  server.on('connection', (s) => sockets.add(s));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, sockets };
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('pooledFetch: what the SDKs need of fetch, on undici request', () => {
  it('sends method, headers and body, and returns status, headers and the whole body', async () => {
    let seen: { method?: string; auth?: string; type?: string; body?: string } = {};
    const { url } = await serve((req, res, body) => {
      seen = { method: req.method, auth: req.headers.authorization, type: req.headers['content-type'], body };
      res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'r1' });
      res.end(JSON.stringify({ ok: true, echo: body }));
    });
    const headers = new Headers({ authorization: 'Bearer k', 'content-type': 'application/json' });
    const response = await pooledFetch(LIMIT)(`${url}/v1/chat/completions`, { method: 'POST', headers, body: '{"a":1}' });
    expect(seen).toEqual({ method: 'POST', auth: 'Bearer k', type: 'application/json', body: '{"a":1}' });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-request-id')).toBe('r1');
    expect(await response.json()).toEqual({ ok: true, echo: '{"a":1}' });
  });

  it('reuses keep-alive connections for calls one after another', async () => {
    const { url, sockets } = await serve((_req, res) => res.end('{}'));
    const f = pooledFetch(LIMIT);
    for (let i = 0; i < 10; i++) await (await f(`${url}/x`, { method: 'POST', body: '{}' })).text();
    // A call made as the previous answer ends may find its connection not yet free and open a second.
    expect(sockets.size).toBeLessThanOrEqual(2);
  });

  it('a body with no content (204) is null; an error status keeps its body for the SDK to read', async () => {
    const { url } = await serve((req, res) => {
      if (req.url === '/empty') res.writeHead(204).end();
      else res.writeHead(429, { 'retry-after-ms': '20', 'content-type': 'application/json' }).end('{"error":{"message":"slow down"}}');
    });
    const f = pooledFetch(LIMIT);
    expect((await f(`${url}/empty`)).body).toBeNull();
    const limited = await f(`${url}/busy`, { method: 'POST', body: '{}' });
    expect([limited.status, limited.headers.get('retry-after-ms'), await limited.json()]).toEqual([429, '20', { error: { message: 'slow down' } }]);
  });

  it('decodes a compressed body it did not ask for, and a compressed body that inflates past the limit fails', async () => {
    const small = gzipSync(Buffer.from('{"text":"hello"}'));
    const bomb = gzipSync(Buffer.alloc(64 * LIMIT));
    expect(bomb.length).toBeLessThan(LIMIT);
    const { url } = await serve((req, res) => {
      const body = req.url === '/bomb' ? bomb : small;
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(body.length) }).end(body);
    });
    const f = pooledFetch(LIMIT);
    const ok = await f(`${url}/small`);
    expect([ok.headers.get('content-encoding'), await ok.json()]).toEqual([null, { text: 'hello' }]);
    expect(tooLargeIn(await failure(f(`${url}/bomb`)))?.limit).toBe(LIMIT);
  });

  it('a declared length past the limit fails before reading; an endless body stops at the limit', async () => {
    const { url } = await serve((req, res) => {
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-length': String(LIMIT * 4) });
        res.write(Buffer.alloc(1024));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(16 * 1024, 'a');
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const f = pooledFetch(LIMIT);
    expect(tooLargeIn(await failure(f(`${url}/declared`)))?.limit).toBe(LIMIT);
    expect(tooLargeIn(await failure(f(`${url}/endless`)))?.limit).toBe(LIMIT);
  });

  it('rejects as fetch does: with the signal reason once aborted, with a TypeError carrying the network error otherwise', async () => {
    const { url } = await serve((_req, res) => setTimeout(() => res.end('{}'), 2_000));
    const f = pooledFetch(LIMIT);
    const timeout = await failure(f(`${url}/slow`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(50) }));
    expect((timeout as Error).name).toBe('TimeoutError');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    expect((await failure(f(`${url}/slow`, { signal: controller.signal }))) as Error).toHaveProperty('name', 'AbortError');
    const closed = await serve(() => undefined);
    servers.pop()?.close();
    await new Promise((r) => setTimeout(r, 20));
    const refused = (await failure(f(`${closed.url}/x`))) as TypeError & { cause?: { code?: string } };
    expect(refused).toBeInstanceOf(TypeError);
    expect(refused.cause?.code).toBe('ECONNREFUSED');
  });

  it('follows a redirect as fetch does', async () => {
    const { url } = await serve((req, res) => {
      if (req.url === '/old') res.writeHead(307, { location: '/new' }).end();
      else res.end(JSON.stringify({ at: req.url }));
    });
    expect(await (await pooledFetch(LIMIT)(`${url}/old`, { method: 'POST', body: '{}' })).json()).toEqual({ at: '/new' });
  });

  it('leaves every call to a global fetch someone replaced (instrumentation, a test interceptor)', async () => {
    const { url } = await serve((_req, res) => res.end('{"from":"server"}'));
    const original = globalThis.fetch;
    let through = 0;
    globalThis.fetch = (input, init) => {
      through++;
      return original(input, init);
    };
    try {
      expect(await (await pooledFetch(LIMIT)(`${url}/x`, { method: 'POST', body: '{}' })).json()).toEqual({ from: 'server' });
    } finally {
      globalThis.fetch = original;
    }
    expect(through).toBe(1);
  });
});

describe('the SDKs use pooledFetch unless given a fetch', () => {
  it('an OpenAI call reaches the server without the headers only Node fetch adds', async () => {
    let headers: IncomingMessage['headers'] = {};
    const { url } = await serve((req, res) => {
      headers = req.headers;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: 'positive' }, finish_reason: 'stop' }] }));
    });
    const model = new OpenAIModel({ modelId: 'gpt-4o-mini', apiKey: 'sk-test', baseURL: `${url}/v1` });
    expect((await model.generate({ messages: [{ role: 'user', content: 'hi' }] })).text).toBe('positive');
    expect(headers.authorization).toBe('Bearer sk-test');
    // Node's fetch sends these on every request; undici's request does not.
    expect(headers['sec-fetch-mode']).toBeUndefined();
    expect(headers['accept-language']).toBeUndefined();
  });
});
