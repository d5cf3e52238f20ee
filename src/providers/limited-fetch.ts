import { currentLimit, limitVariable } from '../task/limits.js';

/** A provider answer larger than the limit: the call fails with this reason instead of the process running out of memory. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  constructor(readonly limit: number) {
    super(`response body larger than ${limit} bytes; stopped reading it (raise ${limitVariable('maxResponseBytes')} if it is meant to be)`);
  }
}

/** The ResponseTooLargeError behind an error an SDK wrapped (as its connection error, or a cause of one), if any. */
export function tooLargeIn(err: unknown): ResponseTooLargeError | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    if (e instanceof ResponseTooLargeError) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Downloads of whole batch result files: streamed line by line by the batch readers, which bound
 * each line themselves, so the per-answer limit does not apply to them.
 */
const RESULT_FILE = /\/files\/[^/]+\/content$|\/batches\/[^/]+\/results$/;

/** True for the URL of a whole batch result file (see RESULT_FILE). */
export function isResultFileUrl(url: string): boolean {
  return RESULT_FILE.test(new URL(url).pathname);
}

/**
 * A `fetch` for the SDKs (openai, @anthropic-ai/sdk and ollama all take one) that stops reading a
 * response body past `maxBytes` (by default FUSION_MAX_RESPONSE_BYTES): a declared Content-Length
 * over the limit is refused before reading, and a body that grows past it is cut off mid-stream,
 * so a hostile or broken server sending gigabytes makes one call fail, not the process crash.
 */
export function limitedFetch(inner: typeof fetch = (input, init) => globalThis.fetch(input, init), maxBytes?: number): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!response.body || isResultFileUrl(url)) return response;
    const limit = maxBytes ?? currentLimit('maxResponseBytes');
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > limit) {
      await response.body.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(limit);
    }
    // A body whose length is declared within the limit and not compressed cannot grow past it (the
    // HTTP framing stops reading at that length): it needs no second stream counting its bytes. A
    // compressed one can (a small gzip may inflate a thousandfold), so it is counted as it is read.
    const encoding = response.headers.get('content-encoding');
    if (Number.isFinite(declared) && (encoding === null || encoding === 'identity')) return response;
    let seen = 0;
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        seen += value.byteLength;
        if (seen > limit) {
          await reader.cancel().catch(() => undefined);
          controller.error(new ResponseTooLargeError(limit));
          return;
        }
        controller.enqueue(value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
