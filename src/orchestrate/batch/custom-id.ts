import type { GenerateRequest, LanguageModel } from '../../providers/provider.js';
import { cacheKey } from '../cache-key.js';

/** Anthropic's rule for custom_id, the stricter of the two providers. */
const CUSTOM_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A batch request's custom_id is the call's cache key itself (hex SHA-256, 64 characters), so a
 * batch result lands under the same key a live call of the same request would, and a batch run and
 * a live run never pay twice.
 */
export function customIdOf(model: Pick<LanguageModel, 'provider' | 'modelId' | 'endpoint'>, request: GenerateRequest, sample?: number): string {
  const key = cacheKey(model.provider, model.modelId, request, model.endpoint, sample);
  if (!CUSTOM_ID.test(key)) throw new Error(`cache key "${key}" cannot serve as a batch custom_id`);
  return key;
}
