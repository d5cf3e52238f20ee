import { describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson } from '../../src/orchestrate/cache-key.js';
import type { GenerateRequest } from '../../src/providers/provider.js';

const request = {
  messages: [
    { role: 'system', content: 'Label the sentiment.\n"quoted" é \u2028 😀' },
    { role: 'user', content: 'Benchmark review b1: it was bad.' },
  ],
  temperature: 0,
  maxTokens: 64,
  topLogprobs: 5,
  jsonSchema: { name: 'answer', schema: { type: 'object', properties: { label: { enum: ['positive', 'negative', 'neutral'] }, b: { x: undefined, a: [1, null, undefined, 'z'] } }, required: ['label'] } },
} as unknown as GenerateRequest;

describe('cache keys: the same bytes hashed as every earlier version did, so existing caches keep hitting', () => {
  it('canonical JSON sorts keys by code unit at every level, drops undefined fields and writes undefined array slots as null', () => {
    expect(canonicalJson({ z: 1, a: { B: 2, b: [3, { d: undefined, c: 'x' }, undefined] }, é: true, Z: null, '': 0 })).toBe('{"":0,"Z":null,"a":{"B":2,"b":[3,{"c":"x"},null]},"z":1,"é":true}');
  });

  it('keys of a fixed request are the ones the cache already holds (golden values from the code before the rewrite)', () => {
    expect(cacheKey('openai', 'gpt-4o-mini', request, 'http://127.0.0.1:1234/v1/', 0)).toBe('16243c944167bc30928ab2e548b0c0f16607debf2cb27966fe77268c366d99f6');
    expect(cacheKey('ollama', 'llama3.1', request, undefined, 2)).toBe('821bb8422ff90e7873b94328dbc5ec99dc4a5b75c06e2fef33e28cb2ab9d11da');
    expect(cacheKey('openai', 'gpt-4o-mini', { ...request, signal: AbortSignal.abort() }, 'http://127.0.0.1:1234/v1', 0)).toBe('16243c944167bc30928ab2e548b0c0f16607debf2cb27966fe77268c366d99f6');
  });
});
