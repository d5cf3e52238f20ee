import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../support/run-cli.js';

// Files as users have them (Excel, pandas, hand edits), through fusion init (the tables a folder is
// made of) and fusion fuse (an answers table): what used to fail unclearly, and what already works.
const dir = (): string => mkdtempSync(join(tmpdir(), 'fusion-own-'));
const BOM = '\uFEFF';

async function init(name: string, content: string | Buffer, ...flags: string[]): Promise<{ status: number; stderr: string; out: string; items: () => Record<string, unknown>[] }> {
  const d = dir();
  const file = join(d, name);
  writeFileSync(file, content);
  const out = join(d, 'set');
  const r = await runCli(['init', file, '--out', out, ...flags]);
  const items = () => readFileSync(join(out, 'items.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { status: r.status, stderr: r.stderr.replaceAll(`${d}/`, ''), out, items };
}

describe('users\' own tables in', () => {
  it('a header whose names differ in case from the fields is said once, on line 1, with the flag that reads it; nothing is written', async () => {
    const r = await init('reviews.csv', 'Id,Text,Label\n1,good,positive\n2,bad,negative\n');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('reviews.csv:1: text: no column "text"; the header has "Text", which differs only in case (column names match exactly): give --text-column "Text"');
    expect(r.stderr).not.toContain('reviews.csv:2');
    expect(existsSync(r.out)).toBe(false);
    const flagged = await init('reviews.csv', 'Id,Text,Label\n1,good,positive\n2,bad,negative\n', '--text-column', 'Text', '--label-column', 'Label', '--id-column', 'Id');
    expect(flagged.status).toBe(0);
    expect(flagged.items()).toEqual([{ id: '1', text: 'good', label: 'positive' }, { id: '2', text: 'bad', label: 'negative' }]);
  });

  it('an eval folder\'s items.csv whose gold column is Label: said on line 1 (it would leave every gold label unread), with the rename that fixes it', async () => {
    const d = dir();
    writeFileSync(join(d, 'task.json'), JSON.stringify({ name: 't', kind: 'classification', labels: [{ name: 'positive' }, { name: 'negative' }] }));
    writeFileSync(join(d, 'items.csv'), 'id,text,Label\n1,good,positive\n2,bad,negative\n');
    writeFileSync(join(d, 'responses.jsonl'), '{"item":"1","model":"a","output":"positive"}\n');
    const r = await runCli(['eval', d, '--strategies', 'majority-vote', '--folds', '2']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(d, 'items.csv')}:1: label: no column "label"; the header has "Label", which differs only in case (column names match exactly): rename the column to "label"`);
  });

  it('a column named by a flag that no row has is one issue on the header line, naming the columns there are', async () => {
    const r = await init('reviews.csv', 'id,review\n1,good\n2,bad\n3,meh\n', '--text-column', 'body');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('reviews.csv:1: body: no column "body" (--text-column); the header has "id", "review"');
    expect(r.stderr.match(/no column/g)).toHaveLength(1);
  });

  it('an empty id is said in plain words, at its line', async () => {
    const r = await init('reviews.csv', 'id,text,label\n,good,positive\n2,bad,negative\n');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('reviews.csv:2: id: empty, but required');
  });

  it('a UTF-16 file (Excel\'s "Unicode text") is named as such, with the way to convert it', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id,text,label\n1,good,positive\n2,bad,negative\n', 'utf16le')]);
    const r = await init('reviews.csv', utf16);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('reviews.csv:1: a UTF-16 file (it starts with a UTF-16 byte-order mark); fusion reads UTF-8 text only: save it as UTF-8');
  });

  // Already handled before this change; kept here so that it stays so.
  it('a BOM, CRLF line ends, a quoted field with a comma, quotes and a line break, and a trailing empty line are read as written', async () => {
    const r = await init('reviews.csv', `${BOM}id,text,label\r\n1,"good, very ""good""\r\nreally",positive\r\n2,bad,negative\r\n\r\n`);
    expect(r.status).toBe(0);
    expect(r.items()).toEqual([{ id: '1', text: 'good, very "good"\r\nreally', label: 'positive' }, { id: '2', text: 'bad', label: 'negative' }]);
  });

  it('TSV, JSON Lines with a blank line, and ids 1 and 01 kept apart as written', async () => {
    expect((await init('r.tsv', 'id\ttext\tlabel\n1\tgood\tpositive\n2\tbad\tnegative\n')).status).toBe(0);
    const blank = await init('r.jsonl', '{"id":"1","text":"good","label":"positive"}\n\n{"id":"2","text":"bad","label":"negative"}\n');
    expect(blank.status).toBe(0);
    expect(blank.items()).toHaveLength(2);
    const ids = await init('r.csv', 'id,text,label\n1,good,positive\n01,bad,negative\n');
    expect(ids.items().map((x) => x.id)).toEqual(['1', '01']);
  });

  it('a duplicate id and a trailing comma in JSON are file:line errors, exit 2', async () => {
    const dup = await init('r.csv', 'id,text,label\n1,good,positive\n1,bad,negative\n');
    expect(dup.status).toBe(2);
    expect(dup.stderr).toContain('r.csv:3: id: duplicate item id "1" (first on line 2)');
    const comma = await init('r.jsonl', '{"id":"1","text":"good","label":"positive",}\n{"id":"2","text":"bad","label":"negative"}\n');
    expect(comma.status).toBe(2);
    expect(comma.stderr).toMatch(/r\.jsonl:1: invalid JSON/);
  });

  it('fusion fuse: an answers table with a BOM and CRLF is read; one whose header differs in case says which columns to rename', async () => {
    const d = dir();
    writeFileSync(join(d, 'task.json'), JSON.stringify({ name: 't', kind: 'classification', labels: [{ name: 'positive' }, { name: 'negative' }] }));
    writeFileSync(join(d, 'answers.csv'), `${BOM}item,model,output\r\n1,a,positive\r\n1,b,"Positive, clearly\r\nyes"\r\n2,a,negative\r\n2,b,negative\r\n\r\n`);
    const ok = await runCli(['fuse', '--answers', join(d, 'answers.csv'), '--task', join(d, 'task.json'), '--strategy', 'majority-vote', '--output', join(d, 'out.csv')]);
    expect(ok.status).toBe(0);
    expect(readFileSync(join(d, 'out.csv'), 'utf8')).toBe('id,label,confidence,a,b,abstain,error\n1,positive,1,positive,positive,,\n2,negative,1,negative,negative,,\n');
    writeFileSync(join(d, 'answers2.csv'), 'Item,Model,Output\n1,a,positive\n');
    const cased = await runCli(['fuse', '--answers', join(d, 'answers2.csv'), '--task', join(d, 'task.json')]);
    expect(cased.status).toBe(2);
    expect(cased.stderr).toContain(`${join(d, 'answers2.csv')}:1: model: no column "model"; the header has "Model", which differs only in case (column names match exactly): rename the column to "model"`);
  });

  it('fusion fuse: a blank cell in a column every row needs is said to be empty, at its line (the column is there)', async () => {
    const d = dir();
    writeFileSync(join(d, 'task.json'), JSON.stringify({ name: 't', kind: 'classification', labels: [{ name: 'positive' }, { name: 'negative' }] }));
    writeFileSync(join(d, 'answers.csv'), 'item,model,output\n,a,positive\n2,,negative\n');
    const r = await runCli(['fuse', '--answers', join(d, 'answers.csv'), '--task', join(d, 'task.json'), '--strategy', 'majority-vote']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(d, 'answers.csv')}:2: item: empty, but required`);
    expect(r.stderr).toContain(`${join(d, 'answers.csv')}:3: model: empty, but required`);
  });

  it('the row limit (FUSION_MAX_LINE_BYTES) bounds a CSV row as it bounds a JSON Lines line: file:line, exit 2', async () => {
    vi.stubEnv('FUSION_MAX_LINE_BYTES', '100');
    const long = 'x'.repeat(300);
    const jsonl = await init('r.jsonl', `{"id":"1","text":"good","label":"positive"}\n{"id":"2","text":"${long}","label":"negative"}\n`);
    expect(jsonl.status).toBe(2);
    expect(jsonl.stderr).toContain('r.jsonl:2: line longer than 100 bytes (raise FUSION_MAX_LINE_BYTES if it is meant to be)');
    const csv = await init('r.csv', `id,text,label\n1,good,positive\n2,"${long}",negative\n3,ok,negative\n`);
    expect(csv.status).toBe(2);
    expect(csv.stderr).toContain('r.csv:3: a row longer than 100 bytes (raise FUSION_MAX_LINE_BYTES if it is meant to be)');
    expect(existsSync(csv.out)).toBe(false);
  });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

