import { createHash } from 'node:crypto';
import type { GenerateRequest } from '../providers/provider.js';

/** Bump when the meaning of a cached entry changes, so old entries are not served for new requests. */
const KEY_VERSION = 'llm-fusion/cache/v1';

/** JSON with object keys sorted at every level, so equal requests hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * The identity of a call: provider, model, the exact messages and every parameter that changes
 * the answer. The abort signal is not part of it. Returned as hex SHA-256.
 */
export function cacheKey(provider: string, modelId: string, request: GenerateRequest): string {
  const { signal: _signal, ...params } = request;
  return createHash('sha256')
    .update(canonicalJson({ v: KEY_VERSION, provider, model: modelId, ...params }))
    .digest('hex');
}
