import type { HttpFetchOptions } from '../../orchestrate/http-fetch.js';
import type { EnvSource } from '../env.js';
import { ProviderError, type GenerateRequest, type GenerateResult, type ProviderErrorKind } from '../provider.js';
import type { EndpointOverride } from '../registry.js';

/** What a worker thread needs to build the same adapter as the main thread: everything but functions. */
export interface ThreadModelConfig {
  spec: string;
  /** Only the provider variables (see ProviderEnvSchema). */
  env: EnvSource;
  /** The provider's override without `fetch`: the worker uses its own keep-alive transport. */
  override: Omit<EndpointOverride, 'fetch'>;
  transport: HttpFetchOptions;
}

export type ToWorker =
  | { type: 'model'; model: number; config: ThreadModelConfig }
  | { type: 'call'; id: number; model: number; request: Omit<GenerateRequest, 'signal'> }
  | { type: 'cancel'; id: number };

export interface SerializedError {
  /** Set when the adapter threw a ProviderError (the usual case). */
  kind?: ProviderErrorKind;
  message: string;
  details?: ProviderError['details'];
}

/**
 * Messages travel in batches, one per event-loop turn: each postMessage wakes the other thread, and
 * answers that arrive together (or calls issued together) then cost one wake-up instead of several.
 */
export class Outbox<T> {
  private waiting: T[] = [];
  private scheduled = false;

  constructor(private readonly post: (batch: T[]) => void) {}

  push(message: T): void {
    this.waiting.push(message);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.waiting;
      this.waiting = [];
      if (batch.length > 0) this.post(batch);
    });
  }
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: GenerateResult }
  | { type: 'error'; id: number; error: SerializedError };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof ProviderError) return { kind: error.kind, message: error.message, details: { ...error.details } };
  return { message: error instanceof Error ? error.message : String(error) };
}

/** The error the adapter threw, rebuilt on the main thread (a ProviderError keeps its kind and details). */
export function deserializeError(error: SerializedError): Error {
  return error.kind === undefined ? new Error(error.message) : new ProviderError(error.kind, error.message, error.details ?? {});
}
