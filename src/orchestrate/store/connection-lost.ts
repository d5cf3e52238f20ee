/**
 * Whether a PostgreSQL statement failed because its connection was refused, cut or closed, rather
 * than on its merits. Refused (the server down, starting up or shutting down): the statement was
 * never sent. Cut (the server terminated the backend, a reset, a closed socket): it may or may not
 * have committed, which is why every statement of the store is written to be sent twice with the
 * effect of once (see PostgresStore). Either way, sending it again on a new connection is safe.
 */
const REFUSED_OR_CUT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  // admin_shutdown (pg_terminate_backend, a fast shutdown), crash_shutdown, cannot_connect_now
  '57P01',
  '57P02',
  '57P03',
]);

/** Messages of node-postgres for a connection that ended under a statement, which carry no code. */
const CUT_MESSAGES = /^(Connection terminated|Client has encountered a connection error and is not queryable|Client was closed and is not queryable)/;

export function connectionLost(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // Class 08: connection exceptions.
    if (REFUSED_OR_CUT.has(code) || code.startsWith('08')) return true;
  }
  return CUT_MESSAGES.test(error.message);
}
