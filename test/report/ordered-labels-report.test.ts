import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { runCli } from '../support/run-cli.js';

const fixture = fakeServerFixture();

/** Stars 1-5 (ordered or not), four models that answer the gold or a step off it. */
function starsFolder(dir: string, ordered: boolean): void {
  const labels = ['1', '2', '3', '4', '5'].map((name) => ({ name, aliases: [] }));
  writeFileSync(join(dir, 'task.json'), JSON.stringify({ name: 'stars', kind: 'classification', ...(ordered ? { ordered: true } : {}), labels, instructions: 'Rate 1-5.' }));
  const items = Array.from({ length: 30 }, (_, i) => ({ id: `s${i}`, text: `review ${i}`, label: String(1 + ((i * 7) % 5)) }));
  writeFileSync(join(dir, 'items.jsonl'), items.map((x) => JSON.stringify(x)).join('\n'));
  const offsets: Record<string, number> = { a: 0, b: 1, c: -1, d: 0 };
  const responses = items.flatMap((x, i) =>
    Object.entries(offsets).map(([model, off], j) => ({ item: x.id, model, output: String(Math.min(5, Math.max(1, Number(x.label) + ((i + j) % 3 === 0 ? off : 0)))) })),
  );
  writeFileSync(join(dir, 'responses.jsonl'), responses.map((x) => JSON.stringify(x)).join('\n'));
}

describe('ordered labels in the Markdown and HTML reports, as in the terminal leaderboard and --json', () => {
  it.each([true, false])('ordered %s: rank MAE and QWK columns exactly when the labels are ordered, with the values of --json', async (ordered) => {
    const t = fixture.tempDir();
    starsFolder(t.dir, ordered);
    const out = { json: join(t.dir, 'r.json'), html: join(t.dir, 'r.html'), report: join(t.dir, 'r.md') };
    const r = await runCli(['eval', t.dir, '--folds', '3', '--strategies', 'majority-vote,median-label'.replace(ordered ? '' : ',median-label', ''), '--quiet', '--json', out.json, '--html', out.html, '--report', out.report]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const md = readFileSync(out.report, 'utf8');
    const html = readFileSync(out.html, 'utf8');
    const json = JSON.parse(readFileSync(out.json, 'utf8')) as { models: { name: string; rankMae?: number; qwk?: number }[] };
    expect(md.includes('rank MAE')).toBe(ordered);
    expect(md.includes('QWK')).toBe(ordered);
    expect(html.includes('<th>rank MAE</th>')).toBe(ordered);
    expect(html.includes('<th>QWK</th>')).toBe(ordered);
    if (!ordered) return;
    const b = json.models.find((m) => m.name === 'b');
    expect(b?.rankMae).toBeGreaterThan(0);
    // Model b's row carries its rank MAE and QWK as --json has them.
    const row = md.split('\n').find((l) => /^\|\s*\|\s*b\s*\|/.test(l));
    expect(row).toContain(` ${(b?.rankMae ?? 0).toFixed(3)} `);
    expect(row).toContain(` ${(b?.qwk ?? 0).toFixed(3)} `);
    expect(html).toContain(`data-v="${b?.rankMae}"`);
  });
});
