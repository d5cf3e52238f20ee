import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { InputError, type InputIssue } from './errors.js';
import { currentLimits, limitVariable } from './limits.js';

const CHUNK = 64 * 1024;
const BOM = [0xef, 0xbb, 0xbf];

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Opens a file for reading only when it is a regular file: a directory, FIFO or device (say
 * /dev/zero) is an InputError naming it. Opened non-blocking, so a FIFO with no writer cannot hang
 * the open itself; the check is made on the open descriptor, so a swap after the check is harmless.
 */
export function openRegularFile(file: string): number {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError([{ file, message: code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? (e as Error).message})` }]);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new InputError([{ file, message: `is ${kindOf(st)}; fusion reads regular files only` }]);
  }
  return fd;
}

/** One line of a file: its text, or the issue that makes it unreadable (too long, invalid UTF-8). */
export type FileLine = { line: number; text: string; issue?: undefined } | { line: number; text?: undefined; issue: InputIssue };

const decoder = new TextDecoder('utf-8', { fatal: true });

export function decodeLine(file: string, line: number, bytes: Buffer): FileLine {
  try {
    return { line, text: decoder.decode(bytes) };
  } catch {
    const at = firstInvalidByte(bytes);
    return { line, issue: { file, line, message: line === 1 && utf16(bytes) ? UTF16 : notUtf8(bytes, at, at + 1) } };
  }
}

/** A UTF-16 byte-order mark (what Excel's "Unicode text" and PowerShell write): said as such, with the way out. */
export const utf16 = (bytes: Buffer): boolean => bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
const UTF16 = 'a UTF-16 file (it starts with a UTF-16 byte-order mark); fusion reads UTF-8 text only: save it as UTF-8 (or convert it: iconv -f UTF-16 -t UTF-8)';

/**
 * A byte that is not UTF-8, quoted with its place in the line, and the likely cause with the way
 * out: a table saved by a spreadsheet or an editor in the system's 8-bit code page (Excel's plain
 * "CSV" on Windows: Windows-1252), whose accented letters are single bytes UTF-8 does not allow.
 */
export function notUtf8(bytes: Buffer, at: number, column: number): string {
  const byte = (bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, '0');
  return `invalid UTF-8 (byte 0x${byte}, byte ${column} of the line): saved as Windows-1252 or Latin-1 (a spreadsheet's plain CSV)? fusion reads UTF-8 text only: save it as UTF-8 (Excel: "CSV UTF-8"), or convert it: iconv -f WINDOWS-1252 -t UTF-8`;
}

/** Where a UTF-8 decoder gave up, for the message (the decoder itself is the judge of validity). */
export function firstInvalidByte(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i] as number;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      const d = bytes[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
    }
    i += n + 1;
  }
  return Math.max(0, bytes.length - 1);
}

/**
 * Reads a regular file line by line in bounded memory (64 KiB chunks), as strict UTF-8: a BOM at
 * the start is accepted and dropped, a line longer than the limit or with invalid bytes is yielded
 * as an issue naming its line (the rest of the file is still read). `\n` ends lines; the last line
 * may lack it. `endsWithNewline` reports whether the file ended with `\n`.
 */
export function* readLinesSync(file: string, options: { maxLineBytes?: number; state?: { endsWithNewline: boolean; size: number } } = {}): Generator<FileLine> {
  const maxLineBytes = options.maxLineBytes ?? currentLimits().maxLineBytes;
  const fd = openRegularFile(file);
  const buf = Buffer.allocUnsafe(CHUNK);
  let parts: Buffer[] = [];
  let partBytes = 0;
  let tooLong = false;
  let line = 1;
  let first = true;
  let lastByte = -1;
  let size = 0;
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, CHUNK, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        throw e;
      }
      if (n === 0) break;
      size += n;
      let chunk = buf.subarray(0, n);
      if (first) {
        first = false;
        if (chunk.length >= 3 && BOM.every((b, i) => chunk[i] === b)) chunk = chunk.subarray(3);
      }
      lastByte = chunk.length > 0 ? (chunk[chunk.length - 1] as number) : lastByte;
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, start);
        const end = nl === -1 ? chunk.length : nl;
        if (!tooLong) {
          if (partBytes + (end - start) > maxLineBytes) {
            tooLong = true;
            parts = [];
          } else {
            parts.push(Buffer.from(chunk.subarray(start, end)));
            partBytes += end - start;
          }
        }
        if (nl === -1) break;
        yield finish();
        start = nl + 1;
      }
    }
    if (partBytes > 0 || tooLong) yield finish();
  } finally {
    closeSync(fd);
    if (options.state) {
      options.state.endsWithNewline = lastByte === 0x0a;
      options.state.size = size;
    }
  }

  function finish(): FileLine {
    const at = line++;
    const out: FileLine = tooLong
      ? { line: at, issue: { file, line: at, message: `line longer than ${maxLineBytes} bytes (raise ${limitVariable('maxLineBytes')} if it is meant to be)` } }
      : decodeLine(file, at, Buffer.concat(parts, partBytes));
    parts = [];
    partBytes = 0;
    tooLong = false;
    return out;
  }
}

/** A whole small document (task.json, a template, a prices file): regular file, size-bounded, strict UTF-8, BOM dropped. */
export function readTextFileSync(file: string, maxBytes = currentLimits().maxFileBytes): string {
  const fd = openRegularFile(file);
  try {
    const parts: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new InputError([{ file, message: `larger than ${maxBytes} bytes (raise ${limitVariable('maxFileBytes')} if it is meant to be)` }]);
      parts.push(Buffer.from(buf.subarray(0, n)));
    }
    let bytes = Buffer.concat(parts, total);
    if (bytes.length >= 3 && BOM.every((b, i) => bytes[i] === b)) bytes = bytes.subarray(3);
    try {
      return decoder.decode(bytes);
    } catch {
      const at = firstInvalidByte(bytes);
      const before = bytes.subarray(0, at).toString('latin1');
      const line = before.split('\n').length;
      throw new InputError([{ file, line, message: utf16(bytes) ? UTF16 : notUtf8(bytes, at, at - before.lastIndexOf('\n')) }]);
    }
  } finally {
    closeSync(fd);
  }
}
