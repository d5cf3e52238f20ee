import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { type ColumnChoice, cellIssues, headerIssues, mapRow, requiredBy, schemaFields } from './columns.js';
import { type InputIssue, InputError, zodIssues } from './errors.js';
import type { JsonlParse, JsonlRecord } from './jsonl.js';
import { type TableFormat, formatOfName } from './table-format.js';
import { readRowsSync } from './table-rows.js';

/**
 * Every row of a table file (JSON Lines, CSV or TSV, by `format` or the file's extension) mapped onto
 * the schema's fields (`columns`; no id column: the row number) and validated, collecting every
 * issue as `file:line: field: what`. Records keep the other columns in `passthrough`.
 */
export function readTableFile<S extends z.ZodType>(
  file: string,
  schema: S,
  options: { format?: TableFormat; columns?: ColumnChoice } = {},
): JsonlParse<z.infer<S>> & { passthrough: Record<string, unknown>[]; header?: string[] } {
  const format = options.format ?? formatOfName(file) ?? 'jsonl';
  const { rows, header } = readRowsSync(file, format);
  const records: JsonlRecord<z.infer<S>>[] = [];
  const passthrough: Record<string, unknown>[] = [];
  const issues: InputIssue[] = [];
  const fields = schemaFields(schema);
  if (header) {
    const missing = headerIssues(file, header, fields, options.columns ?? {}, requiredBy(schema), {
      optionalAlike: true,
      flags: options.columns !== undefined,
    });
    if (missing.length > 0) return { records, issues: missing, passthrough, header };
  }
  let n = 0;
  for (const row of rows) {
    if (row.issue) {
      issues.push(row.issue);
      continue;
    }
    n++;
    const mapped = mapRow(file, row, fields, options.columns ?? {}, n);
    if (mapped.value === undefined) {
      issues.push(...mapped.issues);
      continue;
    }
    const parsed = schema.safeParse(mapped.value);
    if (!parsed.success) {
      issues.push(...cellIssues(zodIssues(file, row.line, parsed.error), mapped, options.columns ?? {}));
      continue;
    }
    records.push({ line: row.line, value: parsed.data });
    passthrough.push(mapped.passthrough);
  }
  return { records, issues, passthrough, ...(header ? { header } : {}) };
}

/** The table `base` of a folder in whichever format it is kept (`items.jsonl`, `items.csv`, `items.tsv`); the JSON Lines name when there is none. */
export function folderTable(dir: string, base: string): string {
  const found = ['jsonl', 'csv', 'tsv'].map((ext) => join(dir, `${base}.${ext}`)).filter((f) => existsSync(f));
  if (found.length > 1) throw new InputError([{ file: join(dir, base), message: `${found.join(' and ')} both exist: keep one` }]);
  return found[0] ?? join(dir, `${base}.jsonl`);
}
