import type { BatchOutcome } from './provider.js';
import type { ProviderError } from './provider.js';

/**
 * A batch result line that does not have the documented shape: the failure of its request when
 * its custom_id can still be read, otherwise an error for the whole result stream.
 */
export function unreadableLine(line: unknown, error: ProviderError): BatchOutcome | ProviderError {
  const id = line !== null && typeof line === 'object' && 'custom_id' in line ? line.custom_id : undefined;
  return typeof id === 'string' ? { customId: id, status: 'failed', error } : error;
}
