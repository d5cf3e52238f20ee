import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import Database from 'better-sqlite3';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, captureStream, itemsOf, task } from '../integration/setup.js';
import { writeFileSync } from 'node:fs';

const fixture = fakeServerFixture();
const MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', 'ollama:llama3.1'];

/**
 * An answer cut by max_tokens (finish_reason length, stop_reason max_tokens) was generated and
 * billed: it is an answer, kept with its stop reason, never a failure that every run asks again.
 */
describe('answers cut by max_tokens are paid once', () => {
  it('fusion run: the cut answers are stored with their stop reason; the same command again makes no call', async () => {
    const server = await fixture.start({ labels: LABELS, maxTokensCut: true });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const cache = join(t.dir, 'c.sqlite');
    const run = async () => {
      const stdin = new PassThrough();
      stdin.end(itemsOf(12).map((i) => JSON.stringify(i)).join('\n') + '\n');
      const io = { stdin, stdout: captureStream(), stderr: captureStream(), env: server.env() };
      const code = await main(['run', '--task', join(t.dir, 'task.json'), '--models', MODELS.join(','), '--cache', cache], io);
      return { code, err: io.stderr.text() };
    };
    const first = await run();
    expect(first.err).toMatch(/0 failed/);
    expect(server.snapshot().successes).toBe(12 * MODELS.length);
    const again = await run();
    expect(again.code, again.err).toBe(first.code);
    expect(again.err).toMatch(/total: 0 request\(s\), 36 cache hit\(s\)/);
    expect(server.snapshot().requests).toBe(12 * MODELS.length);
    const db = new Database(cache, { readonly: true });
    const reasons = new Set(db.prepare('SELECT finish_reason FROM responses').all().map((r) => (r as { finish_reason: string | null }).finish_reason));
    db.close();
    expect([...reasons].sort()).toEqual(['length', 'max_tokens']);
  });
});
