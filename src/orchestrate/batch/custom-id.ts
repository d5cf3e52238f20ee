import type { GenerateRequest, LanguageModel } from '../../providers/provider.js';
import { cacheKey } from '../cache-key.js';

/** Anthropic's rule for custom_id, the stricter of the two providers. */
const CUSTOM_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A model as its calls are identified: where it is served from belongs to the identity when the adapter says. */
type CallTarget = Pick<LanguageModel, 'provider' | 'modelId'> & { readonly endpoint?: string };

/** cacheKey as the orchestrator calls it, endpoint included where the key takes one. */
const keyOfCall = cacheKey as (provider: string, modelId: string, request: GenerateRequest, endpoint?: string) => string;

/**
 * A batch request's custom_id is the call's cache key itself (hex SHA-256, 64 characters), computed
 * with the same arguments as Orchestrator.keyOf, so a batch result lands under the key a live call
 * of the same request looks up, and a batch run and a live run never pay twice.
 */
export function customIdOf(model: CallTarget, request: GenerateRequest): string {
  const key = keyOfCall(model.provider, model.modelId, request, model.endpoint);
  if (!CUSTOM_ID.test(key)) throw new Error(`cache key "${key}" cannot serve as a batch custom_id`);
  return key;
}
