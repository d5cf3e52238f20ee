import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { runCli } from '../support/run-cli.js';

const fixture = fakeServerFixture();

const ratingTask = { name: 'quality', kind: 'rating', scale: { min: 1, max: 5 }, instructions: 'Rate the quality.' };
const judges = ['a', 'b', 'c'];
/** Judge j gives item i the score 1 + (i + j) mod 5, so each row's scores and their median are known. */
const scoreOf = (i: number, j: number): number => 1 + ((i + j) % 5);
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;

function records(csv: string): Record<string, string>[] {
  return parse(csv, { columns: true, bom: true, delimiter: csv.split('\n')[0]?.includes('\t') ? '\t' : ',' }) as Record<string, string>[];
}

describe('rating rows as a table (CSV/TSV), as every kind writes them', () => {
  it('fusion fuse --output-format csv and tsv: the fused score, its 80% interval and each judge\'s score, not empty cells', async () => {
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(ratingTask));
    const items = Array.from({ length: 6 }, (_, i) => ({ id: `r${i}`, text: `text ${i}` }));
    writeFileSync(join(t.dir, 'items.jsonl'), items.map((x) => JSON.stringify(x)).join('\n'));
    const responses = items.flatMap((x, i) => judges.map((model, j) => ({ item: x.id, model, output: `Score: ${scoreOf(i, j)}` })));
    writeFileSync(join(t.dir, 'responses.jsonl'), responses.map((x) => JSON.stringify(x)).join('\n'));
    for (const format of ['csv', 'tsv']) {
      const r = await runCli(['fuse', t.dir, '--strategy', 'median', '--output-format', format]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const rows = records(r.stdout);
      expect(Object.keys(rows[0] ?? {})).toEqual(['id', 'score', 'low', 'high', ...judges, 'abstain', 'error']);
      rows.forEach((row, i) => {
        expect(Number(row.score)).toBe(median(judges.map((_, j) => scoreOf(i, j))));
        expect(Number(row.low)).toBeLessThanOrEqual(Number(row.score));
        expect(Number(row.high)).toBeGreaterThanOrEqual(Number(row.score));
        judges.forEach((m, j) => expect(Number(row[m])).toBe(scoreOf(i, j)));
      });
    }
  });

  it('fusion run on a rating task, CSV in and out: each judge\'s score and the fused one', async () => {
    const server = await fixture.start({ labels: ['x'], content: ({ model }) => `Score: ${model === 'j1' ? 2 : 4}` });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(ratingTask));
    const models = ['openai:j1', 'openai:j2', 'openai:j3'];
    const r = await runCli(['run', '--task', join(t.dir, 'task.json'), '--models', models.join(','), '--format', 'csv', '--no-cache'], {
      input: 'id,text,source\n1,"first, text",web\n2,second,mail\n',
      env: server.env(),
    });
    expect(r.status).toBe(0);
    const rows = records(r.stdout);
    expect(Object.keys(rows[0] ?? {})).toEqual(['id', 'text', 'source', 'score', 'low', 'high', ...models, 'abstain', 'error']);
    for (const row of rows) {
      expect(row.score).toBe('4');
      expect([row['openai:j1'], row['openai:j2'], row['openai:j3']]).toEqual(['2', '4', '4']);
    }
    expect(rows.map((row) => row.source)).toEqual(['web', 'mail']);
  });

  it('a rating folder kept as items.csv and responses.csv: gold scores are read from their cells, eval and fuse run', async () => {
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(ratingTask));
    const n = 12;
    writeFileSync(join(t.dir, 'items.csv'), `id,text,label\n${Array.from({ length: n }, (_, i) => `r${i},"text, ${i}",${median(judges.map((_, j) => scoreOf(i, j)))}`).join('\n')}\n`);
    writeFileSync(join(t.dir, 'responses.csv'), `item,model,output\n${Array.from({ length: n }, (_, i) => judges.map((m, j) => `r${i},${m},Score: ${scoreOf(i, j)}`).join('\n')).join('\n')}\n`);
    const json = join(t.dir, 'r.json');
    const ev = await runCli(['eval', t.dir, '--folds', '2', '--strategies', 'median,mean', '--quiet', '--json', json]);
    expect(ev.stderr).toBe('');
    expect(ev.status).toBe(0);
    const result = JSON.parse(readFileSync(json, 'utf8')) as { strategies: { name: string; mae: number }[] };
    expect(result.strategies.find((x) => x.name === 'median')?.mae).toBe(0);
    const bad = 'id,text,label\nx1,t,six\n';
    writeFileSync(join(t.dir, 'items.csv'), bad);
    const refused = await runCli(['eval', t.dir, '--quiet']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`${join(t.dir, 'items.csv')}:2: label:`);
  });
});
