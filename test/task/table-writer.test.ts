import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { tableWriter } from '../../src/task/table-writer.js';

describe('CSV and TSV output round-trips through a CSV reader', () => {
  // Cells as a user's own columns and the models' answers bring them: a line break of any era
  // (\r alone is an old Mac's, or an answer's), the delimiter, quotes, a leading zero, spaces, emoji.
  const record = { id: '007', text: 'a\rb', answer: 'one\r\ntwo\nthree', note: 'x, "y"\tz', pad: ' 1 ', emoji: '東京 🎉' };
  const columns = Object.keys(record);
  for (const format of ['csv', 'tsv'] as const) {
    it(`${format}: every cell reads back as written, one record per row`, () => {
      const w = tableWriter(format);
      const text = w.header(columns) + w.row(record, columns) + w.row({ ...record, id: '7' }, columns);
      // Read as Python's csv module reads it: \r, \n and \r\n all end an unquoted row.
      const rows = parse(text, { columns: true, delimiter: format === 'tsv' ? '\t' : ',', record_delimiter: ['\r\n', '\n', '\r'] }) as Record<string, string>[];
      expect(rows).toEqual([record, { ...record, id: '7' }]);
    });
  }
});
