import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

/**
 * A lean `fetch` for the provider SDKs' non-streaming JSON calls, on node:http with keep-alive.
 * Node's built-in fetch costs about three times the CPU per request (WHATWG streams around every
 * body), which at 64+ calls in flight makes the client, not the server, the bottleneck. Anything it
 * does not handle itself (a Request object, a streamed or multipart body, a server-sent event
 * stream) goes to the built-in fetch. Failures look like the built-in fetch's: `TypeError('fetch
 * failed')` with the socket error as `cause`, or the signal's reason on abort.
 */
export function createHttpFetch(options: { maxSockets?: number } = {}): typeof fetch {
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

    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
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
          resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
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
