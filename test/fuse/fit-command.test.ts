import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { fitCommand } from '../../src/cli/commands/fit.js';
import type { CliIo } from '../../src/cli/io.js';
import { readLabelStrategy } from '../../src/fuse/saved-strategy.js';
import { fromVotes } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'fusion-fit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): { io: CliIo; out: () => string } {
  let text = '';
  const stdout = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  });
  return { io: { stdin: new PassThrough(), stdout, stderr: new PassThrough() }, out: () => text };
}

// A small hand-made sentiment-like set: "sharp" is right, "contrarian" always names the other label, "lazy" says pos.
const folder = join(dir, 'set');
const rows: { id: string; label: string }[] = [];
const responses: string[] = [];
for (let i = 0; i < 40; i++) {
  const label = i % 3 === 0 ? 'neg' : 'pos';
  const other = label === 'pos' ? 'N' : 'P';
  rows.push({ id: `t${i}`, label });
  responses.push(JSON.stringify({ item: `t${i}`, model: 'sharp', output: i % 10 === 7 ? other : label === 'pos' ? 'P' : 'N' }));
  responses.push(JSON.stringify({ item: `t${i}`, model: 'contrarian', output: other }));
  responses.push(JSON.stringify({ item: `t${i}`, model: 'lazy', output: i % 5 === 0 ? 'I cannot say' : 'positive' }));
}
mkdirSync(folder, { recursive: true });
writeFileSync(join(folder, 'task.json'), JSON.stringify({ name: 'mini', kind: 'classification', labels: [{ name: 'positive', aliases: ['P', 'pos'] }, { name: 'negative', aliases: ['N', 'neg'] }] }));
writeFileSync(join(folder, 'items.jsonl'), rows.map((r) => JSON.stringify({ id: r.id, text: 'x', label: r.label })).join('\n'));
writeFileSync(join(folder, 'responses.jsonl'), responses.join('\n'));

describe('fusion fit', () => {
  it('fits, reports an out-of-fold estimate and writes a file that predicts on unlabelled answers', async () => {
    const out = join(dir, 'stack.json');
    const t = io();
    expect(await fitCommand([folder, '--strategy', 'stacking', '--out', out, '--folds', '4', '--seed', '2'], t.io)).toBe(0);
    expect(t.out()).toMatch(/out-of-fold \(4 folds, seed 2\): accuracy (0\.9\d\d|1\.000)/);
    const { saved, fitted } = readLabelStrategy(out);
    expect(saved).toMatchObject({ format: 'llm-fusion/strategy', strategy: 'stacking', task: 'mini', labels: ['positive', 'negative'], models: ['sharp', 'contrarian', 'lazy'] });
    // The contrarian alone says "positive": stacking reads that as negative.
    const p = fitted.predict(fromVotes(['positive', 'negative'], ['contrarian'], [[0]]));
    expect(p.probs[1]).toBeGreaterThan(0.5);
  });

  it('reports what auto picked', async () => {
    const t = io();
    expect(await fitCommand([folder, '--strategy', 'auto', '--out', join(dir, 'auto.json'), '--folds', '0'], t.io)).toBe(0);
    expect(t.out()).toMatch(/picked: \S+/);
    // Whether the mixture held against its best candidate on the training data, and why.
    expect(t.out()).toMatch(/^check: (kept the mixture|fell back to \S+): .*held out on the training folds/m);
    expect(t.out()).not.toMatch(/out-of-fold/);
  });

  it('fits an unsupervised strategy without reading labels', async () => {
    const t = io();
    expect(await fitCommand([folder, '--strategy', 'dawid-skene', '--out', join(dir, 'ds.json')], t.io)).toBe(0);
    expect(t.out()).toMatch(/on all items, without labels/);
  });

  it('rejects an unknown strategy and missing options with usage errors', async () => {
    await expect(fitCommand([folder, '--strategy', 'magic', '--out', join(dir, 'm.json')], io().io)).rejects.toThrow(/unknown strategy "magic"/);
    await expect(fitCommand([folder, '--strategy', 'stacking'], io().io)).rejects.toThrow(/--out is required/);
    await expect(fitCommand([folder, '--out', 'x.json'], io().io)).rejects.toThrow(/--strategy is required/);
  });
});
