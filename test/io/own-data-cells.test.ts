import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { LABELS, task } from '../integration/setup.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { expectRefusedBeforeAnyCall } from '../support/live-folder.js';
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

const fixture = fakeServerFixture();

describe('a blank text or question is not asked about', () => {
  // Every kind reads its asked field (text, question) through one rule; a blank one would be paid
  // for by every model and answered with a guess, as if the user had written something.
  const cases = [
    { kind: 'classification', task, column: 'text' },
    { kind: 'rating', task: { name: 'r', kind: 'rating', scale: { min: 1, max: 5 } }, column: 'text' },
    { kind: 'qa', task: { name: 'q', kind: 'qa', answerType: 'free-form' }, column: 'question' },
  ] as const;
  for (const c of cases) {
    it(`${c.kind}: an empty ${c.column} cell and one of spaces only are bad rows at their lines, no call made for them`, async () => {
      const server = await fixture.start({ labels: LABELS });
      const d = fixture.tempDir().dir;
      writeFileSync(join(d, 'task.json'), JSON.stringify(c.task));
      writeFileSync(join(d, 'in.csv'), `id,${c.column}\r\n1,something\r\n2,\r\n3,"   "\r\n4,"JSON ""{}"" and, a comma"\r\n`);
      const r = await runCli(['run', '--task', join(d, 'task.json'), '--models', 'openai:gpt-4o-mini', '--input', join(d, 'in.csv'), '--no-cache'], { env: server.env() });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`${join(d, 'in.csv')}:3: ${c.column}: empty, but required`);
      expect(r.stderr).toContain(`${join(d, 'in.csv')}:4: ${c.column}: white space only, but required`);
      const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
      expect(rows.map((x) => x.id)).toEqual(['1', '2', '3', '4']);
      expect(rows.map((x) => x.error !== '')).toEqual([false, true, true, false]);
      expect(server.snapshot().successes).toBe(2);
    });
  }
});

