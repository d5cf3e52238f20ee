import { closeSync, constants, fstatSync, ftruncateSync, lstatSync, openSync, readSync, realpathSync, truncateSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative, isAbsolute } from 'node:path';
import { type InputIssue, InputError } from '../task/errors.js';
import { parseJsonlLine } from '../task/jsonl.js';
import { readLinesSync, readTextFileSync } from '../task/safe-read.js';
import { openRegularForWrite } from '../task/safe-write.js';
import { type AskedPrompt, responseLineIssue } from '../task/response-checks.js';
import { type RecordedResponse, ResponseSchema } from '../task/schema.js';

/** Key of one recorded answer: item, model and sample (first sample when absent). */
export function responseKey(item: string, model: string, sample = 0): string {
  return `${item}\u0000${model}\u0000${sample}`;
}

/** The request a recorded answer says it was asked with (its `request` field) and the line saying so. */
export interface AskedRequest {
  line: number;
  request: string;
}

/**
 * The journal of a responses file: before each append, the offset it starts at and the exact text,
 * so the next run can tell a line this tool was writing when it was killed (set aside) from a line
 * someone else wrote (never touched).
 */
export function journalPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.journal`);
}

interface JournalEntry {
  offset: number;
  text: string;
}

function readJournal(path: string): JournalEntry | undefined {
  try {
    // A journal holds one append: bounded by the line limit it was written under, with room to spare.
    const j = JSON.parse(readTextFileSync(journalPath(path))) as unknown;
    if (j && typeof j === 'object' && 'offset' in j && 'text' in j && typeof j.offset === 'number' && typeof j.text === 'string') {
      return { offset: j.offset, text: j.text };
    }
  } catch {
    // no journal, or not ours
  }
  return undefined;
}

/**
 * Refuses to write anywhere but a regular file inside the folder: a responses.jsonl that is a
 * symlink leading out of its folder, a directory, a FIFO or a device is an InputError.
 */
export function checkWritableInFolder(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return; // absent: created as a regular file
  }
  if (st.isSymbolicLink()) {
    let target: string;
    try {
      target = realpathSync(path);
    } catch {
      throw new InputError([{ file: path, message: 'is a symlink to nothing; fusion writes only to regular files inside the folder' }]);
    }
    const rel = relative(realpathSync(dirname(path)), target);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw new InputError([{ file: path, message: `is a symlink leading out of its folder (to ${target}); fusion writes only inside the folder` }]);
    }
    st = lstatSync(target);
  }
  if (!st.isFile()) throw new InputError([{ file: path, message: 'is not a regular file; fusion writes only to regular files' }]);
}

/** The bytes of `path` from `offset` to its end (the tail a killed write left). */
function tailBytes(path: string, offset: number, size: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(Math.max(0, size - offset));
    readSync(fd, buf, 0, buf.length, offset);
    return buf;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads the (item, model, sample) keys already in a responses.jsonl. A bad line is an InputError
 * naming it, with one exception: an incomplete last line that this tool was writing when it was
 * killed (the journal holds its text) is set aside into `responses.jsonl.partial-<time>` and cut
 * off, with a message; its answer is in the cache and is written again. Nothing anyone else wrote
 * is ever deleted or rewritten. `asked`, when given, receives the `request` field of every line
 * that has one, under its key, with its line number; `prompts`, every line's `promptKey`.
 */
export function readRecordedKeys(
  path: string,
  notify: (message: string) => void = () => undefined,
  knownItems?: ReadonlySet<string>,
  asked?: Map<string, AskedRequest>,
  prompts?: AskedPrompt[],
): Set<string> {
  const keys = new Set<string>();
  checkWritableInFolder(path);
  let exists = true;
  try {
    lstatSync(path);
  } catch {
    exists = false;
  }
  if (!exists) return keys;
  const state = { endsWithNewline: true, size: 0 };
  const issues: InputIssue[] = [];
  // Whole lines the evaluation would refuse (an unknown item, a second answer): found before any call, never set aside.
  const refused: InputIssue[] = [];
  const seen = new Map<string, number>();
  let last: { line: number; issue?: InputIssue; parsedIssues: InputIssue[] } | undefined;
  for (const l of readLinesSync(path, { state })) {
    if (last) issues.push(...(last.issue ? [last.issue] : last.parsedIssues));
    if (l.issue) {
      last = { line: l.line, issue: l.issue, parsedIssues: [] };
      continue;
    }
    const parsed = parseJsonlLine(path, l.line, l.text, ResponseSchema);
    if (parsed.value) {
      const key = responseKey(parsed.value.item, parsed.value.model, parsed.value.sample);
      keys.add(key);
      if (asked && parsed.value.request !== undefined) asked.set(key, { line: l.line, request: parsed.value.request });
      if (prompts && parsed.value.promptKey !== undefined) prompts.push({ line: l.line, item: parsed.value.item, promptKey: parsed.value.promptKey });
      const issue = knownItems ? responseLineIssue(path, l.line, parsed.value, knownItems, seen) : undefined;
      if (issue) refused.push(issue);
    }
    last = { line: l.line, parsedIssues: parsed.issues };
  }
  const lastBad = last !== undefined && (last.issue !== undefined || last.parsedIssues.length > 0);
  const setAside = last !== undefined && lastBad && !state.endsWithNewline && state.size > 0 && issues.length === 0 && setAsidePartialLine(path, state.size, last.line, notify);
  if (last && !setAside) issues.push(...(last.issue ? [last.issue] : last.parsedIssues));
  issues.push(...refused);
  if (issues.length > 0) throw new InputError(issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  // A complete last line without its newline: add one so the next append starts a fresh line (an append, not a rewrite).
  if (!setAside && state.size > 0 && !state.endsWithNewline) {
    const fd = openSync(path, 'a');
    writeSync(fd, '\n');
    closeSync(fd);
  }
  return keys;
}

/** True when the file's incomplete tail is exactly the start of the text this tool last appended. */
function setAsidePartialLine(path: string, size: number, line: number, notify: (message: string) => void): boolean {
  const journal = readJournal(path);
  if (!journal || journal.offset >= size) return false;
  const written = Buffer.from(journal.text, 'utf8');
  const tail = tailBytes(path, journal.offset, size);
  if (tail.length >= written.length || !written.subarray(0, tail.length).equals(tail)) return false;
  // Keep whole lines of the killed write; set aside only its incomplete last line.
  const cut = journal.offset + tail.lastIndexOf(0x0a) + 1;
  const backup = `${path}.partial-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const fd = openSync(backup, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    writeSync(fd, tailBytes(path, cut, size));
  } finally {
    closeSync(fd);
  }
  truncateSync(path, cut);
  notify(`${path}:${line}: incomplete line left by a killed fusion run; set aside in ${backup} (its answer is in the cache and is written again)`);
  return true;
}

