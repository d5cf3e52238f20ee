import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LABELS, itemsOf, task } from '../integration/setup.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { runCli } from '../support/run-cli.js';

const fixture = fakeServerFixture();

/** A labelled folder with recorded answers of three models. */
function recordedFolder(dir: string, n: number): void {
  writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
  const items = itemsOf(n).map((x, i) => ({ ...x, label: LABELS[i % 3] }));
  writeFileSync(join(dir, 'items.jsonl'), items.map((x) => JSON.stringify(x)).join('\n') + '\n');
  const responses = items.flatMap((x, i) => ['a', 'b', 'c'].map((model, j) => ({ item: x.id, model, output: LABELS[(i + (j === 2 && i % 4 === 0 ? 1 : 0)) % 3] })));
  writeFileSync(join(dir, 'responses.jsonl'), responses.map((x) => JSON.stringify(x)).join('\n') + '\n');
}

describe('reports and fitted strategies replace their own earlier file, never a file of the user\'s', () => {
  it('fusion eval --json/--html/--report and fusion fit --out over a file fusion did not write: exit 2 before anything is asked, the file untouched', async () => {
    const server = await fixture.start({ labels: LABELS });
    const t = fixture.tempDir();
    recordedFolder(t.dir, 12);
    const mine = join(t.dir, 'notes.txt');
    const text = 'my notes, written by hand\n';
    writeFileSync(mine, text);
    for (const flag of ['--json', '--html', '--report']) {
      const r = await runCli(['eval', t.dir, '--folds', '2', '--strategies', 'majority-vote', '--quiet', flag, mine, '--models', 'openai:gpt-4o-mini', '--no-cache'], { env: server.env() });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${flag} ${mine}`);
      expect(readFileSync(mine, 'utf8')).toBe(text);
    }
    expect(server.snapshot().requests).toBe(0);
    const fit = await runCli(['fit', t.dir, '--strategy', 'majority-vote', '--folds', '0', '--out', mine]);
    expect(fit.status).toBe(2);
    expect(fit.stderr).toContain(`--out ${mine}`);
    expect(readFileSync(mine, 'utf8')).toBe(text);
  });

  it('the same command run twice replaces its own reports and fitted strategy (and an empty file is taken)', async () => {
    const t = fixture.tempDir();
    recordedFolder(t.dir, 12);
    const paths = { json: join(t.dir, 'r.json'), html: join(t.dir, 'r.html'), report: join(t.dir, 'r.md'), out: join(t.dir, 'vote.json') };
    writeFileSync(paths.json, '');
    const evalArgs = ['eval', t.dir, '--folds', '2', '--strategies', 'majority-vote', '--quiet', '--json', paths.json, '--html', paths.html, '--report', paths.report];
    const fitArgs = ['fit', t.dir, '--strategy', 'majority-vote', '--folds', '0', '--out', paths.out];
    for (let run = 0; run < 2; run++) {
      const e = await runCli(evalArgs);
      expect(e.stderr).toBe('');
      expect(e.status).toBe(0);
      expect((await runCli(fitArgs)).status).toBe(0);
    }
    expect(JSON.parse(readFileSync(paths.json, 'utf8')).task).toBe(task.name);
  });

  it('an output whose folder does not exist: a usage error before anything is asked or fitted, not an unexpected error at the end', async () => {
    const server = await fixture.start({ labels: LABELS });
    const t = fixture.tempDir();
    recordedFolder(t.dir, 12);
    const missing = join(t.dir, 'no-such-folder', 'r.json');
    for (const flag of ['--json', '--html', '--report']) {
      const r = await runCli(['eval', t.dir, '--folds', '2', '--strategies', 'majority-vote', '--quiet', flag, missing, '--models', 'openai:gpt-4o-mini', '--no-cache'], { env: server.env() });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${flag} ${missing}: its folder does not exist`);
    }
    expect(server.snapshot().requests).toBe(0);
    const fit = await runCli(['fit', t.dir, '--strategy', 'majority-vote', '--folds', '0', '--out', missing]);
    expect(fit.status).toBe(2);
    expect(fit.stderr).toContain(`--out ${missing}: its folder does not exist`);
  });
});

