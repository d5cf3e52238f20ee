import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../src/kinds/registry.js';
import { LABELS } from '../integration/setup.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { kindWorld } from '../support/kind-worlds.js';
import { runCli } from '../support/run-cli.js';

const fixture = fakeServerFixture();
const N = 8;

/** A table of the world's items with columns named otherwise than the fields (key, body, gold), and one row without gold. */
function worldTable(kind: string): string {
  const world = kindWorld(kind);
  const rows = Array.from({ length: N + 1 }, (_, i) => `k${i},"${String(world.item(i)[world.dataField])}",${i < N ? world.gold(i) : ''}`);
  return `key,body,gold\n${rows.join('\n')}\n`;
}

describe('fusion init makes a working starter folder of every kind', () => {
  it.each(KINDS.map((k) => [k.kind] as const))('%s: init, then eval, fit and run take the folder as written', async (kind) => {
    const world = kindWorld(kind);
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'rows.csv'), worldTable(kind));
    const dir = join(t.dir, 'set');
    const dataColumn = `--${world.dataField}-column`;
    const init = await runCli(['init', join(t.dir, 'rows.csv'), '--kind', kind, '--id-column', 'key', dataColumn, 'body', '--label-column', 'gold', '--out', dir]);
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    expect(init.stdout).toContain(`(${N + 1} items, ${N} labelled)`);
    const task = JSON.parse(readFileSync(join(dir, 'task.json'), 'utf8')) as { kind: string };
    expect(task.kind).toBe(kind);
    const items = readFileSync(join(dir, 'items.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(items.map((i) => i.id)).toEqual(Array.from({ length: N + 1 }, (_, i) => `k${i}`));
    expect(items[0]?.[world.dataField]).toBe(world.item(0)[world.dataField]);

    // The answers three models would give, recorded as fusion eval --models records them.
    const responses = items.flatMap((item, i) => [0, 1, 2].map((m) => JSON.stringify({ item: item.id, model: `m${m}`, output: world.output(i, m) })));
    writeFileSync(join(dir, 'responses.jsonl'), `${responses.join('\n')}\n`);
    const ev = await runCli(['eval', dir, '--folds', '2']);
    expect(ev.stderr).toBe('');
    expect(ev.status).toBe(0);
    expect(ev.stdout).toContain('m0');
    const saved = join(dir, 'strategy.json');
    const fit = await runCli(['fit', dir, '--strategy', 'auto', '--folds', '2', '--out', saved]);
    expect(fit.stderr).toBe('');
    expect(fit.status).toBe(0);

    const server = await fixture.start({ labels: LABELS, content: () => world.output(0, 0) });
    const run = await runCli(['run', '--task', join(dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--input', join(t.dir, 'rows.csv'), '--id-column', 'key', dataColumn, 'body', '--no-cache', '--output-format', 'jsonl'], { env: server.env() });
    expect(run.stderr).toContain(`fusion run: ${N + 1} line(s) written, 0 bad`);
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(items.map((i) => i.id));
  });

  it('a flag of another kind is refused, naming the kinds it applies to; an unknown kind names the known ones', async () => {
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'rows.csv'), worldTable('classification'));
    const scale = await runCli(['init', join(t.dir, 'rows.csv'), '--label-column', 'gold', '--scale', '1-5', '--out', join(t.dir, 'a')]);
    expect(scale.status).toBe(2);
    expect(scale.stderr).toContain('--scale does not apply to classification tasks (it applies with --kind rating)');
    const kind = await runCli(['init', join(t.dir, 'rows.csv'), '--kind', 'ranking', '--out', join(t.dir, 'b')]);
    expect(kind.status).toBe(2);
    expect(kind.stderr).toContain(`--kind ranking: must be one of ${KINDS.map((k) => k.kind).join(', ')}`);
  });
});

describe('fusion init: what each kind derives from the table', () => {
  it('ordered labels: numbers sorted as numbers, words only in the order --labels gives; the folder runs the ordered strategies', async () => {
    const t = fixture.tempDir();
    const stars = [10, 2, 1, 2, 10, 1, 2, 10];
    writeFileSync(join(t.dir, 'stars.csv'), `text,label\n${stars.map((s, i) => `review ${i},${s}`).join('\n')}\n`);
    const dir = join(t.dir, 'stars');
    expect((await runCli(['init', join(t.dir, 'stars.csv'), '--ordered', '--out', dir])).status).toBe(0);
    const task = JSON.parse(readFileSync(join(dir, 'task.json'), 'utf8')) as { ordered: boolean; labels: { name: string }[] };
    expect(task.ordered).toBe(true);
    expect(task.labels.map((l) => l.name)).toEqual(['1', '2', '10']);
    writeFileSync(join(dir, 'responses.jsonl'), stars.map((s, i) => JSON.stringify({ item: String(i + 1), model: 'm', output: String(s) })).join('\n'));
    const ev = await runCli(['eval', dir, '--folds', '2', '--strategies', 'median-label,expected-rank']);
    expect(ev.stderr).toBe('');
    expect(ev.status).toBe(0);

    const moods = ['bad', 'good', 'fine', 'good'];
    writeFileSync(join(t.dir, 'moods.csv'), `text,label\n${moods.map((m, i) => `day ${i},${m}`).join('\n')}\n`);
    const words = await runCli(['init', join(t.dir, 'moods.csv'), '--ordered', '--out', join(t.dir, 'w1')]);
    expect(words.status).toBe(2);
    expect(words.stderr).toContain('--ordered needs the labels\' order, which words do not tell (bad, good, fine): give --labels');
    const listed = await runCli(['init', join(t.dir, 'moods.csv'), '--ordered', '--labels', 'bad,fine,good,great', '--out', join(t.dir, 'w2')]);
    expect(listed.status).toBe(0);
    expect((JSON.parse(readFileSync(join(t.dir, 'w2', 'task.json'), 'utf8')) as { labels: { name: string }[] }).labels.map((l) => l.name)).toEqual(['bad', 'fine', 'good', 'great']);
    const stray = await runCli(['init', join(t.dir, 'moods.csv'), '--labels', 'bad,good', '--out', join(t.dir, 'w3')]);
    expect(stray.status).toBe(2);
    expect(stray.stderr).toContain(`${join(t.dir, 'moods.csv')}:4: label: "fine" is not among --labels (bad, good)`);
  });

  it('rating: the scale is --scale, else the gold scores\' range (said); no spread of gold and no --scale is refused; a score off --scale names its row', async () => {
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'r.csv'), 'text,label\na,2\nb,4\nc,3\n');
    const ranged = await runCli(['init', join(t.dir, 'r.csv'), '--kind', 'rating', '--out', join(t.dir, 'a')]);
    expect(ranged.stdout).toContain("rating task: scale 2-4 (the gold scores' range; --scale MIN-MAX sets it)");
    expect((JSON.parse(readFileSync(join(t.dir, 'a', 'task.json'), 'utf8')) as { scale: unknown }).scale).toEqual({ min: 2, max: 4 });
    expect((await runCli(['init', join(t.dir, 'r.csv'), '--kind', 'rating', '--scale', '1-5', '--out', join(t.dir, 'b')])).status).toBe(0);
    expect((JSON.parse(readFileSync(join(t.dir, 'b', 'task.json'), 'utf8')) as { scale: unknown }).scale).toEqual({ min: 1, max: 5 });
    const off = await runCli(['init', join(t.dir, 'r.csv'), '--kind', 'rating', '--scale', '1-3', '--out', join(t.dir, 'c')]);
    expect(off.status).toBe(2);
    expect(off.stderr).toContain(`${join(t.dir, 'r.csv')}:3: label: 4 is outside --scale 1-3`);
    writeFileSync(join(t.dir, 'flat.csv'), 'text,label\na,3\nb,3\n');
    const flat = await runCli(['init', join(t.dir, 'flat.csv'), '--kind', 'rating', '--out', join(t.dir, 'd')]);
    expect(flat.status).toBe(2);
    expect(flat.stderr).toContain('every gold score is 3, so the scale cannot be read from it: give --scale MIN-MAX');
  });

  it('QA: numeric when every gold answer is a number, free-form otherwise, multiple-choice when every question has choices; --answer-type decides', async () => {
    const t = fixture.tempDir();
    const typeOf = async (csv: string, extra: string[] = []): Promise<string> => {
      const file = join(t.dir, `q${Math.random().toString(36).slice(2)}.csv`);
      writeFileSync(file, csv);
      const dir = `${file}.set`;
      const r = await runCli(['init', file, '--kind', 'qa', '--out', dir, ...extra]);
      expect(r.stderr).toBe('');
      return (JSON.parse(readFileSync(join(dir, 'task.json'), 'utf8')) as { answerType: string }).answerType;
    };
    expect(await typeOf('question,label\nHow many?,"1,000"\nAnd now?,-2.5\n')).toBe('numeric');
    expect(await typeOf('question,label\nWho?,Ada\nHow many?,3\n')).toBe('free-form');
    expect(await typeOf('question,label\nHow many?,3\n', ['--answer-type', 'free-form'])).toBe('free-form');
    const choices = JSON.stringify([{ label: 'A', text: 'yes' }, { label: 'B', text: 'no' }]).replace(/"/g, '""');
    expect(await typeOf(`question,choices,label\nReally?,"${choices}",A\nTruly?,"${choices}",B\n`)).toBe('multiple-choice');
  });
});
