import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { limitedFetch, tooLargeIn } from '../../src/providers/limited-fetch.js';

const LIMIT = 1 << 20;
let servers: (Server | NetServer)[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});

async function listen(server: Server | NetServer): Promise<string> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/chat/completions`;
}

async function bodyOf(url: string): Promise<{ bytes?: number; error?: unknown }> {
  try {
    const response = await limitedFetch(undefined, LIMIT)(url, { method: 'POST', body: '{}' });
    return { bytes: (await response.arrayBuffer()).byteLength };
  } catch (error) {
    return { error };
  }
}

describe('issue 22 case 11: the response-size limit, with and without a declared length', () => {
  it('a plain body declared within the limit is returned whole (read directly, no counting stream)', async () => {
    const body = Buffer.alloc(LIMIT - 10, 'a');
    const url = await listen(createHttpServer((req, res) => req.resume().on('end', () => res.end(body))));
    expect(await bodyOf(url)).toEqual({ bytes: body.length });
  });

  it('a compressed body declared small that inflates past the limit still fails the call', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * LIMIT));
    expect(bomb.length).toBeLessThan(LIMIT);
    const url = await listen(
      createHttpServer((req, res) =>
        req.resume().on('end', () => {
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
          res.end(bomb);
        }),
      ),
    );
    const r = await bodyOf(url);
    expect(tooLargeIn(r.error)?.limit).toBe(LIMIT);
  });

  it('a server sending more than it declared: only the declared bytes are read', async () => {
    const url = await listen(
      createNetServer((socket) => {
        socket.once('data', () => {
          socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10\r\nconnection: close\r\n\r\n');
          socket.end(Buffer.alloc(8 * LIMIT, 'b'));
        });
        socket.on('error', () => undefined);
      }),
    );
    const r = await bodyOf(url);
    expect(r.error === undefined ? r.bytes : 'failed').toSatisfy((x: unknown) => x === 10 || x === 'failed');
  });
});
