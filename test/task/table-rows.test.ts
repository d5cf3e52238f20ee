import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type InputRow, readRowsOfText, rowSource } from '../../src/task/table-rows.js';

/** The rows of a table read through fusion run's stream (the other reader of delimited input). */
async function streamed(text: string): Promise<InputRow[]> {
  const source = rowSource('csv', 'in.csv', 1 << 20);
  const rows: InputRow[] = [];
  await new Promise<void>((resolve) => {
    source.stream.on('data', (chunk: unknown) => {
      const row = source.row(chunk);
      if (row) rows.push(row);
    });
    source.stream.on('end', resolve);
    // As fusion run's stream ends a delimited input the parser gives up on: the row it stops at is the last.
    source.stream.on('error', (e) => {
      rows.push(source.failure(e));
      resolve();
    });
    Readable.from([Buffer.from(text)]).pipe(source.stream);
  });
  return rows;
}

// Each row's first line, counted by \n as an editor shows it: the line a message sends the user to.
const starts = (rows: readonly InputRow[]): number[] => rows.map((r) => r.line);

describe('line numbers of delimited rows', () => {
  // Line 2-3: a cell with a line break; line 4: the row to find; line 5: the last.
  const lf = 'id,text\n1,"a\nb"\n,"no id"\n3,x\n';
  const crlf = lf.replaceAll('\n', '\r\n');

  it('a cell holding a Windows line break (\\r\\n) moves the rows after it by one line, not two', async () => {
    expect(starts(readRowsOfText(lf, 'csv', 'in.csv').rows)).toEqual([2, 4, 5]);
    expect(starts(readRowsOfText(crlf, 'csv', 'in.csv').rows)).toEqual([2, 4, 5]);
    expect(starts(await streamed(crlf))).toEqual([2, 4, 5]);
  });

  it('every such cell counts, however many there are, with a BOM and a blank line between rows', async () => {
    const text = '\uFEFFid,text\r\n1,"a\r\nb\r\nc"\r\n\r\n2,"d\r\ne"\r\n3,x\r\n';
    expect(starts(readRowsOfText(text, 'csv', 'in.csv').rows)).toEqual([2, 6, 8]);
    expect(starts(await streamed(text))).toEqual([2, 6, 8]);
  });

  it('a quote that never closes is reported at the row it opens in, not at the end of the file where the parser gives up', async () => {
    const text = 'id,text\r\n1,"a\r\nb"\r\n2,"never closed\r\n3,x\r\n4,y\r\n';
    for (const rows of [readRowsOfText(text, 'csv', 'in.csv').rows, await streamed(text)]) {
      expect(rows.map((r) => r.line)).toEqual([2, 4]);
      expect(rows.at(-1)?.issue?.message).toMatch(/^a quote opens in this row and never closes/);
    }
  });
});