/** Answers this run received but could not append to a responses file, and why (the first error). */
export interface UnwrittenAnswers {
  count: number;
  path: string;
  reason: string;
}

/** The system call that puts bytes in a file (at `position`, or at its end: null); a test injects a failing one (a full disk, an I/O error). */
export type WriteBytes = (fd: number, data: Buffer, offset: number, length: number, position: number | null) => number;

const writeBytes: WriteBytes = (fd, data, offset, length, position) => writeSync(fd, data, offset, length, position);

/** A journal entry shorter than the last one by at most this many bytes is padded with spaces (valid JSON) instead of cutting the file: one system call. */
const JOURNAL_PAD = 4096;

function describeWriteError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const message = e instanceof Error ? e.message : String(e);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/**
 * Appends responses. Lines finished in the same event-loop turn go out in one write (at dozens of
 * answers in flight, a write per line is a system call per answer); every write holds whole lines
 * and is journalled first (offset and text), so a killed run's incomplete last line is recognised
 * as this tool's own by the next run. Writes only to a regular file inside the folder.
 *
 * A write that fails (disk full, I/O error, read-only file system) never throws at the caller, who
 * holds answers already paid for: the writer cuts its own incomplete line off, stops writing, and
 * counts every line it could not write (`unwritten`), so the run can say so and stop asking. The
 * answers are in the cache by then (a call is answered once its answer is committed), so a re-run
 * writes them without paying.
 */
