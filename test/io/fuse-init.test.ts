import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { LABELS, MODELS, expectedLabel, task } from '../integration/setup.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { runCli } from '../support/run-cli.js';

const fixture = fakeServerFixture();

const texts = Array.from({ length: 30 }, (_, i) => `Review ${i}: the product was ${['fine', 'awful', 'great'][i % 3]}, ${i % 2 ? 'truly' : 'honestly'}.`);

describe('fusion fuse: answers you already have, no calls', () => {
  it('a QA folder without gold: one fused answer per question, no scores, exit 0', async () => {
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify({ name: 'sums', kind: 'qa', answerType: 'numeric', instructions: '' }));
    const questions = Array.from({ length: 6 }, (_, i) => ({ id: `q${i}`, question: `What is ${i} + ${i}?` }));
    writeFileSync(join(t.dir, 'items.jsonl'), questions.map((q) => JSON.stringify(q)).join('\n'));
    const responses = questions.flatMap((q, i) =>
      ['a', 'b', 'c'].map((model, j) => ({ item: q.id, model, output: j === 2 && i % 2 ? `The answer is ${2 * i + 1}` : `#### ${2 * i}` })),
    );
    writeFileSync(join(t.dir, 'responses.jsonl'), responses.map((r) => JSON.stringify(r)).join('\n'));
    const r = await runCli(['fuse', t.dir]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; answer: string });
    expect(lines.map((l) => l.id)).toEqual(questions.map((q) => q.id));
    lines.forEach((l, i) => expect(Number(l.answer)).toBe(2 * i));
    // eval has nothing to score and says what to use instead; fit of an unsupervised strategy works.
    const ev = await runCli(['eval', t.dir]);
    expect(ev.status).toBe(2);
    expect(ev.stderr).toMatch(/fusion fuse/);
    expect((await runCli(['fit', t.dir, '--strategy', 'majority-vote', '--out', join(t.dir, 'vote.json')])).status).toBe(0);
    const saved = await runCli(['fuse', t.dir, '--strategy', join(t.dir, 'vote.json')]);
    expect(saved.stdout).toBe(r.stdout);
    // With gold: the scores of the strategies numeric answers allow (not dawid-skene, which needs a fixed label set).
    writeFileSync(join(t.dir, 'items.jsonl'), questions.map((q, i) => JSON.stringify({ ...q, answers: [String(2 * i)] })).join('\n'));
    const scored = await runCli(['fuse', t.dir]);
    expect(scored.status).toBe(0);
    expect(scored.stdout).toBe(r.stdout);
    expect(scored.stderr).toMatch(/^  majority-vote +strategy +100\.0/m);
    expect(scored.stderr).not.toMatch(/dawid-skene\s/);
  });

  it('an answers CSV with gold items: rows out (CSV), the leaderboard of the unsupervised strategies and models printed', async () => {
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const items = texts.map((text, i) => ({ id: i + 1, text, label: expectedLabel('openai:truth', text) }));
    writeFileSync(join(t.dir, 'items.csv'), `id,text,label\n${items.map((i) => `${i.id},"${i.text}",${i.label}`).join('\n')}\n`);
    const rows = items.flatMap((item) => MODELS.map((m) => `${item.id},${m},${expectedLabel(m, item.text)}`));
    writeFileSync(join(t.dir, 'answers.csv'), `item,model,output\n${rows.join('\n')}\n`);
    const r = await runCli(['fuse', '--answers', join(t.dir, 'answers.csv'), '--task', join(t.dir, 'task.json'), '--items', join(t.dir, 'items.csv'), '--strategy', 'dawid-skene', '--output-format', 'csv']);
    expect(r.status).toBe(0);
    const out = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(out.map((o) => o.id)).toEqual(items.map((i) => String(i.id)));
    for (const o of out) expect(LABELS).toContain(o.label);
    expect(Object.keys(out[0] ?? {})).toEqual(['id', 'label', 'confidence', ...MODELS, 'abstain', 'error']);
    for (const name of ['dawid-skene', 'majority-vote', ...MODELS]) expect(r.stderr).toContain(name);
    expect(r.stderr).toMatch(/acc %/);
  });
});

describe('fusion init FILE --out DIR, then fusion eval DIR --models ...', () => {
  it('goes from a labelled CSV of reviews to a leaderboard of three live models without editing a file', async () => {
    const server = await fixture.start({ labels: LABELS });
    const t = fixture.tempDir();
    const csv = `review_id,review_text,sentiment\n${texts.map((text, i) => `${1000 + i},"${text}",${LABELS[i % 3]}`).join('\n')}\n`;
    writeFileSync(join(t.dir, 'reviews.csv'), csv);
    const dir = join(t.dir, 'my-set');
    const init = await runCli(['init', join(t.dir, 'reviews.csv'), '--text-column', 'review_text', '--label-column', 'sentiment', '--id-column', 'review_id', '--out', dir]);
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    expect(init.stdout).toMatch(/fusion eval .*my-set --models/);
    const written = JSON.parse(readFileSync(join(dir, 'task.json'), 'utf8')) as { labels: { name: string }[] };
    expect(written.labels.map((l) => l.name)).toEqual(LABELS);
    expect(readFileSync(join(dir, 'items.jsonl'), 'utf8').trim().split('\n')).toHaveLength(texts.length);

    const ev = await runCli(['eval', dir, '--models', MODELS.join(','), '--no-cache'], { env: server.env() });
    expect(ev.stderr).not.toMatch(/invalid|unexpected/);
    expect(ev.status).toBe(0);
    for (const m of MODELS) expect(ev.stdout).toContain(m);

    // Never overwrites: a second init into the same folder is refused and changes nothing.
    const before = readFileSync(join(dir, 'items.jsonl'), 'utf8');
    const again = await runCli(['init', join(t.dir, 'reviews.csv'), '--text-column', 'review_text', '--label-column', 'sentiment', '--out', dir]);
    expect(again.status).toBe(2);
    expect(readFileSync(join(dir, 'items.jsonl'), 'utf8')).toBe(before);
    // A label column with one value is no task.
    writeFileSync(join(t.dir, 'one.csv'), 'text,label\na,x\nb,x\n');
    const one = await runCli(['init', join(t.dir, 'one.csv'), '--out', join(t.dir, 'one')]);
    expect(one.status).toBe(2);
    expect(one.stderr).toMatch(/one label only/);
    expect(existsSync(join(t.dir, 'one', 'task.json'))).toBe(false);
  });
});
