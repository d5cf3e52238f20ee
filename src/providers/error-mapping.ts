import { ProviderError, type ProviderErrorKind } from './provider.js';
import { tooLargeIn } from './limited-fetch.js';
import { redactSecrets } from './redact.js';
import { parseRetryAfterMs } from './retry-after.js';

/** Who was called, and which secrets must never be echoed back in what we throw. */
export interface CallContext {
  provider: string;
  model: string;
  secrets: readonly (string | undefined)[];
}

const MAX_MESSAGE = 300;

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE)}...` : flat;
}

/** Builds a ProviderError whose message names the model and carries no secret. */
export function providerError(
  kind: ProviderErrorKind,
  ctx: CallContext,
  message: string,
  extra: { status?: number; retryAfterMs?: number; code?: string } = {},
): ProviderError {
  // Redacted before clipping too: a cut could leave part of an encoded key that no longer matches.
  const text = redactSecrets(`${ctx.provider}:${ctx.model}: ${clip(redactSecrets(message, ctx.secrets))}`, ctx.secrets);
  return new ProviderError(kind, text, { ...extra, provider: ctx.provider, model: ctx.model });
}

export function kindForStatus(status: number): ProviderErrorKind {
  if (status === 401 || status === 402 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate-limit';
  // 409 (lock contention) and 499 (server-side cancel) are transient; the OpenAI SDK retries them too.
  if (status === 409 || status === 499 || status >= 500) return 'server';
  return 'bad-request';
}

const STATUS_HINT: Partial<Record<ProviderErrorKind, string>> = {
  auth: 'authentication failed (check the API key and its permissions)',
  'not-found': 'not found (check the model name)',
  'rate-limit': 'rate limited',
  server: 'server error',
  timeout: 'request timeout',
  'bad-request': 'bad request',
};

/** Maps an HTTP error answer to a ProviderError; `code` is the provider's error code, when given. */
export function errorFromStatus(
  ctx: CallContext,
  status: number,
  serverMessage: string | undefined,
  headers: Headers | undefined,
  code?: string | null,
): ProviderError {
  // Azure OpenAI and some gateways reject filtered prompts with 400 + code content_filter.
  const kind: ProviderErrorKind = code === 'content_filter' ? 'refusal' : kindForStatus(status);
  const retryAfterMs = parseRetryAfterMs(headers);
  const hint = kind === 'refusal' ? 'content filtered' : (STATUS_HINT[kind] ?? 'error');
  const detail = serverMessage && serverMessage.trim() !== '' ? `: ${serverMessage}` : '';
  return providerError(kind, ctx, `HTTP ${status} ${hint}${detail}`, {
    status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorName(err: unknown): string | undefined {
  return err && typeof err === 'object' ? String((err as { name?: unknown }).name ?? '') : undefined;
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : 'unknown error';
}

/**
 * Why a call that got no HTTP answer failed: our signal fired (timeout vs. user abort, told apart
 * by the signal's reason), the connection broke, or the body was not JSON. Anything else is a
 * bad response rather than a crash, so one odd server cannot stop a run.
 */
export function errorFromException(ctx: CallContext, err: unknown, signal: AbortSignal | undefined): ProviderError {
  if (err instanceof ProviderError) return err;
  // A body past the size limit: the server answered, but too much; asking again would get the same.
  const tooLarge = tooLargeIn(err);
  if (tooLarge) return providerError('bad-response', ctx, tooLarge.message);
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    return errorName(reason) === 'TimeoutError'
      ? providerError('timeout', ctx, 'request timed out')
      : providerError('aborted', ctx, 'request aborted');
  }
  const name = errorName(err);
  if (name === 'TimeoutError') return providerError('timeout', ctx, 'request timed out');
  if (name === 'AbortError') return providerError('aborted', ctx, 'request aborted');
  if (err instanceof SyntaxError) return providerError('bad-response', ctx, `malformed JSON in response: ${err.message}`);
  const code = errorCode(err);
  if (code !== undefined && TIMEOUT_CODES.has(code)) return providerError('timeout', ctx, `connection timed out (${code})`, { code });
  if (code !== undefined && CONNECTION_CODES.has(code)) return providerError('connection', ctx, `connection failed (${code})`, { code });
  const message = errorMessage(err);
  if (err instanceof TypeError && /fetch failed|failed to fetch|network|socket|terminated/i.test(message)) {
    return providerError('connection', ctx, `connection failed: ${message}`);
  }
  return providerError('bad-response', ctx, `unexpected failure: ${message}`);
}

/**
 * A body that is not an answer. Some servers and gateways answer HTTP 200 with an error body
 * (`{"error": {"message": ...}}`, Anthropic's `{"type": "error", "error": {...}}`, Ollama's
 * `{"error": "..."}`): its own message says why (a quota, an overload), where the shape the schema
 * expected would only say what is missing.
 */
export function badResponse(ctx: CallContext, raw: unknown, issue: { path: PropertyKey[]; message: string } | undefined): ProviderError {
  const error = typeof raw === 'object' && raw !== null ? (raw as { error?: unknown }).error : undefined;
  const said = typeof error === 'string' ? error : typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  if (typeof said === 'string' && said.trim() !== '') return providerError('bad-response', ctx, `the server sent an error instead of an answer: ${said}`);
  return providerError('bad-response', ctx, `unexpected response shape at ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
}
