import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import { type InputIssue, zodIssues } from './errors.js';
import { readLinesSync } from './safe-read.js';

export interface JsonlRecord<T> {
  line: number;
  value: T;
}

export interface JsonlParse<T> {
  records: JsonlRecord<T>[];
  issues: InputIssue[];
}

/** Parses one JSONL line; blank lines give `undefined`, bad lines give issues naming the line. */
export function parseJsonlLine<S extends z.ZodType>(
  file: string,
  line: number,
  text: string,
  schema: S,
): { value?: z.infer<S>; issues: InputIssue[] } {
  if (text.trim() === '') return { issues: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { issues: [{ file, line, message: `invalid JSON (${(e as Error).message})` }] };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { issues: zodIssues(file, line, parsed.error) };
  return { value: parsed.data, issues: [] };
}

/** Validates every line of a JSONL text, collecting all issues instead of stopping at the first. */
export function parseJsonl<S extends z.ZodType>(file: string, text: string, schema: S): JsonlParse<z.infer<S>> {
  const records: JsonlRecord<z.infer<S>>[] = [];
  const issues: InputIssue[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const r = parseJsonlLine(file, i + 1, lines[i] ?? '', schema);
    issues.push(...r.issues);
    if (r.value !== undefined) records.push({ line: i + 1, value: r.value });
  }
  return { records, issues };
}

/**
 * Validates every line of a JSONL file read as a stream (regular file only, bounded line length,
 * strict UTF-8, BOM accepted), collecting all issues instead of stopping at the first.
 */
export function parseJsonlFile<S extends z.ZodType>(file: string, schema: S): JsonlParse<z.infer<S>> {
  const records: JsonlRecord<z.infer<S>>[] = [];
  const issues: InputIssue[] = [];
  for (const l of readLinesSync(file)) {
    if (l.issue) {
      issues.push(l.issue);
      continue;
    }
    const r = parseJsonlLine(file, l.line, l.text, schema);
    issues.push(...r.issues);
    if (r.value !== undefined) records.push({ line: l.line, value: r.value });
  }
  return { records, issues };
}

/** Streams a JSONL source line by line in bounded memory. */
export async function* readJsonlStream<S extends z.ZodType>(
  file: string,
  input: Readable,
  schema: S,
): AsyncGenerator<{ line: number; value?: z.infer<S>; issues: InputIssue[] }> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (text.trim() === '') continue;
    yield { line, ...parseJsonlLine(file, line, text, schema) };
  }
}
