import { brotliDecompress, gunzip, inflate, type InputType, type ZlibOptions } from 'node:zlib';
import { type Dispatcher, getGlobalDispatcher } from 'undici';
import { currentLimit } from '../task/limits.js';
import { bufferedResponse } from './buffered-response.js';
import { ResponseTooLargeError, isResultFileUrl, limitedFetch } from './limited-fetch.js';

/** The global fetch as this module found it: a replaced one (instrumentation, a test's interceptor) is honoured. */
const NODE_FETCH = globalThis.fetch;

type Decoder = (input: InputType, options: ZlibOptions, callback: (error: Error | null, result: Buffer) => void) => void;
const DECODERS: Record<string, Decoder> = { gzip: gunzip, 'x-gzip': gunzip, deflate: inflate, br: brotliDecompress };

/** A body encoded with `encoding`, decoded to at most `limit` bytes (a small gzip may inflate to far more). */
function decode(body: Buffer, encoding: string, limit: number): Promise<Buffer> {
  const decoder = DECODERS[encoding];
  if (!decoder) return Promise.reject(new TypeError(`fetch failed: unsupported content-encoding ${encoding}`));
  return new Promise((resolve, reject) =>
    decoder(body, { maxOutputLength: limit }, (error, result) => {
      if (!error) resolve(result);
      else reject((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? new ResponseTooLargeError(limit) : new TypeError('fetch failed', { cause: error }));
    }),
  );
}

/** Request headers in any of the forms fetch takes, as the plain record undici's request takes. */
function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  const add = (name: string, value: string) => {
    const key = name.toLowerCase();
    out[key] = key in out ? `${out[key]}, ${value}` : value;
  };
  if (headers instanceof Headers) headers.forEach((value, name) => add(name, value));
  else if (Array.isArray(headers)) for (const [name, value] of headers) add(name as string, value as string);
  else for (const [name, value] of Object.entries(headers)) if (value !== undefined) add(name, String(value));
  return out;
}

/** What fetch rejects with: the signal's reason once it fired, else a TypeError whose cause is the network error. */
function fetchError(err: unknown, signal: AbortSignal | null | undefined): unknown {
  if (signal?.aborted) return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
  if (err instanceof ResponseTooLargeError || err instanceof TypeError) return err;
  return new TypeError('fetch failed', { cause: err });
}

/** An answer as it came off the wire: status, header pairs as sent, and the whole body. */
interface WireAnswer {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

/**
 * The handler of one request (undici's dispatcher handler interface) that collects its answer whole:
 * no body stream, async iterator or async resource per call (what `request` adds for callers that
 * stream), only the chunks as they arrive, stopped past `limit` (declared or seen) with a
 * ResponseTooLargeError. Its signal aborts it at any point, as `request` does. One object per call
 * whose methods live on the prototype, and it is the signal's listener itself (`handleEvent`): a
 * call in flight holds no closures of its own here (what a call in flight keeps alive is copied by
 * every young-generation collection it lives through; BENCHMARKS.md, "What survives a scavenge").
 */
class WholeAnswerHandler implements Dispatcher.DispatchHandlers {
  private abortRequest: ((err?: Error) => void) | undefined;
  private settled = false;
  private status = 0;
  private headers: [string, string][] = [];
  private readonly chunks: Buffer[] = [];
  private seen = 0;

  constructor(
    private readonly signal: AbortSignal | undefined,
    private readonly limit: number,
    private readonly resolve: (answer: WireAnswer) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  /** The signal fired. */
  handleEvent(): void {
    this.abortRequest?.(this.signal?.reason as Error);
  }

  private settle(): void {
    this.settled = true;
    this.signal?.removeEventListener('abort', this);
  }

  onConnect(abortRequest: (err?: Error) => void): void {
    this.abortRequest = abortRequest;
    if (this.signal?.aborted) abortRequest(this.signal.reason as Error);
  }

  onHeaders(statusCode: number, raw: Buffer[]): boolean {
    // 1xx answers come before the final one and say nothing the caller reads.
    if (statusCode < 200) return true;
    this.status = statusCode;
    const headers: [string, string][] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = (raw[i] as Buffer).toString('latin1');
      const value = (raw[i + 1] as Buffer).toString('latin1');
      headers.push([name, value]);
      if (name.length === 14 && name.toLowerCase() === 'content-length' && Number(value) > this.limit) this.abortRequest?.(new ResponseTooLargeError(this.limit));
    }
    this.headers = headers;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.seen += chunk.byteLength;
    if (this.seen > this.limit) {
      this.abortRequest?.(new ResponseTooLargeError(this.limit));
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    this.settle();
    const { chunks } = this;
    this.resolve({ status: this.status, headers: this.headers, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.seen) });
  }

  onError(err: Error): void {
    if (this.settled) return;
    this.settle();
    this.reject(err);
  }
}

/** One request on `dispatcher`, its answer collected whole (WholeAnswerHandler); `signal` aborts it. */
function dispatchWhole(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, signal: AbortSignal | undefined, limit: number): Promise<WireAnswer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const handler = new WholeAnswerHandler(signal, limit, resolve, reject);
    signal?.addEventListener('abort', handler, { once: true });
    dispatcher.dispatch(options, handler);
  });
}

