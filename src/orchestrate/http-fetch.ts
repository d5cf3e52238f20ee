import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

export interface HttpFetchOptions {
  maxSockets?: number;
}

/** The transports made here, with their options, so a worker thread can build the same one. */
const transports = new WeakMap<typeof fetch, HttpFetchOptions>();

/** The options `fetch` was made with, if it is one of ours (createHttpFetch); undefined for any other fetch. */
export function httpFetchOptions(transport: typeof fetch): HttpFetchOptions | undefined {
  return transports.get(transport);
}

/**
 * A lean `fetch` for the provider SDKs' non-streaming JSON calls, on node:http with keep-alive.
 * Node's built-in fetch costs about three times the CPU per request (WHATWG streams around every
 * body), which at 64+ calls in flight makes the client, not the server, the bottleneck. Anything it
 * does not handle itself (a Request object, a streamed or multipart body, a server-sent event
 * stream) goes to the built-in fetch. Failures look like the built-in fetch's: `TypeError('fetch
 * failed')` with the socket error as `cause`, or the signal's reason on abort.
 */
export function createHttpFetch(options: HttpFetchOptions = {}): typeof fetch {
  const transport = leanFetch(options);
  transports.set(transport, { ...options });
  return transport;
}

function leanFetch(options: HttpFetchOptions): typeof fetch {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256, scheduling: 'lifo' as const };
  const httpAgent = new HttpAgent(agentOptions);
  const httpsAgent = new HttpsAgent(agentOptions);

  return (input, init) => {
    const body = init?.body;
    const simpleBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
    if (!(typeof input === 'string' || input instanceof URL) || !simpleBody) return globalThis.fetch(input, init);
    const url = typeof input === 'string' ? new URL(input) : input;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return globalThis.fetch(input, init);
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(abortReason(signal));

    const headers = plainHeaders(init?.headers);
    headers['accept-encoding'] ??= 'gzip, deflate, br';
    const payload = typeof body === 'string' ? Buffer.from(body) : body instanceof Uint8Array ? body : undefined;
    if (payload) headers['content-length'] = String(payload.byteLength);

    return new Promise<Response>((resolve, reject) => {
      const isHttps = url.protocol === 'https:';
      const req = (isHttps ? httpsRequest : httpRequest)(url, {
        method: init?.method ?? 'GET',
        headers,
        agent: isHttps ? httpsAgent : httpAgent,
      });
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      const onAbort = (): void => {
        req.destroy();
        fail(abortReason(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error) => fail(new TypeError('fetch failed', { cause: error })));
      req.on('response', (res) => {
        const type = res.headers['content-type'] ?? '';
        if (type.includes('text/event-stream')) {
          // Streaming answers are not ours to buffer; this path is for plain JSON calls only.
          res.destroy();
          fail(new TypeError('fetch failed', { cause: new Error('createHttpFetch does not stream; use the built-in fetch') }));
          return;
        }
        const chunks: Buffer[] = [];
        const stream = decode(res);
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', (error) => fail(new TypeError('fetch failed', { cause: error })));
        res.on('aborted', () => fail(new TypeError('fetch failed', { cause: Object.assign(new Error('terminated'), { code: 'ECONNRESET' }) })));
        stream.on('end', () => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          const status = res.statusCode ?? 200;
          const responseHeaders = new Headers();
          for (const [key, value] of Object.entries(res.headers)) {
            if (value === undefined || key === 'content-encoding' || key === 'content-length') continue;
            for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(key, v);
          }
          const nullBody = status === 204 || status === 205 || status === 304 || init?.method === 'HEAD';
          resolve(new BufferedResponse(nullBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers: responseHeaders }) as unknown as Response);
        });
      });
      req.end(payload);
    });
  };
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function decode(res: IncomingMessage): NodeJS.ReadableStream {
  const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding === 'gzip' || encoding === 'x-gzip') return res.pipe(createGunzip());
  if (encoding === 'deflate') return res.pipe(createInflate());
  if (encoding === 'br') return res.pipe(createBrotliDecompress());
  return res;
}

/** Lower-cased header names to values, read without copying a Headers object first. */
function plainHeaders(init: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (init === undefined) return out;
  if (init instanceof Headers) {
    init.forEach((value, key) => {
      out[key] = value;
    });
    return out;
  }
  const source = Array.isArray(init) ? init : Object.entries(init);
  for (const [key, value] of source) {
    const name = String(key).toLowerCase();
    const text = String(value).trim();
    out[name] = out[name] === undefined ? text : `${out[name]}, ${text}`;
  }
  return out;
}

const utf8 = new TextDecoder();

// Typed as a plain base: the DOM typings declare Response's methods as properties, which a subclass cannot override.
const ResponseBase = Response as unknown as new (body: null, init: ResponseInit) => Pick<Response, 'status' | 'statusText' | 'headers'>;

/**
 * A Response over a body already in memory. A Response built around a buffer wraps it in a WHATWG
 * byte stream and reads it back through that stream, which costs more CPU than the whole HTTP
 * exchange once dozens of calls are in flight; the SDKs call json() or text(), which here decode
 * the buffer directly. `body` is a plain stream made on first access (the Anthropic SDK only takes
 * it as an identity); blob() and formData() go through a real Response.
 */
class BufferedResponse extends ResponseBase {
  readonly #bytes: Buffer | null;
  #consumed = false;
  #stream: ReadableStream<Uint8Array> | undefined;

  constructor(bytes: Buffer | null, init: ResponseInit) {
    super(null, init);
    this.#bytes = bytes;
  }

  /** The bytes, once: a second read, or a read after the stream was taken, fails as fetch's does. */
  #take(): Buffer | null {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    this.#consumed = true;
    return this.#bytes;
  }

  get body(): ReadableStream<Uint8Array> | null {
    const bytes = this.#bytes;
    if (bytes === null) return null;
    this.#stream ??= new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        controller.close();
      },
    });
    return this.#stream;
  }

  get bodyUsed(): boolean {
    return this.#consumed || (this.#stream?.locked ?? false);
  }

  async text(): Promise<string> {
    const bytes = this.#take();
    return bytes === null ? '' : utf8.decode(bytes);
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.#take();
    if (bytes === null) return new ArrayBuffer(0);
    const copy = new ArrayBuffer(bytes.byteLength);
    new Uint8Array(copy).set(bytes);
    return copy;
  }

  blob(): Promise<Blob> {
    return this.#asResponse().blob();
  }

  formData(): Promise<FormData> {
    return this.#asResponse().formData();
  }

  clone(): Response {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    return new BufferedResponse(this.#bytes, { status: this.status, statusText: this.statusText, headers: new Headers(this.headers) }) as unknown as Response;
  }

  #asResponse(): Response {
    return new Response(this.#take(), { status: this.status, statusText: this.statusText, headers: this.headers });
  }
}
