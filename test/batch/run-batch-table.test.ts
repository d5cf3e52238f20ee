import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, captureStream, itemsOf, task } from '../integration/setup.js';

const fixture = fakeServerFixture();
const BATCH_MODELS = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest'];

const io = (env: Record<string, string>, input = '') => {
  const stdin = new PassThrough();
  stdin.end(input);
  return { stdin, stdout: captureStream(), stderr: captureStream(), env };
};

/** Quotes a delimited field the way spreadsheets do (always, doubling inner quotes). */
const quote = (v: string): string => `"${v.replace(/"/g, '""')}"`;

/** Reviews with numeric ids, a stars column to pass through, and texts holding the delimiter, quotes and a newline. */
function reviews(n: number, delimiter: string): string {
  const rows = itemsOf(n).map((it, i) => {
    const text = i % 5 === 0 ? `${it.text}${delimiter} "really",\nsecond line` : it.text;
    return [String(100 + i), quote(text), String(1 + (i % 5))].join(delimiter);
  });
  // A BOM, \r\n line ends, and a row with a field too many (reported by the pipeline, never batched).
  return `\uFEFF${['review_id', 'review_text', 'stars'].join(delimiter)}\r\n${rows.join('\r\n')}\r\n7${delimiter}x${delimiter}y${delimiter}z\r\n`;
}

describe('fusion run --batch reads the tables the live path reads', () => {
  for (const [format, delimiter] of [
    ['csv', ','],
    ['tsv', '\t'],
  ] as const) {
    it(`${format} in, ${format} out: the same rows as a live run (passthrough columns kept), every call in a batch once`, async () => {
      const N = 15;
      const server = await fixture.start({ labels: LABELS, batches: { pollsToFinish: 2 } });
      const { dir } = fixture.tempDir();
      const taskFile = join(dir, 'task.json');
      writeFileSync(taskFile, JSON.stringify(task));
      const table = join(dir, `reviews.${format}`);
      writeFileSync(table, reviews(N, delimiter));
      const args = (cache: string, out: string, extra: string[]) => ['run', '--task', taskFile, '--models', BATCH_MODELS.join(','), '--cache', join(dir, cache), '--input', table, '--output', join(dir, out), '--id-column', 'review_id', '--text-column', 'review_text', ...extra];

      const batched = io(server.env());
      expect(await main(args('batch.sqlite', `batched.${format}`, ['--batch', '--batch-poll', '0.001']), batched), batched.stderr.text()).toBe(1); // the bad row
      // The bad row's line: after the header, N rows, and the embedded newline of every fifth one.
      expect(batched.stderr.text()).toMatch(new RegExp(`reviews\\.${format}:${N + 2 + Math.ceil(N / 5)}: 4 field`));
      const snap = server.snapshot();
      // Every call of every readable row went into the batches, and the pipeline asked nothing live.
      expect(snap.batchRequests).toBe(BATCH_MODELS.length * N);
      expect(snap.requests).toBe(0);
      expect(snap.duplicateSuccesses).toBe(0);

      const liveServer = await fixture.start({ labels: LABELS });
      const live = io(liveServer.env());
      expect(await main(args('live.sqlite', `live.${format}`, []), live)).toBe(1);
      expect(liveServer.snapshot().successes).toBe(BATCH_MODELS.length * N);

      const read = (name: string) => parse(readFileSync(join(dir, name), 'utf8'), { columns: true, delimiter, bom: true }) as Record<string, string>[];
      const rows = read(`batched.${format}`);
      const liveRows = read(`live.${format}`);
      const withoutCost = (r: Record<string, string>) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'cost'));
      expect(rows.map(withoutCost)).toEqual(liveRows.map(withoutCost));
      expect(rows).toHaveLength(N + 1);
      for (const [i, r] of rows.slice(0, N).entries()) {
        expect(r.review_id).toBe(String(100 + i));
        expect(r.stars).toBe(String(1 + (i % 5)));
        expect(LABELS).toContain(r.label);
        expect(Number(r.confidence)).toBeGreaterThan(0);
      }
      expect(rows[0]?.review_text).toContain('second line');
    });
  }
});
