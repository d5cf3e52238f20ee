import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { LABELS, MODELS, expectedLabel, task } from '../integration/setup.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { startWithTask } from '../support/live-folder.js';
import { runCli } from '../support/run-cli.js';

const fixture = fakeServerFixture();

const reviews = [
  { review_id: 101, review_text: 'Great value, would buy again', stars: 5 },
  { review_id: 102, review_text: 'It broke after a day.\nThe seller said "not our problem".', stars: 1 },
  { review_id: 103, review_text: 'Fine, I guess', stars: 3 },
  { review_id: 104, review_text: 'Arrived late; works, though', stars: 4 },
];

/** The reviews as a spreadsheet would export them: BOM, CRLF, quotes where needed. */
function reviewsCsv(): string {
  const quote = (v: string | number) => (typeof v === 'number' ? String(v) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `\uFEFFreview_id,review_text,stars\r\n${reviews.map((r) => [r.review_id, r.review_text, r.stars].map(quote).join(',')).join('\r\n')}\r\n`;
}

function records(csv: string): Record<string, string>[] {
  return parse(csv, { columns: true, bom: true }) as Record<string, string>[];
}

describe('fusion run on a CSV of reviews', () => {
  it('CSV on stdin -> CSV out: the same rows in order, every input column kept, label, confidence and a column per model added', async () => {
    const { server, t } = await startWithTask(fixture);
    const r = await runCli(['run', '--task', join(t.dir, 'task.json'), '--models', MODELS.join(','), '--format', 'csv', '--text-column', 'review_text', '--id-column', 'review_id', '--no-cache'], {
      input: reviewsCsv(),
      env: server.env(),
    });
    expect(r.stderr).not.toMatch(/invalid|unexpected/);
    expect(r.status).toBe(0);
    const rows = records(r.stdout);
    expect(Object.keys(rows[0] ?? {})).toEqual(['review_id', 'review_text', 'stars', 'label', 'confidence', ...MODELS, 'abstain', 'error']);
    expect(rows.map((x) => [x.review_id, x.review_text, x.stars])).toEqual(reviews.map((x) => [String(x.review_id), x.review_text, String(x.stars)]));
    for (const [i, row] of rows.entries()) {
      expect(LABELS).toContain(row.label);
      expect(Number(row.confidence)).toBeGreaterThan(0);
      for (const m of MODELS) expect(row[m]).toBe(expectedLabel(m, (reviews[i] as { review_text: string }).review_text));
    }
  });

  it('--input reviews.tsv --output fused.csv; --format jsonl output keeps the extra columns; the row number is the id without an id column', async () => {
    const { server, t } = await startWithTask(fixture);
    const tsv = `review_text\tstars\n${reviews.map((r) => `${r.review_text.replace(/\n/g, ' ').replace(/"/g, '')}\t${r.stars}`).join('\n')}\n`;
    writeFileSync(join(t.dir, 'reviews.tsv'), tsv);
    const out = join(t.dir, 'fused.csv');
    const base = ['run', '--task', join(t.dir, 'task.json'), '--models', MODELS.join(','), '--input', join(t.dir, 'reviews.tsv'), '--text-column', 'review_text', '--no-cache'];
    const r = await runCli([...base, '--output', out], { env: server.env() });
    expect(r.status).toBe(0);
    const rows = records(readFileSync(out, 'utf8'));
    expect(rows.map((x) => x.stars)).toEqual(reviews.map((x) => String(x.stars)));
    // Nothing the user wrote is overwritten.
    const again = await runCli([...base, '--output', out], { env: server.env() });
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/never overwrites/);

    const jsonl = await runCli([...base, '--output-format', 'jsonl'], { env: server.env() });
    const lines = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; stars: string; label: string });
    expect(lines.map((l) => l.id)).toEqual(['1', '2', '3', '4']);
    expect(lines.map((l) => l.stars)).toEqual(reviews.map((x) => String(x.stars)));
  });

  it('numeric ids in JSONL ({"id": 1}) are ids; a bad CSV row is reported as file:line and keeps its place', async () => {
    const { server, t } = await startWithTask(fixture);
    const numeric = await runCli(['run', '--task', join(t.dir, 'task.json'), '--models', MODELS.join(','), '--no-cache'], {
      input: `${JSON.stringify({ id: 1, text: 'good', source: 'web' })}\n${JSON.stringify({ id: 2, text: 'bad', source: 'app' })}\n`,
      env: server.env(),
    });
    expect(numeric.status).toBe(0);
    const lines = numeric.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; source: string });
    expect(lines.map((l) => [l.id, l.source])).toEqual([['1', 'web'], ['2', 'app']]);

    const bad = await runCli(['run', '--task', join(t.dir, 'task.json'), '--models', MODELS.join(','), '--format', 'csv', '--no-cache'], {
      input: 'id,text\na,fine\nb,too,many\nc,"two\nlines"\n',
      env: server.env(),
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^stdin:3: 3 field\(s\), the header has 2/m);
    const rows = records(bad.stdout);
    expect(rows.map((x) => x.id)).toEqual(['a', '', 'c']);
    expect(rows[1]?.error).toMatch(/stdin:3/);
    expect(rows[2]?.text).toBe('two\nlines');

    const missing = await runCli(['run', '--task', join(t.dir, 'task.json'), '--models', MODELS.join(','), '--format', 'csv', '--text-column', 'body', '--no-cache'], { input: 'id,text\na,fine\n', env: server.env() });
    expect(missing.stderr).toMatch(/stdin:1: body: no column "body"/);
    // A header that names the field in another case: said once, on line 1, with the flag that reads it; every row keeps its place, with the header's reason.
    const cased = await runCli(['run', '--task', join(t.dir, 'task.json'), '--models', MODELS.join(','), '--format', 'csv', '--no-cache'], { input: 'Id,Text\na,fine\nb,ok\n', env: server.env() });
    expect(cased.status).toBe(1);
    expect(cased.stderr).toContain('stdin:1: text: no column "text"; the header has "Text", which differs only in case (column names match exactly): give --text-column "Text" (every row)');
    expect(cased.stderr).not.toMatch(/stdin:[23]:/);
    expect(records(cased.stdout).map((x) => x.error)).toEqual([expect.stringMatching(/^stdin:2: text: no column "text"/), expect.stringMatching(/^stdin:3: text: no column "text"/)]);
    expect(cased.stdout.split('\n')[0]).toBe('Id,Text,label,confidence,openai:gpt-4o-mini,anthropic:claude-3-5-haiku-latest,ollama:llama3.1,abstain,error');
  });
});
