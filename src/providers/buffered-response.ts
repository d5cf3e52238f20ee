/** Response as a base class: its members are declared as properties, which a subclass's methods may not override in TypeScript. */
const ResponseBase = Response as unknown as new (body: null, init: ResponseInit) => {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
};

/**
 * A `Response` over a body already read whole (pooledFetch): `text()`, `json()`, `arrayBuffer()`
 * and `bytes()` read the buffer directly. A `Response` built over a buffer wraps it in a web stream
 * at once (a stream, its controller and a transferable wrapper per answer) and reads it back
 * through that stream when the SDK asks for JSON; an SDK reading one small answer needs neither.
 * The stream is made only when someone asks for `body`, and holds the bytes until read (reading it
 * consumes the answer, as in any Response; text() and json() then refuse); every other member
 * behaves as a Response's: a body is read once (`bodyUsed`), `clone()` copies an unread one,
 * `blob()` and `formData()` go through a Response of the same bytes.
 */
class BufferedResponseImpl extends ResponseBase {
  readonly #bytes: Uint8Array | null;
  /** The body as a stream, once asked for (undefined before). */
  #stream: ReadableStream<Uint8Array> | null | undefined;
  #used = false;

  constructor(bytes: Uint8Array | null, init: ResponseInit) {
    super(null, init);
    this.#bytes = bytes;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream === undefined) {
      const bytes = this.#bytes;
      // Pulled only when someone reads it (high-water mark 0): an SDK that only holds on to the
      // stream (the Anthropic SDK registers it for clean-up) leaves the bytes to text() and json().
      this.#stream =
        bytes === null
          ? null
          : new ReadableStream<Uint8Array>(
              {
                pull: (controller) => {
                  // A body consumed through text() and the like is an empty, closed stream here, as in a Response.
                  if (!this.#used) controller.enqueue(bytes);
                  this.#used = true;
                  controller.close();
                },
              },
              { highWaterMark: 0 },
            );
    }
    return this.#stream;
  }

  get bodyUsed(): boolean {
    return this.#used || (this.#stream !== undefined && this.#stream !== null && this.#stream.locked);
  }

  /** The body's bytes, read once (a stream handed out and read from has used them). */
  async #take(): Promise<Uint8Array> {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.#bytes ?? new Uint8Array(0);
  }

  async text(): Promise<string> {
    const bytes = await this.#take();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer());
  }

  async blob(): Promise<Blob> {
    return this.#asResponse(await this.#take()).blob();
  }

  async formData(): Promise<FormData> {
    return this.#asResponse(await this.#take()).formData();
  }

  clone(): Response {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    return bufferedResponse(this.#bytes, { status: this.status, statusText: this.statusText, headers: this.headers });
  }

  /** A plain Response with this one's status and headers over `body`. */
  #asResponse(body: Uint8Array): Response {
    return new Response(body, { status: this.status, statusText: this.statusText, headers: this.headers });
  }
}

/** A Response over `bytes` (null: no body), read without a web stream unless its `body` is asked for. */
export function bufferedResponse(bytes: Uint8Array | null, init: ResponseInit): Response {
  return new BufferedResponseImpl(bytes, init) as unknown as Response;
}
