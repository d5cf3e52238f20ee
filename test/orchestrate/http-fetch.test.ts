import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpFetch } from '../../src/orchestrate/http-fetch.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('createHttpFetch', () => {
  it('sends method, headers and body, and returns status, headers and a decoded body', async () => {
    const url = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const echo = JSON.stringify({ method: req.method, auth: req.headers.authorization, body: Buffer.concat(chunks).toString() });
        res.writeHead(429, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'retry-after-ms': '250' });
        res.end(gzipSync(echo));
      });
    });
    const f = createHttpFetch();
    const r = await f(`${url}/v1/x`, { method: 'POST', headers: { Authorization: 'Bearer k' }, body: '{"a":1}' });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after-ms')).toBe('250');
    expect(await r.json()).toEqual({ method: 'POST', auth: 'Bearer k', body: '{"a":1}' });
  });

  it('fails like fetch: TypeError with the socket error as cause, or the abort reason', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/drop') req.socket.destroy();
      else setTimeout(() => res.end('late'), 2000);
    });
    const f = createHttpFetch();
    const dropped = await f(`${url}/drop`, { method: 'POST', body: 'x' }).catch((e: unknown) => e);
    expect(dropped).toBeInstanceOf(TypeError);
    expect((dropped as { cause?: { code?: string } }).cause?.code).toBe('ECONNRESET');
    const ac = new AbortController();
    setTimeout(() => ac.abort(new DOMException('timed out', 'TimeoutError')), 20);
    const aborted = await f(`${url}/slow`, { signal: ac.signal }).catch((e: unknown) => e);
    expect((aborted as Error).name).toBe('TimeoutError');
  });

  it('gives a null body for 204', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const r = await createHttpFetch()(url);
    expect(r.status).toBe(204);
    expect(r.body).toBeNull();
  });
});
