import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { task } from '../integration/setup.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { startWithTask } from '../support/live-folder.js';
import { runCli } from '../support/run-cli.js';

const fixture = fakeServerFixture();

describe('a CSV row the parser cannot get past', () => {
  it('a field longer than FUSION_MAX_LINE_BYTES: file:line in plain words, saying the rows after it were not read; exit 1', async () => {
    const { server, t } = await startWithTask(fixture);
    const input = join(t.dir, 'huge.csv');
    writeFileSync(input, `id,text\n1,"${'x'.repeat(1024 * 1024 + 10)}"\n2,small\n`);
    const r = await runCli(['run', '--task', join(t.dir, 'task.json'), '--models', 'openai:m1', '--input', input, '--no-cache'], { env: server.env() });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${input}:2: a row longer than 1048576 bytes (FUSION_MAX_LINE_BYTES); it and the rows after it are not read`);
    expect(r.stderr).not.toMatch(/Max Record Size/);
    expect(server.snapshot().requests).toBe(0);
  });

  it('a quote that never closes: the rows after it are said not to be read', async () => {
    const { server, t } = await startWithTask(fixture);
    const r = await runCli(['run', '--task', join(t.dir, 'task.json'), '--models', 'openai:m1', '--format', 'csv', '--no-cache'], { input: 'id,text\r\n1,"good,\r\nreally"\r\n2,"open\r\n3,small\r\n', env: server.env() });
    expect(r.status).toBe(1);
    // The row the quote opens in, not the end of the file where the parser gave up; the row before it is read and answered.
    expect(r.stderr).toContain('stdin:4: a quote opens in this row and never closes (a quote inside a quoted cell is written twice: ""); it and the rows after it are not read');
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.map((x) => [x.id, x.text, x.error === ''])).toEqual([
      ['1', 'good,\r\nreally', true],
      ['', '', false],
    ]);
  });

  it('a column named twice in the header: no row is read or asked about (which "text" would be sent?), each keeps its place as an error', async () => {
    const { server, t } = await startWithTask(fixture);
    const r = await runCli(['run', '--task', join(t.dir, 'task.json'), '--models', 'openai:m1', '--format', 'csv', '--no-cache'], { input: 'id,text,text\n1,a,b\n2,c,d\n', env: server.env() });
    expect(r.status).toBe(1);
    expect(server.snapshot().requests).toBe(0);
    expect(r.stderr).toContain('stdin:1: the header names column "text" twice');
    expect(r.stderr).toContain('stdin:2: not read: the header names column "text" twice');
    expect(r.stderr).toContain('stdin:3: not read: the header names column "text" twice');
  });
});
