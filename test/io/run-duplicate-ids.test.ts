import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { itemsOfTable } from '../../src/run/table-items.js';
import { ClassificationItemSchema } from '../../src/task/schema.js';
import { startCliProcess } from '../support/cli-process.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { LABELS, task } from '../integration/setup.js';

const fixture = fakeServerFixture();

/**
 * `fusion run` reads a stream, so it cannot refuse a whole input for a row it has not read yet: a
 * second row of an id already seen is a bad line, as the table readers name it (`file:line: id:
 * duplicate item id "X" (first on line N)`), keeps its place in the output as an error line, and is
 * never asked about: no call paid for it, no second answer row under that id, exit 1 (some input
 * lines were bad).
 */
describe('fusion run and a duplicate id in its input', () => {
  it.each([
    ['jsonl', ['{"id": "a", "text": "great"}', '{"id": "b", "text": "awful"}', '{"id": "a", "text": "something else"}', '{"id": "c", "text": "fine"}', '{"id": 1, "text": "one"}', '{"id": "1", "text": "one again"}'].join('\n') + '\n', 'stdin'],
    ['csv', 'id,text\na,great\nb,awful\na,something else\nc,fine\n1,one\n1,one again\n', 'in.csv'],
  ])('%s: the second row of an id is refused before any call, with the line of the first', async (format, input, name) => {
    const server = await fixture.start({ labels: LABELS });
    const { dir } = fixture.tempDir();
    writeFileSync(join(dir, 'task.json'), JSON.stringify(task));
    const args = ['run', '--task', join(dir, 'task.json'), '--models', 'openai:gpt-4o-mini', '--cache', join(dir, 'c.sqlite')];
    if (format === 'csv') writeFileSync(join(dir, 'in.csv'), input);
    const run = startCliProcess(format === 'csv' ? [...args, '--input', join(dir, 'in.csv')] : args, server.env(), format === 'csv' ? '' : input);
    expect(await run.exit(60_000), run.err()).toBe(1);
    const first = format === 'csv' ? { a: 2, one: 6 } : { a: 1, one: 5 };
    const at = (line: number): number => (format === 'csv' ? line + 1 : line);
    expect(run.err()).toContain(`${format === 'csv' ? join(dir, name) : name}:${at(3)}: id: duplicate item id "a" (first on line ${first.a})`);
    expect(run.err()).toContain(`:${at(6)}: id: duplicate item id "1" (first on line ${first.one})`);
    expect(run.err()).toContain('2 bad input line(s)');
    // One call per distinct id; the refused rows are error rows in their place.
    expect(server.snapshot().requests).toBe(4);
    const out = run.out().trim().split('\n');
    if (format === 'jsonl') {
      const lines = out.map((l) => JSON.parse(l) as { id?: string; error?: string; answers?: unknown[] });
      expect(lines.map((l) => l.id)).toEqual(['a', 'b', 'a', 'c', '1', '1']);
      expect(lines.map((l) => l.error !== undefined)).toEqual([false, false, true, false, false, true]);
      expect(lines.filter((l) => l.answers !== undefined)).toHaveLength(4);
    } else {
      expect(out).toHaveLength(7);
      expect(out[3]).toMatch(/duplicate item id/);
      expect(out[6]).toMatch(/duplicate item id/);
    }
  }, 60_000);

  it('--batch reads the same items as the stream: a duplicate row is not submitted', () => {
    const text = '{"id": "a", "text": "great"}\n{"id": "a", "text": "other"}\n{"id": "b", "text": "fine"}\n';
    expect(itemsOfTable(text, 'jsonl', 'stdin', {}, ClassificationItemSchema).map((i) => i.text)).toEqual(['great', 'fine']);
  });
});
