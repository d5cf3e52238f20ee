import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { foldsShortfall } from '../../src/kinds/fold-shortfall.js';
import { FoldsError } from '../../src/eval/folds-error.js';
import { kindOf } from '../../src/kinds/registry.js';
import { loadEvalFolder } from '../../src/kinds/load-folder.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { expectRefusedBeforeAnyCall } from '../support/live-folder.js';
import { runCli } from '../support/run-cli.js';
import { writeEvalFolder } from '../support/temp-folder.js';

// Rating folds are grouped: items that share a text (one story rated on several criteria) stay in
// one fold, so a folder whose items all share one text has one group and cannot be cross-validated,
// however many items it holds. That must be said before any call, and as an input error, never as a
// RangeError after every answer was paid for.
const fixture = fakeServerFixture();
const ratingTask = { name: 'one-story', kind: 'rating', scale: { min: 1, max: 5 }, instructions: 'Rate the text.' };
const oneText = Array.from({ length: 6 }, (_, i) => ({ id: `r${i}`, text: 'the same story', label: 1 + (i % 5) }));
const answers = oneText.flatMap((it, i) => ['a', 'b'].map((model) => ({ item: it.id, model, output: `Score: ${1 + ((i + (model === 'b' ? 1 : 0)) % 5)}` })));

describe('a rating folder whose items share one text (one group)', () => {
  it('the library evaluation throws a FoldsError naming the items file, not a RangeError', async () => {
    const dir = writeEvalFolder({ task: ratingTask, items: oneText, responses: answers });
    const folder = loadEvalFolder(dir);
    const kind = kindOf(folder.task);
    const run = kind.evaluate(folder, { folds: 5, seed: 1, strategies: ['mean', 'median'] });
    await expect(run).rejects.toBeInstanceOf(FoldsError);
    await expect(run).rejects.toThrow(`${join(dir, 'items.jsonl')}: cannot make 5 folds from 6 items sharing 1 text (items with one text stay in one fold: it needs at least 2 different texts)`);
  });

  it('fusion eval without --models: exit 2 with file and message, no stack trace', async () => {
    const dir = writeEvalFolder({ task: ratingTask, items: oneText, responses: answers });
    const r = await runCli(['eval', dir, '--strategies', 'mean']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'items.jsonl')}: cannot make 5 folds from 6 items sharing 1 text`);
    expect(r.stderr).not.toContain('RangeError');
  });

  it('fusion eval --models: a usage error before any model is asked, offering no flag that would not work (stacking, among all strategies, needs a third text)', async () => {
    const server = await fixture.start({ labels: ['1', '2', '3', '4', '5'] });
    const t = fixture.tempDir();
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(ratingTask));
    writeFileSync(join(t.dir, 'items.jsonl'), oneText.map((x) => JSON.stringify(x)).join('\n') + '\n');
    const r = await runCli(['eval', t.dir, '--models', 'openai:gpt-4o-mini', '--no-cache', '--quiet'], { env: server.env() });
    expectRefusedBeforeAnyCall(r, server, t.dir, `${join(t.dir, 'items.jsonl')}: cannot make 5 folds from 6 items sharing 1 text (items with one text stay in one fold: it needs at least 3 different texts)`);
    expect(r.stderr).not.toContain('--folds');
    expect(r.stderr).not.toContain('--strategies');
  });

  it('two texts are enough for the strategies that fit on one training group; stacking is offered the label-free way out', () => {
    const kind = kindOf({ kind: 'rating' });
    const task = ratingTask as Parameters<typeof kind.strategyNames>[0];
    const twoTexts = oneText.map((x, i) => ({ ...x, text: i < 3 ? 'story one' : 'story two' }));
    expect(foldsShortfall(kind, task, 'd/items.jsonl', twoTexts, 5, ['mean', 'calibrated', 'auto'])?.issues[0]?.message ?? null).toBeNull();
    expect(foldsShortfall(kind, task, 'd/items.jsonl', twoTexts, 5, ['mean', 'stacking'])?.issues[0]?.message ?? null).toBe('cannot make 5 folds from 6 items sharing 2 texts (items with one text stay in one fold: --strategies mean (only strategies that need no labels))');
  });

  it('fusion fit: the held-out estimate needs the folds, so the refusal offers --folds 0, which fits', async () => {
    const dir = writeEvalFolder({ task: ratingTask, items: oneText, responses: answers });
    const r = await runCli(['fit', dir, '--strategy', 'calibrated', '--out', join(dir, 's.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'items.jsonl')}: cannot make 5 folds from 6 items sharing 1 text (items with one text stay in one fold: it needs at least 2 different texts); --folds 0 fits on every item without the held-out estimate`);
    expect(r.stderr).not.toContain('RangeError');
    const fitted = await runCli(['fit', dir, '--strategy', 'calibrated', '--folds', '0', '--out', join(dir, 's.json')]);
    expect(fitted.status).toBe(0);
  });
});

describe('a named strategy that cannot run on the task, said before any model is asked', () => {
  it.each([
    ['classification without an order', 'median-label', 'median-label needs an ordered task'],
    ['free-form QA', 'dawid-skene', 'dawid-skene needs a fixed label set (classification or multiple-choice QA): it learns parameters per label, but free-form answers differ per question'],
  ])('%s: --strategies %s is a usage error, nothing asked or written', async (_what, name, said) => {
    const qa = name === 'dawid-skene';
    const server = await fixture.start({ labels: ['positive', 'negative'] });
    const t = fixture.tempDir();
    const task = qa ? { name: 'qa', kind: 'qa', answerType: 'free-form', instructions: 'Answer.' } : { name: 's', kind: 'classification', labels: [{ name: 'positive' }, { name: 'negative' }] };
    writeFileSync(join(t.dir, 'task.json'), JSON.stringify(task));
    const items = Array.from({ length: 6 }, (_, i) => (qa ? { id: `q${i}`, question: `Question ${i}?`, answers: ['yes'] } : { id: `t${i}`, text: `text ${i}`, label: i % 2 ? 'positive' : 'negative' }));
    writeFileSync(join(t.dir, 'items.jsonl'), items.map((x) => JSON.stringify(x)).join('\n') + '\n');
    const r = await runCli(['eval', t.dir, '--models', 'openai:gpt-4o-mini', '--no-cache', '--quiet', '--folds', '2', '--strategies', `majority-vote,${name}`], { env: server.env() });
    expectRefusedBeforeAnyCall(r, server, t.dir, said);
  });
});
