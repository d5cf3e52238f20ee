import type { z } from 'zod';
import { type InputIssue, zodIssues } from './errors.js';

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
