import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LABELS } from '../integration/setup.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { startWithTask } from '../support/live-folder.js';
import { runCli } from '../support/run-cli.js';

const fixture = fakeServerFixture();

describe('numeric ids ({"id": 1}, {"item": 1}, as pandas writes them) on every path', () => {
  it('fusion eval --models reads a responses.jsonl with numeric item ids (fuse and eval already did), asks only the new model and appends', async () => {
    const { server, t } = await startWithTask(fixture);
    const n = 6;
    writeFileSync(join(t.dir, 'items.jsonl'), Array.from({ length: n }, (_, i) => JSON.stringify({ id: i + 1, text: `review ${i}`, label: LABELS[i % 3] })).join('\n'));
    const old = Array.from({ length: n }, (_, i) => JSON.stringify({ item: i + 1, model: 'old', output: LABELS[i % 3] })).join('\n') + '\n';
    writeFileSync(join(t.dir, 'responses.jsonl'), old);
    expect((await runCli(['fuse', t.dir, '--quiet'])).status).toBe(0);
    const r = await runCli(['eval', t.dir, '--models', 'openai:gpt-4o-mini', '--no-cache', '--folds', '2', '--strategies', 'majority-vote', '--quiet'], { env: server.env() });
    expect(r.stderr).not.toMatch(/invalid input/);
    expect(r.status).toBe(0);
    expect(server.snapshot().successes).toBe(n);
    const text = readFileSync(join(t.dir, 'responses.jsonl'), 'utf8');
    expect(text.startsWith(old)).toBe(true);
    expect(text.trim().split('\n')).toHaveLength(2 * n);
    // Run again: every answer is there, nothing is asked.
    const again = await runCli(['eval', t.dir, '--models', 'openai:gpt-4o-mini', '--no-cache', '--folds', '2', '--strategies', 'majority-vote', '--quiet'], { env: server.env() });
    expect(again.status).toBe(0);
    expect(server.snapshot().requests).toBe(n);
  });
});
