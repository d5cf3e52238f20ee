import { closeSync, existsSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { type InputIssue, InputError } from '../task/errors.js';
import { parseJsonlLine } from '../task/jsonl.js';
import { type RecordedResponse, ResponseSchema } from '../task/schema.js';

/** Key of one recorded answer: item, model and sample (first sample when absent). */
export function responseKey(item: string, model: string, sample = 0): string {
  return `${item}\u0000${model}\u0000${sample}`;
}

/**
 * Reads the (item, model, sample) keys already in a responses.jsonl. A run killed while writing can
 * leave a last line without its newline; such a line is cut off (its answer is still in the cache,
 * so it will be written again) instead of making the whole file unreadable. Any other bad line is
 * an InputError naming it.
 */
export function readRecordedKeys(path: string): Set<string> {
  const keys = new Set<string>();
  if (!existsSync(path)) return keys;
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const issues: InputIssue[] = [];
  let validBytes = 0;
  let offset = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const isLast = i === lines.length - 1;
    const parsed = parseJsonlLine(path, i + 1, line, ResponseSchema);
    if (isLast && line !== '' && parsed.issues.length > 0) {
      truncateSync(path, Buffer.byteLength(text.slice(0, offset)));
      break;
    }
    issues.push(...parsed.issues);
    if (parsed.value) keys.add(responseKey(parsed.value.item, parsed.value.model, parsed.value.sample));
    offset += line.length + 1;
    validBytes = offset;
  }
  if (issues.length > 0) throw new InputError(issues);
  // A complete last line without its newline: add one so the next append starts a fresh line.
  if (text.length > 0 && !text.endsWith('\n') && validBytes > text.length) {
    const fd = openSync(path, 'a');
    writeSync(fd, '\n');
    closeSync(fd);
  }
  return keys;
}

/**
 * Appends responses. Lines finished in the same event-loop turn go out in one write (at dozens of
 * answers in flight, a write per line is a system call per answer); every write holds whole lines,
 * so a killed run loses at most the lines of its last turn, whose answers are in the cache and are
 * written again by the resumed run. `close` writes what is waiting.
 */
export class ResponsesWriter {
  private readonly fd: number;
  private waiting = '';
  private scheduled: NodeJS.Immediate | undefined;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  append(response: RecordedResponse): void {
    this.waiting += `${JSON.stringify(response)}\n`;
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Writes the lines appended so far. */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.waiting === '') return;
    const text = this.waiting;
    this.waiting = '';
    writeSync(this.fd, text);
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
