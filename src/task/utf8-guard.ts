import { UTF16, firstInvalidByte, notUtf8, utf16 } from './safe-read.js';

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
 * with the next chunk.
 */
export class Utf8Guard {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private held = Buffer.alloc(0);
  private newlines = 0;
  private sinceNewline = 0;

  /**
   * `pass`: the bytes to pass on, in order: those held back from the last chunk and this chunk's,
   * up to the first bad byte or to a sequence the next chunk may finish (held back until then).
   */
  check(chunk: Buffer): { pass: Buffer; bad?: NotUtf8 } {
    const bytes = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    const whole = bytes.subarray(0, bytes.length - unfinished(bytes));
    try {
      this.decoder.decode(whole);
    } catch {
      const at = firstInvalidByte(whole);
      return { pass: bytes.subarray(0, at), bad: this.badAt(bytes, at) };
    }
    this.count(whole);
    this.held = Buffer.from(bytes.subarray(whole.length));
    return { pass: whole };
  }

  /** The stream's end: a sequence left unfinished is a bad byte. */
  end(): NotUtf8 | undefined {
    return this.held.length > 0 ? this.badAt(this.held, 0) : undefined;
  }

  private count(bytes: Buffer): void {
    const last = bytes.lastIndexOf(NEWLINE);
    for (let i = bytes.indexOf(NEWLINE); i !== -1; i = bytes.indexOf(NEWLINE, i + 1)) this.newlines++;
    this.sinceNewline = last === -1 ? this.sinceNewline + bytes.length : bytes.length - last - 1;
  }

  private badAt(bytes: Buffer, at: number): NotUtf8 {
    const first = this.newlines === 0 && this.sinceNewline === 0 && at === 0;
    this.count(bytes.subarray(0, at));
    return { line: this.newlines + 1, message: first && utf16(bytes) ? UTF16 : notUtf8(bytes, at, this.sinceNewline + 1) };
  }
}
