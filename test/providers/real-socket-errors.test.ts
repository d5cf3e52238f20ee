import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/providers/provider.js';
import { createModel } from '../../src/providers/registry.js';

/**
 * Real sockets rather than msw: a 127.0.0.1 server that accepts then resets or closes every
 * connection, and a port nobody listens on, so the error codes are the ones undici really raises.
 */
let dropping: Server;
let dropPort = 0;
let closedPort = 0;
const sockets = new Set<Socket>();

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

beforeAll(async () => {
  dropping = createServer((socket) => {
    sockets.add(socket);
    // Read the request, then drop the connection without an answer.
    socket.once('data', () => socket.resetAndDestroy());
  });
  dropPort = await listen(dropping);
  const probe = createServer();
  closedPort = await listen(probe);
  await new Promise<void>((r) => probe.close(() => r()));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => dropping.close(() => r()));
});

const messages = [{ role: 'user' as const, content: 'hi' }];

function modelsAt(port: number) {
  const env = {
    OPENAI_API_KEY: 'sk-test-SECRET123',
    OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`,
    ANTHROPIC_API_KEY: 'sk-test-SECRET123',
    ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}`,
    OLLAMA_HOST: `http://127.0.0.1:${port}`,
  };
  return ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', 'ollama:llama3.1'].map((s) => createModel(s, env));
}

describe('connection failures on real sockets', () => {
  it('a connection reset mid-request is a retryable connection error for every adapter', async () => {
    for (const model of modelsAt(dropPort)) {
      const err = await model.generate({ messages }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect([model.provider, (err as ProviderError).kind]).toEqual([model.provider, 'connection']);
      expect((err as ProviderError).retryable).toBe(true);
      expect(JSON.stringify(err) + String(err)).not.toContain('SECRET123');
    }
  });

  it('a refused connection is a connection error for every adapter', async () => {
    for (const model of modelsAt(closedPort)) {
      const err = await model.generate({ messages }).catch((e: unknown) => e);
      expect([model.provider, (err as ProviderError).kind]).toEqual([model.provider, 'connection']);
    }
  });
});
