import { type LanguageModel, ProviderError } from '../providers/provider.js';

/** The part of a model handle this needs (the orchestrator's ModelHandle has it). */
type ModelHandle = { name: string; model: Pick<LanguageModel, 'provider' | 'modelId' | 'endpoint'> };

/**
 * Failures that say the endpoint itself is wrong, not that one call was unlucky: nothing listens
 * there (connection refused), the host name does not resolve, or the key is refused (401, 403).
 * A rate limit, a server error or a timeout says the endpoint is there, so it never counts.
 */
const FATAL_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

function fatalReason(error: ProviderError): string | undefined {
  const { status, code } = error.details;
  if (error.kind === 'auth' && (status === 401 || status === 403)) return `HTTP ${status}, the key is refused`;
  if (code !== undefined && FATAL_CODES.has(code)) return code === 'ECONNREFUSED' ? 'connection refused' : `the host name does not resolve (${code})`;
  return undefined;
}

/**
 * Attempts that must fail fatally, with none succeeding, before an endpoint is given up: more than
 * one, so a server restarting at the very start (one refused connection) does not end a run; few,
 * so a typo in a base URL or a wrong key costs a handful of requests instead of every call.
 */
export const DEAD_AFTER_ATTEMPTS = 3;

/** Where an endpoint is, for messages: scheme, host and path only (never user info or a query, which may carry a key). */
export function describeEndpoint(endpoint: string | undefined, provider: string): string {
  if (!endpoint) return `the ${provider} endpoint`;
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, '')}`;
  } catch {
    return `the ${provider} endpoint`;
  }
}

interface Health {
  successes: number;
  fatal: number;
  reason?: string;
  dead?: string;
}

/**
 * Per endpoint (provider and base URL): when its first attempts all fail with a refused
 * connection, an unknown host or a refused key and none has ever succeeded, the endpoint is given
 * up: every later call to it fails at once, without a request, with a message naming it. An
 * endpoint that has answered once is never given up (its later failures are retried as usual).
 */
export class EndpointHealth {
  private readonly byEndpoint = new Map<string, Health>();

  private key(handle: ModelHandle): string {
    return `${handle.model.provider}\u0000${handle.model.endpoint ?? ''}`;
  }

  private health(handle: ModelHandle): Health {
    const k = this.key(handle);
    let h = this.byEndpoint.get(k);
    if (!h) this.byEndpoint.set(k, (h = { successes: 0, fatal: 0 }));
    return h;
  }

  succeeded(handle: ModelHandle): void {
    this.health(handle).successes++;
  }

  /** Counts a failed attempt. */
  failed(handle: ModelHandle, error: ProviderError): void {
    const h = this.health(handle);
    const reason = fatalReason(error);
    if (h.successes > 0 || reason === undefined || h.dead) return;
    h.fatal++;
    h.reason = reason;
    if (h.fatal >= DEAD_AFTER_ATTEMPTS) h.dead = describeEndpoint(handle.model.endpoint, handle.model.provider);
  }

  /** The error a call to a given-up endpoint fails with, or undefined while the endpoint is usable. */
  deadError(handle: ModelHandle): ProviderError | undefined {
    const h = this.byEndpoint.get(this.key(handle));
    if (!h?.dead) return undefined;
    return new ProviderError(
      'config',
      `${handle.name}: stopped calling ${h.dead}: its first ${h.fatal} attempt(s) failed (${h.reason}) and none succeeded; check the endpoint (base URL, host) and the key`,
      { provider: handle.model.provider, model: handle.model.modelId },
    );
  }
}
