import { describe, expect, it } from 'vitest';
import { Utf8Guard } from '../../src/task/utf8-guard.js';

// Fed in chunks of every size, a stream is judged as a whole file would be: a sequence cut by a
// chunk boundary is not a bad byte, and a bad byte is found at its line wherever the cut falls.
function feed(bytes: Buffer, size: number): { passed: Buffer; bad?: { line: number; message: string } } {
  const guard = new Utf8Guard();
  const passed: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) {
    const { pass, bad } = guard.check(bytes.subarray(i, i + size));
    passed.push(pass);
    if (bad) return { passed: Buffer.concat(passed), bad };
  }
  const bad = guard.end();
  return { passed: Buffer.concat(passed), ...(bad ? { bad } : {}) };
}

describe('Utf8Guard', () => {
  it('passes UTF-8 whole, whatever the chunks (é, €, 😀 cut anywhere)', () => {
    const text = Buffer.from('id,text\n1,café\n2,5 €\n3,😀 ok\n');
    for (let size = 1; size <= text.length; size++) {
      const r = feed(text, size);
      expect(r.bad).toBeUndefined();
      expect(r.passed.equals(text)).toBe(true);
    }
  });

  it('stops at a Windows-1252 byte: its line, its byte in the line, and only the bytes before it passed', () => {
    const bytes = Buffer.concat([Buffer.from('id,text\n1,café\n2,caf'), Buffer.from([0xe9]), Buffer.from('\n3,x\n')]);
    const at = bytes.indexOf(0xe9, 15);
    for (let size = 1; size <= bytes.length; size++) {
      const r = feed(bytes, size);
      expect(r.bad?.line).toBe(3);
      expect(r.bad?.message).toMatch(/^invalid UTF-8 \(byte 0xE9, byte 6 of the line\)/);
      expect(r.passed.equals(bytes.subarray(0, at))).toBe(true);
    }
  });

  it('a stream that ends inside a sequence is a bad byte at the end', () => {
    const bytes = Buffer.concat([Buffer.from('id\n1,a'), Buffer.from([0xc3])]);
    expect(feed(bytes, 3).bad?.message).toMatch(/^invalid UTF-8 \(byte 0xC3, byte 4 of the line\)/);
  });

  it('a stream that starts with a UTF-16 byte-order mark is passed on whole, for the parser to read as UTF-16', () => {
    const bytes = Buffer.from('\ufeffid,text\n1,café\n', 'utf16le');
    for (const size of [1, 2, 3, 64]) {
      const r = feed(bytes, size);
      expect(r.bad).toBeUndefined();
      expect(r.passed.equals(bytes)).toBe(true);
    }
  });
});
