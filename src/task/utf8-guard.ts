import { isUtf8 } from 'node:buffer';
import { firstInvalidByte, notUtf8, utf16 } from './safe-read.js';

/** Where a byte stream stops being UTF-8: the file line of the first bad byte and what to say of it. */
export interface NotUtf8 {
  line: number;
  message: string;
}

const NEWLINE = 0x0a;

/** How many bytes at the end of `bytes` start a UTF-8 sequence the next chunk may complete (0 to 3). */
function unfinished(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const c = bytes[bytes.length - back] as number;
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/**
 * Strict UTF-8 over a byte stream read in chunks (a CSV/TSV on stdin or --input, which the parser
 * would otherwise decode leniently, turning a Windows-1252 `é` into U+FFFD and sending that to the
 * models): `check` says how much of each chunk is UTF-8 so far, the bytes passing on unchanged, and
 * where the first bad byte is, with its file line as readTextFileSync counts it; `end` says whether
 * the stream stopped inside a sequence. A sequence cut by a chunk boundary is held back and checked
 * with the next chunk. A stream that starts with a UTF-16 byte-order mark is passed on unchecked,
 * as before: the parser reads it as UTF-16.
 */
export class Utf8Guard {
  private held = Buffer.alloc(0);
  private newlines = 0;
  private sinceNewline = 0;
  /** What the stream's first bytes said it is, once they were read. */
  private start: 'utf8' | 'utf16' | undefined;

  /**
   * `pass`: the bytes to pass on, in order: those held back from the last chunk and this chunk's,
   * up to the first bad byte or to a sequence the next chunk may finish (held back until then).
   */
  check(chunk: Buffer): { pass: Buffer; bad?: NotUtf8 } {
    if (this.start === 'utf16') return { pass: chunk };
    const bytes = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    if (this.start === undefined) {
      // A UTF-16 byte-order mark: the parser reads such a stream as UTF-16 (its bom option), not as UTF-8.
      if (bytes.length < 2 && (bytes[0] === 0xff || bytes[0] === 0xfe)) {
        this.held = Buffer.from(bytes);
        return { pass: Buffer.alloc(0) };
      }
      this.start = utf16(bytes) ? 'utf16' : 'utf8';
      if (this.start === 'utf16') {
        this.held = Buffer.alloc(0);
        return { pass: bytes };
      }
    }
    const whole = bytes.subarray(0, bytes.length - unfinished(bytes));
    // Validated in place: the parser decodes the bytes it is passed, so a string made here would be thrown away.
    if (!isUtf8(whole)) {
      const at = firstInvalidByte(whole);
      return { pass: bytes.subarray(0, at), bad: this.badAt(bytes, at) };
    }
    this.count(whole);
    this.held = Buffer.from(bytes.subarray(whole.length));
    return { pass: whole };
  }

  /** The stream's end: a sequence left unfinished is a bad byte. */
  end(): NotUtf8 | undefined {
    return this.held.length > 0 && this.start === 'utf8' ? this.badAt(this.held, 0) : undefined;
  }

  private count(bytes: Buffer): void {
    const last = bytes.lastIndexOf(NEWLINE);
    for (let i = bytes.indexOf(NEWLINE); i !== -1; i = bytes.indexOf(NEWLINE, i + 1)) this.newlines++;
    this.sinceNewline = last === -1 ? this.sinceNewline + bytes.length : bytes.length - last - 1;
  }

  private badAt(bytes: Buffer, at: number): NotUtf8 {
    this.count(bytes.subarray(0, at));
    return { line: this.newlines + 1, message: notUtf8(bytes, at, this.sinceNewline + 1) };
  }
}
