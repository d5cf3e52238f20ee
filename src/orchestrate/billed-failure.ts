import type { ProviderError } from '../providers/provider.js';

/** Failures that happen before a request reaches any server: nothing was sent, nothing can be billed. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Whether a failed attempt may have been billed. A provider that answers with an error status
 * (429, 4xx, 5xx) did not run the request; one that never heard of it (a refused connection, an
 * unknown host) cannot bill it. Any other failure happened after the request was sent: a timeout
 * (the client hung up, the provider finishes the answer and bills it), a connection dropped while
 * waiting, an answer that could not be read or was refused in its body, an abort. Those are charged
 * at the request's bound under `--max-cost`, or a cap could be passed by retries nobody counted.
 */
export function mayHaveBeenBilled(error: ProviderError): boolean {
  const { status, code } = error.details;
  if (status !== undefined && status >= 400) return false;
  if (code !== undefined && NEVER_SENT.has(code)) return false;
  return error.kind === 'timeout' || error.kind === 'connection' || error.kind === 'bad-response' || error.kind === 'refusal' || error.kind === 'aborted';
}
