import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { redactSecrets } from '../../src/providers/redact.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, captureStream, itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();
const KEY = 'sk-test+Key/with=odd&chars-0123456789';

function io(env: Record<string, string>, input = '') {
  const stdin = new PassThrough();
  stdin.end(input);
  return { stdin, stdout: captureStream(), stderr: captureStream(), env };
}

/** Every way the key could show up: raw, URL-encoded, base64 of the key and of `user:key` (Basic auth). */
function leaks(text: string): string[] {
  const forms = [
    KEY,
    encodeURIComponent(KEY),
    Buffer.from(KEY).toString('base64'),
    Buffer.from(KEY).toString('base64url'),
    Buffer.from(`user:${KEY}`).toString('base64').slice(8, 40),
    Buffer.from(`ab${KEY}`).toString('base64').slice(4, 36),
  ];
  return forms.filter((f) => text.includes(f));
}

function dump(file: string): string {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return ''; // a folder
  }
}

describe('issue 11 case 8: keys never reach anything the tool writes', () => {
  it('a 401 body echoing the key base64- and URL-encoded: not on stderr, not in run output, not in the failures table', async () => {
    const server = await fixture.start({
      labels: LABELS,
      failAll: { status: 401, message: (k) => `bad key ${Buffer.from(k).toString('base64')} basic ${Buffer.from(`user:${k}`).toString('base64')} url ${encodeURIComponent(k)}` },
    });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const run = io({ ...server.env(), OPENAI_API_KEY: KEY }, itemsOf(2).map((i) => JSON.stringify(i)).join('\n'));
    await main(['run', '--task', join(t.dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--cache', join(t.dir, 'c.sqlite')], run);
    expect(run.stderr.text()).toMatch(/bad key \*\*\*/);
    expect(leaks(run.stderr.text())).toEqual([]);
    expect(leaks(run.stdout.text())).toEqual([]);
    const db = new Database(join(t.dir, 'c.sqlite'), { readonly: true });
    const failures = JSON.stringify(db.prepare('SELECT * FROM failures').all());
    db.close();
    expect(failures).toMatch(/bad key/);
    expect(leaks(failures)).toEqual([]);
  });

  it('a server answering with the key: not in responses.jsonl, the cache, --json, --report or run output', async () => {
    const server = await fixture.start({ labels: LABELS, content: ({ apiKey }) => `positive ${apiKey} ${Buffer.from(apiKey).toString('base64')} ${encodeURIComponent(apiKey)}` });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    writeFileSync(join(t.dir, 'items.jsonl'), itemsOf(6).map((i, k) => JSON.stringify({ ...i, label: LABELS[k % 3] })).join('\n') + '\n');
    const env = { ...server.env(), OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: KEY };
    const run = io(env);
    await main(['eval', t.dir, '--models', 'openai:gpt-4o-mini,anthropic:claude-3-5-haiku-latest', '--cache', join(t.dir, 'c.sqlite'), '--json', join(t.dir, 'r.json'), '--report', join(t.dir, 'r.md'), '--strategies', 'majority-vote', '--folds', '2'], run);
    expect(readFileSync(join(t.dir, 'responses.jsonl'), 'utf8')).toMatch(/positive \*\*\*/);
    for (const f of readdirSync(t.dir)) expect([f, leaks(dump(join(t.dir, f)))]).toEqual([f, []]);
    expect(leaks(run.stdout.text() + run.stderr.text())).toEqual([]);
    const live = io(env, itemsOf(2).map((i) => JSON.stringify(i)).join('\n'));
    await main(['run', '--task', join(t.dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--no-cache'], live);
    expect(live.stdout.text()).toMatch(/\*\*\*/);
    expect(leaks(live.stdout.text())).toEqual([]);
  });

  it('property: any key, inside any base64 text at any alignment, is redacted', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 12, maxLength: 60, unit: 'grapheme-ascii' }), fc.string({ maxLength: 5 }), (key, prefix) => {
        const encoded = Buffer.from(`${prefix}${key}`).toString('base64');
        const out = redactSecrets(`echo ${encoded} ${encodeURIComponent(key)} ${key}`, [key]);
        expect(out.includes(key)).toBe(false);
        expect(out.includes(encodeURIComponent(key))).toBe(false);
        // What is left of the encoding can no longer carry the key: at most 2 characters of its span survive at each end.
        const span = Buffer.from(key).toString('base64').slice(2, -4);
        if (span.length >= 8) expect(out.includes(span)).toBe(false);
      }),
    );
  });
});