/** The value of header `name` (lower case) as `Headers.get` gives it: every occurrence, joined by a comma and a space. */
function headerValue(pairs: readonly [string, string][], name: string): string | undefined {
  let value: string | undefined;
  for (const [n, v] of pairs) if (n.length === name.length && n.toLowerCase() === name) value = value === undefined ? v : `${value}, ${v}`;
  return value;
}

/**
 * The answer's header pairs for the Response handed out: without transfer-encoding, without
 * content-encoding once the body is decoded, and with the content-length of the body handed out.
 * Given to the Response as pairs, so that one Headers is built per answer (a Headers built here
 * and passed in would be copied into the Response's own, name by name).
 */
function describedHeaders(pairs: readonly [string, string][], decoded: boolean, length: number): [string, string][] {
  const out: [string, string][] = [];
  for (const pair of pairs) {
    const name = pair[0].toLowerCase();
    if (name === 'transfer-encoding' || name === 'content-length' || (decoded && name === 'content-encoding')) continue;
    out.push(pair);
  }
  out.push(['content-length', String(length)]);
  return out;
}

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

/** Origin and path of the URLs called, parsed once each: an SDK calls the same few endpoints over and over. */
const TARGETS = new Map<string, { origin: string; path: string }>();

function targetOf(url: string): { origin: string; path: string } {
  let target = TARGETS.get(url);
  if (!target) {
    const parsed = new URL(url);
    target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    // Bounded: URLs carrying ids (batch ids, file ids) are many and each is called a few times.
    if (TARGETS.size >= 256) TARGETS.clear();
    TARGETS.set(url, target);
  }
  return target;
}

/**
 * The `fetch` the SDKs (openai, @anthropic-ai/sdk, ollama) use when the caller gives none: one
 * request through undici's dispatcher interface on the process's undici dispatcher (keep-alive, one
 * pool per origin), its body collected whole into one buffer (bounded by `maxBytes`, by default
 * FUSION_MAX_RESPONSE_BYTES) and handed back as a `Response` over that buffer (BufferedResponse).
 * Node's own fetch costs more CPU per call for the same answer (a Request object and a fetch
 * controller per call, the body through web streams, header lists built name by name;
 * BENCHMARKS.md), and so does undici's `request` (a body stream per call), while an LLM answer is a
 * small JSON document read whole anyway.
 * Everything else (batch result downloads, streamed line by line; bodies that are not a string or
 * bytes, such as a batch file upload) goes through Node's fetch, bounded as before; so does every
 * call once the global fetch has been replaced (an instrumentation, or a test interceptor such as
 * msw in a user's own tests), so that replacement still sees every call.
 */
export function pooledFetch(maxBytes?: number): typeof fetch {
  const fallback = limitedFetch(undefined, maxBytes);
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
    const body = init?.body;
    const simpleBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer;
    if (url === undefined || !simpleBody || isResultFileUrl(url) || globalThis.fetch !== NODE_FETCH) return fallback(input, init);
    const signal = init?.signal ?? undefined;
    const limit = maxBytes ?? currentLimit('maxResponseBytes');
    const headers = headerRecord(init?.headers);
    if (typeof body === 'string' && headers['content-type'] === undefined) headers['content-type'] = 'text/plain;charset=UTF-8';
    try {
      const target = targetOf(url);
      const answer = await dispatchWhole(
        // The process's undici dispatcher, the one Node's fetch uses too: one keep-alive pool per
        // origin, and a proxy or mock agent set with setGlobalDispatcher applies to these calls.
        getGlobalDispatcher(),
        {
          origin: target.origin,
          path: target.path,
          method: (init?.method ?? 'GET').toUpperCase() as Dispatcher.HttpMethod,
          headers,
          body: body instanceof ArrayBuffer ? new Uint8Array(body) : (body ?? null),
          // Redirects followed as fetch follows them (undici drops credentials across origins).
          maxRedirections: 20,
        } as Dispatcher.DispatchOptions,
        signal,
        limit,
      );
      let bytes = answer.body;
      // As fetch does: the body handed out is decoded, so its encoding and length headers describe it.
      const encoding = headerValue(answer.headers, 'content-encoding')?.trim().toLowerCase();
      const decoded = encoding !== undefined && encoding !== '' && encoding !== 'identity';
      if (decoded) bytes = await decode(bytes, encoding, limit);
      const status = answer.status;
      return bufferedResponse(NULL_BODY_STATUS.has(status) ? null : bytes, { status, headers: describedHeaders(answer.headers, decoded, bytes.byteLength) });
    } catch (err) {
      throw fetchError(err, signal);
    }
  };
}

/** The fetch a provider's SDK gets: the caller's own, bounded (see limitedFetch), or else pooledFetch. */
export function providerFetch(custom: typeof fetch | undefined): typeof fetch {
  return custom ? limitedFetch(custom) : pooledFetch();
}
