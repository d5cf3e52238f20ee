import type { BatchApi } from '../../providers/provider.js';
import { type GenerateRequest, type GenerateResult, type LanguageModel, ProviderError } from '../../providers/provider.js';
import type { ModelHandle } from '../orchestrator.js';
import { customIdOf } from './custom-id.js';

/** A batch failure replayed to the live pass: never retried there, whatever its kind. */
export class SettledBatchError extends ProviderError {
  override readonly retryable = false;
}

/**
 * The model the live pass after a batch run uses: a call whose batch failure is final answers with
 * that failure (recorded and reported like any failed call) instead of being paid for again live;
 * every other call goes to the model as usual.
 */
class SettledFailuresModel implements LanguageModel {
  readonly provider: string;
  readonly modelId: string;
  readonly supportsLogprobs: boolean;
  readonly batch?: BatchApi;
  readonly endpoint?: string;

  constructor(
    private readonly inner: LanguageModel,
    private readonly settled: ReadonlyMap<string, ProviderError>,
    private readonly sample?: number,
  ) {
    this.provider = inner.provider;
    this.modelId = inner.modelId;
    this.supportsLogprobs = inner.supportsLogprobs;
    if (inner.endpoint !== undefined) this.endpoint = inner.endpoint;
  }

  generate(request: GenerateRequest): Promise<GenerateResult> {
    const failure = this.settled.get(customIdOf(this, request, this.sample));
    if (failure) return Promise.reject(new SettledBatchError(failure.kind, failure.message, failure.details));
    return this.inner.generate(request);
  }
}

/** The handles with final batch failures answered from `settled` (handles of models without any are returned as they are). */
export function withSettledFailures(handles: readonly ModelHandle[], settled: ReadonlyMap<string, ProviderError>): ModelHandle[] {
  if (settled.size === 0) return [...handles];
  return handles.map((h) => ({ ...h, model: new SettledFailuresModel(h.model, settled, h.sample) }));
}
