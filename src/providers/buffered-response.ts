/**
 * A `Response` over a body already read whole (pooledFetch): `text()`, `json()`, `arrayBuffer()`
 * and `bytes()` read the buffer directly. A `Response` built over a buffer wraps it in a web stream
 * at once (a stream, its controller and a transferable wrapper per answer) and reads it back
 * through that stream when the SDK asks for JSON; an SDK reading one small answer needs neither.
 * The stream is made only when someone asks for `body` (it then is the body, as in any Response:
 * reading it consumes the answer), and every other member behaves as a Response's: a body is read
 * once (`bodyUsed`), `clone()` copies an unread one, `blob()` and `formData()` go through a Response
 * of the same bytes.
 */
/** Response as a base class: its members are declared as properties, which a subclass's methods may not in TypeScript. */
const ResponseBase = Response as unknown as new (body: null, init: ResponseInit) => {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
};

class BufferedResponseImpl extends ResponseBase {
  readonly #bytes: Uint8Array | null;
  /** The body as a stream, once asked for; then every read goes through it. */
  #stream: ReadableStream<Uint8Array> | null | undefined;
  #used = false;

  constructor(bytes: Uint8Array | null, init: ResponseInit) {
    super(null, init);
    this.#bytes = bytes;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream === undefined) {
      const bytes = this.#bytes;
      this.#stream =
        bytes === null
          ? null
          : new ReadableStream<Uint8Array>({
              start: (controller) => {
                // A body consumed through text() and the like is an empty, closed stream here, as in a Response.
                if (!this.#used) controller.enqueue(bytes);
                controller.close();
              },
            });
    }
    return this.#stream;
  }

  get bodyUsed(): boolean {
    return this.#used || (this.#stream !== undefined && this.#stream !== null && this.#stream.locked);
  }

  /** The body's bytes, read once; through the stream when it was handed out. */
  async #take(): Promise<Uint8Array> {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    if (this.#stream !== undefined && this.#stream !== null) return new Uint8Array(await new Response(this.#stream).arrayBuffer());
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
    if (this.#stream !== undefined && this.#stream !== null) {
      const [mine, theirs] = this.#stream.tee();
      this.#stream = mine;
      return this.#asResponse(theirs);
    }
    return bufferedResponse(this.#bytes, { status: this.status, statusText: this.statusText, headers: this.headers });
  }

  /** A plain Response with this one's status and headers over `body`. */
  #asResponse(body: ConstructorParameters<typeof Response>[0]): Response {
    return new Response(body, { status: this.status, statusText: this.statusText, headers: this.headers });
  }
}

/** A Response over `bytes` (null: no body), read without a web stream unless its `body` is asked for. */
export function bufferedResponse(bytes: Uint8Array | null, init: ResponseInit): Response {
  return new BufferedResponseImpl(bytes, init) as unknown as Response;
}
