import type { BatchLimits } from '../../providers/provider.js';

/**
 * Cuts encoded requests into consecutive shards that each respect a provider's limits: at most
 * `maxRequests` lines and `maxBytes` bytes (lines plus their newlines). A single line larger than
 * `maxBytes` gets a shard of its own, for the provider to reject with its own message. Pure.
 */
export function shardLines<T extends { line: string }>(entries: readonly T[], limits: BatchLimits): T[][] {
  const shards: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(entry.line, 'utf8') + 1;
    if (current.length > 0 && (current.length >= limits.maxRequests || bytes + size > limits.maxBytes)) {
      shards.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) shards.push(current);
  return shards;
}
