import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

// A new user's own tables, with their own column names: what a message names must be findable in
// their file (the column they named, the cell they wrote).
const dir = (): string => mkdtempSync(join(tmpdir(), 'fusion-cells-'));

async function init(name: string, content: string, ...flags: string[]): Promise<{ status: number; stderr: string; out: string }> {
  const d = dir();
  writeFileSync(join(d, name), content);
  const out = join(d, 'set');
  const r = await runCli(['init', join(d, name), '--out', out, ...flags]);
  return { status: r.status, stderr: r.stderr.replaceAll(`${d}/`, ''), out };
}

describe('messages about a cell name the user\'s column and quote the cell', () => {
  it('fusion init --label-column score: a score written with a decimal comma is said under "score", with the cell', async () => {
    const r = await init('ratings.csv', 'id,text,score\n1,good,4\n2,bad,"1,5"\n', '--kind', 'rating', '--label-column', 'score');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('ratings.csv:3: score: expected a number, got "1,5"');
  });

  it('fusion init --id-column key: an empty key is said under "key"', async () => {
    const r = await init('reviews.csv', 'key,text,label\n,good,positive\n2,bad,negative\n', '--id-column', 'key');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('reviews.csv:2: key: empty, but required');
  });

  it('fusion run --id-column review_id: the bad row says review_id, on stderr and in its output row', async () => {
    const d = dir();
    writeFileSync(join(d, 'task.json'), JSON.stringify({ name: 't', kind: 'classification', labels: [{ name: 'positive' }, { name: 'negative' }] }));
    writeFileSync(join(d, 'in.csv'), 'review_id,review_text\n,hello\n');
    const r = await runCli(['run', '--task', join(d, 'task.json'), '--models', 'openai:gpt-4o-mini', '--input', join(d, 'in.csv'), '--id-column', 'review_id', '--text-column', 'review_text', '--no-cache'], {
      env: { OPENAI_API_KEY: 'unused', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${join(d, 'in.csv')}:2: review_id: empty, but required`);
    expect(r.stdout).toContain('review_id: empty, but required');
  });
});
