import { currentLimits, limitVariable } from '../task/limits.js';
import type { BatchOutcome } from './provider.js';
import { ProviderError } from './provider.js';
import type { JsonlLine } from './jsonl-lines.js';

/**
 * A batch result line that does not have the documented shape: the failure of its request when
 * its custom_id can still be read, otherwise an outcome of its own that names no request.
 */
export function unreadableLine(line: unknown, error: ProviderError): BatchOutcome {
  const id = line !== null && typeof line === 'object' && 'custom_id' in line ? line.custom_id : undefined;
  return typeof id === 'string' ? { customId: id, status: 'failed', error } : { status: 'unreadable', error };
}

/** The custom_id at the head of a result line too long to read whole (both providers write it near the start). */
const CUSTOM_ID_AT_HEAD = /"custom_id"\s*:\s*"([A-Za-z0-9_-]{1,64})"/;

/**
 * A result line past FUSION_MAX_RESULT_LINE_BYTES: the failure of its request (found by the
 * custom_id at its head), never read whole.
 */
export function tooLongLine(line: Extract<JsonlLine, { tooLong: true }>, details: ProviderError['details']): BatchOutcome {
  const error = new ProviderError(
    'bad-response',
    `batch result line of ${line.bytes} bytes or more is longer than ${currentLimits().maxResultLineBytes} bytes (${limitVariable('maxResultLineBytes')}); not read`,
    details,
  );
  const id = CUSTOM_ID_AT_HEAD.exec(line.head)?.[1];
  return id === undefined ? { status: 'unreadable', error } : { customId: id, status: 'failed', error };
}

/** The results download broke off (a cut connection, `TypeError: terminated`): the outcome that ends the stream. */
export function cutDownload(error: ProviderError): BatchOutcome {
  return { status: 'cut', error };
}
