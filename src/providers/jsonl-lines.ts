/** A line of a streamed JSONL body: its text, or, past the size limit, only its first bytes. */
export type JsonlLine = { text: string } | { tooLong: true; bytes: number; head: string };

/** Bytes of a too-long line kept, to find which request it answers (its custom_id comes first). */
const HEAD_BYTES = 4096;

/**
 * The non-blank lines of a streamed text body, decoded as UTF-8, in time linear in the body and in
 * memory bounded by `maxLineBytes`: each chunk is searched for newlines once (never the bytes held
 * before it), and a line longer than `maxLineBytes` is dropped as it arrives, keeping its first
 * bytes. A body cut short ends the iteration with the error after the lines that came whole.
 */
export async function* jsonlLines(body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | null, maxLineBytes: number): AsyncGenerator<JsonlLine> {
  if (!body) return;
  const decoder = new TextDecoder();
  let parts: Buffer[] = [];
  let bytes = 0;
  let tooLong = false;
  let head = Buffer.alloc(0);
  const take = (): JsonlLine | undefined => {
    let out: JsonlLine | undefined;
    if (tooLong) out = { tooLong: true, bytes, head: decoder.decode(head) };
    else {
      const text = decoder.decode(Buffer.concat(parts, bytes)).trim();
      if (text !== '') out = { text };
    }
    parts = [];
    bytes = 0;
    tooLong = false;
    return out;
  };
  const add = (piece: Buffer): void => {
    if (piece.length === 0) return;
    if (!tooLong && bytes + piece.length > maxLineBytes) {
      tooLong = true;
      head = Buffer.concat([...parts, piece]).subarray(0, HEAD_BYTES);
      parts = [];
    }
    if (!tooLong) parts.push(piece);
    bytes += piece.length;
  };
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    const data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let nl = data.indexOf(0x0a, start); nl >= 0; nl = data.indexOf(0x0a, start)) {
      add(Buffer.from(data.subarray(start, nl)));
      const line = take();
      if (line) yield line;
      start = nl + 1;
    }
    add(Buffer.from(data.subarray(start)));
  }
  const last = take();
  if (last) yield last;
}