export class ResponsesWriter {
  private readonly fd: number;
  /** The journal, open for the writer's life: rewritten in place at each flush (opening it each time cost a system call or three per flush). */
  private readonly journalFd: number;
  private journalSize: number;
  private offset: number;
  private waiting = '';
  private scheduled: NodeJS.Immediate | undefined;
  private written = 0;
  private failure: { count: number; reason: string } | undefined;

  constructor(
    readonly path: string,
    private readonly write: WriteBytes = writeBytes,
  ) {
    checkWritableInFolder(path);
    // Checked before any call is paid: a journal that is not a regular file (a FIFO planted there) is
    // refused now, not after; a symlink or a FIFO planted later cannot redirect or block the writes,
    // which go to the file opened here.
    this.journalFd = openRegularForWrite(journalPath(path), 0);
    this.journalSize = fstatSync(this.journalFd).size;
    this.fd = openSync(path, 'a', 0o644);
    const st = fstatSync(this.fd);
    if (!st.isFile()) {
      closeSync(this.fd);
      closeSync(this.journalFd);
      throw new InputError([{ file: path, message: 'is not a regular file; fusion writes only to regular files' }]);
    }
    this.offset = st.size;
  }

  /** Lines that could not be written, and the first error; undefined while every write succeeded. */
  get unwritten(): UnwrittenAnswers | undefined {
    return this.failure && { count: this.failure.count, path: this.path, reason: this.failure.reason };
  }

  append(response: RecordedResponse): void {
    this.waiting += `${JSON.stringify(response)}\n`;
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Writes the lines appended so far (or counts them as unwritten once a write has failed). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.waiting === '') return;
    const text = this.waiting;
    this.waiting = '';
    const lines = countLines(text);
    if (this.failure) {
      this.failure.count += lines;
      return;
    }
    try {
      this.writeJournal(Buffer.from(JSON.stringify({ offset: this.offset, text } satisfies JournalEntry), 'utf8'));
      this.offset += this.writeAll(this.fd, Buffer.from(text, 'utf8'), null);
      this.written += lines;
    } catch (e) {
      // Whole lines only: the part of this write that reached the file is cut off (should the cut
      // fail too, the journal lets the next run set the incomplete line aside).
      try {
        ftruncateSync(this.fd, this.offset);
      } catch {
        // left to the journal
      }
      this.failure = { count: lines, reason: describeWriteError(e) };
    }
  }

  /** The journal holds exactly one entry: written over the last one, padded or cut to its length. */
  private writeJournal(entry: Buffer): void {
    const shorter = this.journalSize - entry.length;
    const data = shorter > 0 && shorter <= JOURNAL_PAD ? Buffer.concat([entry, Buffer.alloc(shorter, 0x20)]) : entry;
    this.writeAll(this.journalFd, data, 0);
    if (data.length < this.journalSize) ftruncateSync(this.journalFd, data.length);
    this.journalSize = data.length;
  }

  /** Writes every byte (at `position`, or appended: null), across short writes (a write may stop part way when the disk fills). */
  private writeAll(fd: number, data: Buffer, position: number | null): number {
    let done = 0;
    while (done < data.length) {
      const n = this.write(fd, data, done, data.length - done, position === null ? null : position + done);
      if (n <= 0) throw Object.assign(new Error('no byte written'), { code: 'EIO' });
      done += n;
    }
    return done;
  }

  close(): void {
    this.flush();
    try {
      closeSync(this.journalFd);
    } catch {
      // the journal only helps the next run recognise a cut line
    }
    try {
      closeSync(this.fd);
    } catch (e) {
      // Some file systems (NFS) report a failed write only at close: what this run wrote may be lost.
      this.failure ??= { count: this.written, reason: describeWriteError(e) };
    }
  }
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