describe('numeric labels are compared by value', () => {
  it('fusion init --ordered: 1, 1.0 and " 1" in a star column are one label, sorted as numbers, every item labelled "1"', async () => {
    const r = await init('stars.csv', 'id,text,stars\n1,a,1\n2,b,1.0\n3,c, 1\n4,d,2\n5,e,10\n', '--label-column', 'stars', '--ordered');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const made = JSON.parse(readFileSync(join(r.out, 'task.json'), 'utf8')) as { labels: { name: string }[] };
    expect(made.labels.map((l) => l.name)).toEqual(['1', '2', '10']);
    const items = readFileSync(join(r.out, 'items.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { label: string }).label);
    expect(items).toEqual(['1', '1', '1', '2', '10']);
  });

  it('an eval folder whose gold says 2.0 where the task says 2 is scored, not refused', async () => {
    const d = dir();
    writeFileSync(join(d, 'task.json'), JSON.stringify({ name: 't', kind: 'classification', ordered: true, labels: [{ name: '1' }, { name: '2' }, { name: '3' }] }));
    writeFileSync(join(d, 'items.csv'), 'id,text,label\n1,a,1.0\n2,b,2.0\n3,c,3\n4,d,2\n');
    writeFileSync(join(d, 'responses.csv'), 'item,model,output\n1,m,1\n2,m,2\n3,m,3\n4,m,2\n');
    const r = await runCli(['eval', d, '--strategies', 'majority-vote', '--folds', '2', '--json', join(d, 'r.json')]);
    expect(r.stderr).not.toContain('unknown gold label');
    expect(r.status).toBe(0);
    const result = JSON.parse(readFileSync(join(d, 'r.json'), 'utf8')) as { models: { name: string; accuracy: number }[] };
    expect(result.models.find((m) => m.name === 'm')?.accuracy).toBe(1);
  });
});

describe('numbers written as a spreadsheet reads them', () => {
  // `.5`, `+2`, `1e0` and ` 3 ` are numbers in every spreadsheet and in pandas; `1_000` is not
  // (nor `1,000`): refused, quoted, rather than guessed.
  it('fusion init --kind rating: .5, +2, 1e0 and " 3 " are gold scores; 1_000 is refused, quoted', async () => {
    const r = await init('ratings.csv', 'id,text,score\n1,a,.5\n2,b,+2\n3,c,1e0\n4,d, 3 \n', '--kind', 'rating', '--label-column', 'score');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const items = readFileSync(join(r.out, 'items.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { label: number }).label);
    expect(items).toEqual([0.5, 2, 1, 3]);
    const bad = await init('ratings.csv', 'id,text,score\n1,a,2\n2,b,1_000\n', '--kind', 'rating', '--label-column', 'score');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('ratings.csv:3: score: expected a number, got "1_000"');
  });

  it('fusion init --ordered: .5 and 0.5, +2 and 2 are one label each, sorted as numbers with 1e0', async () => {
    const r = await init('stars.csv', 'id,text,stars\n1,a,.5\n2,b,0.5\n3,c,+2\n4,d,2\n5,e,1e0\n', '--label-column', 'stars', '--ordered');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const made = JSON.parse(readFileSync(join(r.out, 'task.json'), 'utf8')) as { labels: { name: string }[] };
    expect(made.labels.map((l) => l.name)).toEqual(['.5', '1e0', '+2']);
    const items = readFileSync(join(r.out, 'items.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { label: string }).label);
    expect(items).toEqual(['.5', '.5', '+2', '+2', '1e0']);
  });
});

describe('spaces typed after the commas of a hand-written table', () => {
  it('an item id and a model name are read without them: " m1" is model m1, " 3" is item 3; the answer is kept as written', async () => {
    const d = dir();
    writeFileSync(join(d, 'task.json'), JSON.stringify({ name: 't', kind: 'classification', labels: [{ name: 'pos' }, { name: 'neg' }] }));
    writeFileSync(join(d, 'items.jsonl'), ['1:pos', '2:neg', '3:pos', '4:neg'].map((s) => JSON.stringify({ id: s.split(':')[0], text: 't', label: s.split(':')[1] })).join('\n') + '\n');
    writeFileSync(join(d, 'responses.csv'), 'item, model, output\n1,m1,pos\n2, m1, neg\n 3, m1 ,pos\n4,m1,neg\n1, m2, pos\n2,m2,pos\n3,m2, pos\n4 ,m2,neg\n');
    const r = await runCli(['eval', d, '--strategies', 'majority-vote', '--folds', '2', '--json', join(d, 'r.json')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const result = JSON.parse(readFileSync(join(d, 'r.json'), 'utf8')) as { models: { name: string; accuracy: number }[] };
    expect(result.models.map((m) => [m.name, m.accuracy]).sort()).toEqual([['m1', 1], ['m2', 0.75]]);
    const fused = await runCli(['fuse', d, '--strategy', 'majority-vote']);
    expect(fused.status).toBe(0);
    const first = JSON.parse(fused.stdout.split('\n')[0] as string) as { answers: { model: string; output: string }[] };
    expect(first.answers).toEqual([expect.objectContaining({ model: 'm1', output: 'pos' }), expect.objectContaining({ model: 'm2', output: ' pos' })]);
  });
});

describe('a rating folder whose gold score is off the task\'s scale', () => {
  it('is refused at the gold\'s line, as a gold label outside the labels is, by fusion eval and before any call by --models', async () => {
    const d = dir();
    writeFileSync(join(d, 'task.json'), JSON.stringify({ name: 'r', kind: 'rating', scale: { min: 1, max: 5 } }));
    writeFileSync(join(d, 'items.csv'), 'id,text,label\n1,a,3\n2,b,7\n3,c,0.5\n4,d,5\n');
    writeFileSync(join(d, 'responses.csv'), 'item,model,output\n1,m,3\n2,m,5\n3,m,1\n4,m,5\n');
    const r = await runCli(['eval', d, '--strategies', 'mean', '--folds', '2']);
    expect(r.status).toBe(2);
    expect(r.stderr.replaceAll(`${d}/`, '')).toContain("items.csv:3: label: gold score 7 is outside the task's scale 1-5 (task.json)");
    expect(r.stderr.replaceAll(`${d}/`, '')).toContain("items.csv:4: label: gold score 0.5 is outside the task's scale 1-5 (task.json)");
    const server = await fixture.start({ labels: LABELS });
    const live = fixture.tempDir().dir;
    writeFileSync(join(live, 'task.json'), JSON.stringify({ name: 'r', kind: 'rating', scale: { min: 1, max: 5 } }));
    writeFileSync(join(live, 'items.csv'), 'id,text,label\n1,a,3\n2,b,7\n');
    const asked = await runCli(['eval', live, '--models', 'openai:gpt-4o-mini', '--folds', '2', '--no-cache'], { env: server.env() });
    expectRefusedBeforeAnyCall(asked, server, live, `${join(live, 'items.csv')}:3: label: gold score 7 is outside the task's scale 1-5`);
    writeFileSync(join(d, 'items.csv'), 'id,text,label\n1,a,3\n2,b,1\n3,c,4.5\n4,d,5\n');
    expect((await runCli(['eval', d, '--strategies', 'mean', '--folds', '2'])).status).toBe(0);
  });
});

describe('a table saved as Windows-1252, not UTF-8', () => {
  // Excel's plain "CSV" on Windows writes é as the single byte 0xE9: refused, never read as mojibake,
  // with the byte, where it is and how to convert the file.
  const cp1252 = Buffer.concat([Buffer.from('id,text,label\n1,caf'), Buffer.from([0xe9]), Buffer.from(',positive\n2,bad,negative\n')]);
  const said = 'invalid UTF-8 (byte 0xE9, byte 6 of the line): saved as Windows-1252 or Latin-1 (a spreadsheet\'s plain CSV)? fusion reads UTF-8 text only: save it as UTF-8 (Excel: "CSV UTF-8"), or convert it: iconv -f WINDOWS-1252 -t UTF-8';
  it('fusion init names the byte and the way out', async () => {
    const d = dir();
    writeFileSync(join(d, 'reviews.csv'), cp1252);
    const r = await runCli(['init', join(d, 'reviews.csv'), '--out', join(d, 'set')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(d, 'reviews.csv')}:2: ${said}`);
  });

  it('fusion run reads the rows before it and refuses it and the rest: the byte never reaches a model as U+FFFD', async () => {
    const server = await fixture.start({ labels: LABELS });
    const d = fixture.tempDir().dir;
    writeFileSync(join(d, 'task.json'), JSON.stringify(task));
    writeFileSync(join(d, 'in.csv'), Buffer.concat([Buffer.from('id,text\n0,good\n'), cp1252.subarray('id,text,label\n'.length)]));
    const r = await runCli(['run', '--task', join(d, 'task.json'), '--models', 'openai:gpt-4o-mini', '--input', join(d, 'in.csv'), '--no-cache'], { env: server.env() });
    expect(r.stderr).toContain(`${join(d, 'in.csv')}:3: ${said}; it and the rows after it are not read`);
    expect(r.status).toBe(1);
    const rows = r.stdout.trim().split('\n');
    expect(rows[1]).toMatch(/^0,good,/);
    expect(rows).toHaveLength(3);
    expect(server.snapshot().requests).toBe(1);
  });
  it('fusion run still reads a UTF-16 CSV with its byte-order mark as UTF-16, as its parser did before the check', async () => {
    const server = await fixture.start({ labels: LABELS });
    const d = fixture.tempDir().dir;
    writeFileSync(join(d, 'task.json'), JSON.stringify(task));
    writeFileSync(join(d, 'in.csv'), Buffer.from('\ufeffid,text\n1,café\n', 'utf16le'));
    const r = await runCli(['run', '--task', join(d, 'task.json'), '--models', 'openai:gpt-4o-mini', '--input', join(d, 'in.csv'), '--no-cache'], { env: server.env() });
    expect(r.stderr).not.toContain('invalid UTF-8');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[1]).toMatch(/^1,café,/);
  });
});

describe('a multiple-choice gold that names no choice', () => {
  it('is refused at its line (answers are scored by their choice\'s label: every model would count wrong); a lower-case letter names its choice', async () => {
    const d = dir();
    writeFileSync(join(d, 'task.json'), JSON.stringify({ name: 'q', kind: 'qa', answerType: 'multiple-choice' }));
    const choices = [{ label: 'A', text: '3' }, { label: 'B', text: '4' }];
    const items = (golds: string[]) => golds.map((g, i) => JSON.stringify({ id: String(i + 1), question: `q${i}`, choices, answers: [g] })).join('\n') + '\n';
    writeFileSync(join(d, 'items.jsonl'), items(['B', 'E', '4', 'a']));
    writeFileSync(join(d, 'responses.jsonl'), ['B', 'A', 'B', 'A'].map((o, i) => JSON.stringify({ item: String(i + 1), model: 'm', output: o })).join('\n') + '\n');
    const r = await runCli(['eval', d, '--strategies', 'majority-vote', '--folds', '2']);
    expect(r.status).toBe(2);
    const said = r.stderr.replaceAll(`${d}/`, '');
    expect(said).toContain('items.jsonl:2: answers: gold "E" names no choice (A, B): a multiple-choice gold is its choice\'s label');
    expect(said).toContain('items.jsonl:3: answers: gold "4" names no choice (A, B)');
    expect(said).not.toContain('items.jsonl:4');
    writeFileSync(join(d, 'items.jsonl'), items(['B', 'A', 'b', 'a']));
    expect((await runCli(['eval', d, '--strategies', 'majority-vote', '--folds', '2'])).status).toBe(0);
  });

  it('fusion init refuses it at its row, under the user\'s column, with the choice whose text it is, rather than make a folder every later command refuses', async () => {
    const choices = (a: string, b: string) => `"${JSON.stringify([{ label: 'A', text: a }, { label: 'B', text: b }]).replaceAll('"', '""')}"`;
    const table = `id,question,choices,correct\n1,2+2?,${choices('3', '4')},4\n2,1+1?,${choices('2', '5')},A\n3,0+0?,${choices('0', '1')},Z\n`;
    const r = await init('quiz.csv', table, '--kind', 'qa', '--label-column', 'correct');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('quiz.csv:2: correct: gold "4" names no choice (A, B): a multiple-choice gold is its choice\'s label: "B", whose text it is?');
    expect(r.stderr).toContain('quiz.csv:4: correct: gold "Z" names no choice (A, B): a multiple-choice gold is its choice\'s label\n');
    expect(existsSync(r.out)).toBe(false);
    const fixed = await init('quiz.csv', table.replace(',4\n', ',B\n').replace(',Z\n', ',a\n'), '--kind', 'qa', '--label-column', 'correct');
    expect(fixed.stderr).toBe('');
    expect(fixed.status).toBe(0);
  });
});

describe('repeated samples of one model recorded without their numbers', () => {
  it('the second answer says how samples are told apart; with a sample column both are read', async () => {
    const d = dir();
    writeFileSync(join(d, 'task.json'), JSON.stringify(task));
    writeFileSync(join(d, 'items.csv'), 'id,text,label\n1,a,positive\n2,b,negative\n');
    writeFileSync(join(d, 'responses.csv'), 'item,model,output\n1,m,positive\n1,m,negative\n2,m,negative\n2,m,negative\n');
    const r = await runCli(['eval', d, '--strategies', 'majority-vote', '--folds', '2']);
    expect(r.status).toBe(2);
    expect(r.stderr.replaceAll(`${d}/`, '')).toContain('responses.csv:3: duplicate response of model "m" for item "1" (first on line 2); several answers of one model to one item are told apart by a sample field (0, 1, 2...)');
    writeFileSync(join(d, 'responses.csv'), 'item,model,output,sample\n1,m,positive,0\n1,m,negative,1\n2,m,negative,0\n2,m,negative,1\n');
    expect((await runCli(['eval', d, '--strategies', 'majority-vote', '--folds', '2'])).status).toBe(0);
  });
});

describe('a model named as a column of the output row', () => {
  it('fusion fuse CSV: models "score" and "id" are written model_score and model_id; the fused score and the item id keep their columns', async () => {
    const d = dir();
    writeFileSync(join(d, 'task.json'), JSON.stringify({ name: 'r', kind: 'rating', scale: { min: 1, max: 5 } }));
    writeFileSync(join(d, 'items.csv'), 'id,text,label\n1,a,3\n2,b,4\n');
    writeFileSync(join(d, 'responses.csv'), 'item,model,output\n1,score,3\n2,score,5\n1,id,2\n2,id,4\n');
    const r = await runCli(['fuse', d, '--strategy', 'mean', '--output-format', 'csv', '--quiet']);
    expect(r.status).toBe(0);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(r.stdout.split('\n')[0]).toBe('id,score,low,high,model_score,model_id,abstain,error');
    expect(rows.map((row) => [row.id, row.score, row.model_score, row.model_id])).toEqual([['1', '2.5', '3', '2'], ['2', '4.5', '5', '4']]);
  });
});

describe('a table with another separator than its name says', () => {
  it('a ";"-separated .csv and a tab-separated .csv: the header line says which separator it holds and what is read', async () => {
    const semi = await init('reviews.csv', 'id;text;label\n1;good;positive\n2;bad;negative\n');
    expect(semi.status).toBe(2);
    expect(semi.stderr).toContain('reviews.csv:1: text: no column "text"; the header has "id;text;label": a table separated by ";"? save it with commas (CSV) or tabs (TSV): only those separators are read');
    const tab = await init('reviews.csv', 'id\ttext\tlabel\n1\tgood\tpositive\n2\tbad\tnegative\n');
    expect(tab.stderr).toContain(': a tab-separated table? name it .tsv (or give --format tsv)');
    const comma = await init('reviews.tsv', 'id,text,label\n1,good,positive\n2,bad,negative\n');
    expect(comma.stderr).toContain(': a comma-separated table? name it .csv (or give --format csv)');
  });
});

describe('fusion init on a table without rows', () => {
  for (const kind of ['classification', 'qa', 'rating']) {
    it(`${kind}: an empty file and a header alone are refused as such, nothing written`, async () => {
      const empty = await init('items.csv', '', '--kind', kind);
      expect(empty.status).toBe(2);
      expect(empty.stderr).toContain('items.csv: no rows: the file is empty');
      expect(existsSync(empty.out)).toBe(false);
      const header = await init('items.csv', 'id,text,question,label\r\n', '--kind', kind);
      expect(header.status).toBe(2);
      expect(header.stderr).toContain('items.csv: a header and no rows: no item to make a folder of');
      expect(existsSync(header.out)).toBe(false);
    });
  }
});

describe('fusion eval --models on a folder with a blank text or question', () => {
  const folders = [
    { kind: 'classification', task, items: 'id,text,label\r\n1,good,positive\r\n2,,negative\r\n3,"  ",neutral\r\n', field: 'text' },
    { kind: 'qa', task: { name: 'q', kind: 'qa', answerType: 'free-form' }, items: 'id,question,answers\r\n1,Capital of France?,Paris\r\n2,,x\r\n3,"  ",y\r\n', field: 'question' },
  ] as const;
  for (const f of folders) {
    it(`${f.kind}: refused at the item's line before any call, as fusion run refuses such a line`, async () => {
      const server = await fixture.start({ labels: LABELS });
      const d = fixture.tempDir().dir;
      writeFileSync(join(d, 'task.json'), JSON.stringify(f.task));
      writeFileSync(join(d, 'items.csv'), f.items);
      const r = await runCli(['eval', d, '--models', 'openai:gpt-4o-mini', '--folds', '2', '--no-cache'], { env: server.env() });
      expectRefusedBeforeAnyCall(r, server, d, `${join(d, 'items.csv')}:3: ${f.field}: empty, but required`);
      expect(r.stderr).toContain(`${join(d, 'items.csv')}:4: ${f.field}: white space only, but required`);
    });
  }
});

describe('fusion eval on a folder whose gold is under another name', () => {
  const folders = [
    { kind: 'classification', task: { name: 't', kind: 'classification', labels: [{ name: 'positive' }, { name: 'negative' }] }, items: 'id,text,gold\n1,a,positive\n2,b,negative\n', said: '"gold" is not read: rename the gold column to "label"' },
    { kind: 'qa', task: { name: 'q', kind: 'qa', answerType: 'free-form' }, items: 'id,question,answer\n1,a?,x\n2,b?,y\n', said: '"answer" is not read: rename the gold column to "answers"' },
    { kind: 'rating', task: { name: 'r', kind: 'rating', scale: { min: 1, max: 5 } }, items: 'id,text,stars,note\n1,a,4,x\n2,b,2,y\n', said: '"stars", "note" are not read: rename the gold column to "label"' },
  ] as const;
  for (const f of folders) {
    it(`${f.kind}: the message names the column gold is read from and the columns that are not read`, async () => {
      const d = dir();
      writeFileSync(join(d, 'task.json'), JSON.stringify(f.task));
      writeFileSync(join(d, 'items.csv'), f.items);
      writeFileSync(join(d, 'responses.csv'), 'item,model,output\n1,m,positive\n2,m,negative\n');
      const r = await runCli(['eval', d, '--folds', '2']);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`has no gold: no item of ${join(d, 'items.csv')} has a value in`);
      expect(r.stderr).toContain(f.said);
    });
  }
});
