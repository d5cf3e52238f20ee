import type { ZodType } from 'zod';
import { type ColumnChoice, mapRow, schemaFields } from '../task/columns.js';
import { ItemIds } from '../task/item-ids.js';
import { currentLimits } from '../task/limits.js';
import type { TableFormat } from '../task/table-format.js';
import { readRowsOfText } from '../task/table-rows.js';

/**
 * The items a whole input (JSON Lines, CSV or TSV) holds, read as `fusion run`'s stream reads them
 * (the same parser, column choice and row-number ids), so that `--batch` asks exactly the calls the
 * pipeline then makes over the same text. Rows the stream would refuse (a duplicate id among them) are left out: the pipeline
 * reports them with their line numbers.
 */
export function itemsOfTable<I extends { id: string }>(text: string, format: TableFormat, name: string, columns: ColumnChoice, schema: ZodType<I>): I[] {
  const fields = schemaFields(schema);
  const maxLineBytes = currentLimits().maxLineBytes;
  const items: I[] = [];
  let rowNumber = 0;
  const ids = new ItemIds(name);
  for (const row of readRowsOfText(text, format, name).rows) {
    // Every row counts towards the row-number ids, readable or not, as in the stream.
    rowNumber++;
    if (row.issue || (row.text !== undefined && Buffer.byteLength(row.text) > maxLineBytes)) continue;
    const mapped = mapRow(name, row, fields, columns, rowNumber);
    const checked = mapped.value === undefined ? undefined : schema.safeParse(mapped.value);
    if (checked?.success && !ids.see(checked.data.id, row.line)) items.push(checked.data);
  }
  return items;
}
