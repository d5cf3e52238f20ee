import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { type FakeLlmServer, type FakeLlmServerOptions, startFakeLlmServer } from './fake-llm-server.js';

/**
 * For a test file: starts fake servers and temp folders that are closed and removed after each
 * test, whatever it did. Call once at the top of the file.
 */
export function fakeServerFixture(): { start(options: FakeLlmServerOptions): Promise<FakeLlmServer>; tempDir(): { dir: string } } {
  let servers: FakeLlmServer[] = [];
  let dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    servers = [];
    dirs = [];
  });
  return {
    async start(options) {
      const server = await startFakeLlmServer(options);
      servers.push(server);
      return server;
    },
    tempDir() {
      const dir = mkdtempSync(join(tmpdir(), 'fusion-'));
      dirs.push(dir);
      return { dir };
    },
  };
}
