import { Transform, type TransformCallback } from 'node:stream';
import { limitVariable } from './limits.js';
import { type FileLine, decodeLine } from './safe-read.js';

/**
 * Splits a byte stream (stdin) into lines in bounded memory: a line longer than `maxLineBytes` is
 * dropped as it arrives and comes out as an issue naming its line (never held whole, never sent to
 * a model); lines are strict UTF-8 (invalid bytes are an issue), a BOM at the start is dropped.
 * Objects out: FileLine.
 */
export class LineSplitter extends Transform {
  private parts: Buffer[] = [];
  private bytes = 0;
  private tooLong = false;
  private line = 1;
  private first = true;

  constructor(
    private readonly name: string,
    private readonly maxLineBytes: number,
  ) {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let data = chunk;
    if (this.first && data.length > 0) {
      this.first = false;
      if (data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) data = data.subarray(3);
    }
    let start = 0;
    for (;;) {
      const nl = data.indexOf(0x0a, start);
      const end = nl === -1 ? data.length : nl;
      if (!this.tooLong) {
        if (this.bytes + (end - start) > this.maxLineBytes) {
          this.tooLong = true;
          this.parts = [];
        } else if (end > start) {
          this.parts.push(Buffer.from(data.subarray(start, end)));
          this.bytes += end - start;
        }
      }
      if (nl === -1) break;
      this.emitLine();
      start = nl + 1;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.bytes > 0 || this.tooLong) this.emitLine();
    done();
  }

  private emitLine(): void {
    const at = this.line++;
    let out: FileLine;
    if (this.tooLong) {
      out = { line: at, issue: { file: this.name, line: at, message: `line longer than ${this.maxLineBytes} bytes, not sent to any model (raise ${limitVariable('maxLineBytes')} if it is meant to be)` } };
    } else {
      let bytes = Buffer.concat(this.parts, this.bytes);
      if (bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, -1);
      out = decodeLine(this.name, at, bytes);
    }
    this.parts = [];
    this.bytes = 0;
    this.tooLong = false;
    this.push(out);
  }
}
