import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LABELS, itemsOf, task } from '../integration/setup.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { startWithLabelledFolder } from '../support/live-folder.js';
import { runCli } from '../support/run-cli.js';

// Model names are case-sensitive at providers, so two spellings stay two models (nothing refused,
// nothing merged); a user who meant one is told, with both spellings and where each is.
const fixture = fakeServerFixture();
const BOTH_CASES = 'differ only by case: each is read as a model of its own, with the answers under its spelling (model names are case-sensitive at providers; if they are one model, write one spelling)';

function folderWithModels(names: readonly string[]): string {
  const d = fixture.tempDir().dir;
  writeFileSync(join(d, 'task.json'), JSON.stringify(task));
  const items = itemsOf(4).map((x, i) => ({ ...x, label: LABELS[i % LABELS.length] }));
  writeFileSync(join(d, 'items.jsonl'), items.map((x) => JSON.stringify(x)).join('\n') + '\n');
  const lines = items.flatMap((x, i) => names.map((model, j) => ({ item: x.id, model, output: LABELS[(i + j) % LABELS.length] })));
  writeFileSync(join(d, 'responses.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return d;
}

describe('model names that differ only by case', () => {
  it('fusion fuse and fusion fit warn on stderr, naming both spellings and the lines they first appear on; the fused lines are those of two models', async () => {
    const d = folderWithModels(['m1', 'GPT-4o', 'gpt-4o']);
    const r = await runCli(['fuse', d, '--strategy', 'majority-vote', '--output', '-', '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(4);
    expect(r.stderr).toContain(`fusion: warning: ${join(d, 'responses.jsonl')}:3: model: "GPT-4o" (first on line 2) and "gpt-4o" (first on line 3) ${BOTH_CASES}\n`);
    // The same answers under a name that is not a case variant fuse to the same lines.
    const other = folderWithModels(['m1', 'GPT-4o', 'other']);
    const plain = await runCli(['fuse', other, '--strategy', 'majority-vote', '--output', '-', '--quiet']);
    expect(plain.stderr).not.toContain('warning');
    expect(r.stdout).toBe(plain.stdout.replaceAll('"other"', '"gpt-4o"'));
    const fit = await runCli(['fit', d, '--strategy', 'majority-vote', '--folds', '0', '--out', join(d, 'fitted.json')]);
    expect(fit.status).toBe(0);
    expect(fit.stderr).toContain(`fusion: warning: ${join(d, 'responses.jsonl')}:3: model: "GPT-4o"`);
  });

  it('fusion eval --models with a model recorded only in another case: a warning before any call names the recorded spelling and its line; it is asked, and the evaluation warns of the two spellings', async () => {
    const { server, t } = await startWithLabelledFolder(fixture, 4);
    const responses = join(t.dir, 'responses.jsonl');
    writeFileSync(responses, itemsOf(4).map((x) => JSON.stringify({ item: x.id, model: 'openai:GPT-4o-mini', output: 'positive' })).join('\n') + '\n');
    const r = await runCli(['eval', t.dir, '--models', 'openai:gpt-4o-mini,anthropic:claude-3-5-haiku-latest', '--no-cache', '--folds', '2', '--strategies', 'majority-vote', '--quiet'], { env: server.env() });
    expect(r.status).toBe(0);
    const before = `fusion: warning: ${responses}:1: model: holds answers of "openai:GPT-4o-mini"; --models openai:gpt-4o-mini differs from it only by case, so every item is asked of it again, as another model (model names are case-sensitive at providers; if they are one model, write "model": "openai:gpt-4o-mini" in those lines first)\n`;
    expect(r.stderr).toContain(before);
    expect(r.stderr.indexOf(before)).toBeLessThan(r.stderr.indexOf('recorded '));
    expect(server.snapshot().successes).toBe(8);
    const firstAsked = readFileSync(responses, 'utf8').split('\n').findIndex((l) => l.includes('"openai:gpt-4o-mini"')) + 1;
    expect(r.stderr).toContain(`fusion: warning: ${responses}:${firstAsked}: model: "openai:GPT-4o-mini" (first on line 1) and "openai:gpt-4o-mini" (first on line ${firstAsked}) ${BOTH_CASES}\n`);
  });

  it('fusion eval --models naming one model in two cases: each is asked, with a warning before any call', async () => {
    const { server, t } = await startWithLabelledFolder(fixture, 4);
    const r = await runCli(['eval', t.dir, '--models', 'openai:gpt-4o-mini,openai:GPT-4o-mini', '--no-cache', '--folds', '2', '--strategies', 'majority-vote', '--quiet'], { env: server.env() });
    expect(r.status).toBe(0);
    const before = 'fusion: warning: --models names "openai:gpt-4o-mini" (model 1) and "openai:GPT-4o-mini" (model 2), which differ only by case: each is asked, as a model of its own (model names are case-sensitive at providers)\n';
    expect(r.stderr).toContain(before);
    expect(r.stderr.indexOf(before)).toBeLessThan(r.stderr.indexOf('recorded '));
    expect(server.snapshot().successes).toBe(8);
  });
});
