import { createHash } from 'node:crypto';
import type { GenerateRequest } from '../providers/provider.js';

/** Bump when the meaning of a cached entry changes, so old entries are not served for new requests. */
export const KEY_VERSION = 'llm-fusion/cache/v2';

/**
 * JSON with object keys sorted at every level, so equal requests hash equally whatever their key
 * order. Built by appending to one string, without an array of entries per object: it runs on
 * every call's whole request (prompt included).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // Default sort: by UTF-16 code units, the order the keys have always been hashed in.
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * Where a call goes, as it enters the key: scheme, host, port and path, without credentials or a
 * trailing slash, so two OpenAI-compatible servers serving the same model id never share answers.
 */
export function endpointId(endpoint: string | undefined): string | undefined {
  if (endpoint === undefined) return undefined;
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`.toLowerCase();
  } catch {
    return endpoint;
  }
}

/**
 * The identity of a call: provider, endpoint (base URL), model, the exact messages and every
 * parameter that changes the answer. The abort signal is not part of it. Returned as hex SHA-256.
 * v1 keys (llm-fusion 0.1) had no endpoint; they never match a v2 key. `sample` s > 0 (the s-th
 * answer asked of the same model to the same request, self-consistency) is its own call with its
 * own key; sample 0 keeps the key of a single call of the same request, so caches from before
 * samples still hit for the same request (samples are usually asked at another temperature, which
 * makes it another request).
 */
export function cacheKey(provider: string, modelId: string, request: GenerateRequest, endpoint?: string, sample = 0): string {
  const { signal: _signal, ...params } = request;
  return createHash('sha256')
    .update(canonicalJson({ v: KEY_VERSION, provider, endpoint: endpointId(endpoint), model: modelId, ...params, ...(sample > 0 ? { sample } : {}) }))
    .digest('hex');
}

/** Bump when the meaning of a prompt key changes, so old keys are not compared with new ones. */
export const PROMPT_KEY_VERSION = 'llm-fusion/prompt/v1';

/**
 * The identity of what a model was asked, without who was asked or how: the exact messages and
 * the answer schema, but no provider, model, endpoint, temperature, output room or sample. A
 * recorded answer carries it (`promptKey`) so that a later evaluation, which knows the task but
 * not the settings the answers were asked with, can still tell whether task.json renders the same
 * prompt now. Returned as hex SHA-256.
 */
export function promptKey(request: Pick<GenerateRequest, 'messages' | 'jsonSchema'>): string {
  return createHash('sha256')
    .update(canonicalJson({ v: PROMPT_KEY_VERSION, messages: request.messages, jsonSchema: request.jsonSchema }))
    .digest('hex');
}
