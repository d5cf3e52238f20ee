import { AnthropicModel } from './anthropic/anthropic-model.js';
import {
  DEFAULT_ANTHROPIC_BASE_URL,
  DEFAULT_OPENAI_BASE_URL,
  type EnvSource,
  loadProviderEnv,
  missingKeyError,
  normalizeOllamaHost,
} from './env.js';
import { parseModelSpec } from './model-spec.js';
import { OllamaModel } from './ollama/ollama-model.js';
import { OpenAIModel } from './openai/openai-model.js';
import { ProviderError, type LanguageModel } from './provider.js';
import { pooledFetch } from './pooled-fetch.js';

/** Per-provider settings that win over the environment (from a config file or a test). */
export interface EndpointOverride {
  /** OpenAI: up to and including `/v1`; Anthropic: without `/v1`; Ollama: the host URL. */
  baseURL?: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** SDK-level timeout per call; the orchestrator's signal is the usual way. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Force the logprobs capability off (reasoning models, servers that reject it) or on. */
  supportsLogprobs?: boolean;
}

export interface ProviderOverrides {
  openai?: EndpointOverride;
  anthropic?: EndpointOverride;
  ollama?: EndpointOverride;
}

function checkUrl(provider: string, model: string, url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return url;
  } catch {
    // reported below
  }
  throw new ProviderError('config', `${provider}:${model}: baseURL override must be an http(s) URL`, { provider, model });
}

/**
 * Builds the model named by a spec such as `openai:gpt-4o-mini`, `anthropic:claude-3-5-haiku-latest`
 * or `ollama:llama3.1`. Keys and endpoints come from `env` unless `overrides` name them. Every
 * configuration problem (bad spec, unknown provider, missing key, bad URL) is a
 * ProviderError('config') thrown here, before any call is made.
 */
export function createModel(spec: string, env: EnvSource = process.env, overrides: ProviderOverrides = {}): LanguageModel {
  const { provider, modelId } = parseModelSpec(spec);
  const config = loadProviderEnv(env);
  switch (provider) {
    case 'openai': {
      const o = overrides.openai ?? {};
      const apiKey = o.apiKey ?? config.OPENAI_API_KEY;
      if (apiKey === undefined || apiKey === '') throw missingKeyError('openai', modelId);
      return new OpenAIModel({
        modelId,
        apiKey,
        baseURL: checkUrl(provider, modelId, o.baseURL ?? config.OPENAI_BASE_URL ?? DEFAULT_OPENAI_BASE_URL),
        ...(config.OPENAI_ORG_ID ? { organization: config.OPENAI_ORG_ID } : {}),
        ...(config.OPENAI_PROJECT_ID ? { project: config.OPENAI_PROJECT_ID } : {}),
        ...(o.headers ? { headers: o.headers } : {}),
        ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
        ...(o.fetch ? { fetch: o.fetch } : {}),
        ...(o.supportsLogprobs === undefined ? {} : { supportsLogprobs: o.supportsLogprobs }),
      });
    }
    case 'anthropic': {
      const o = overrides.anthropic ?? {};
      const apiKey = o.apiKey ?? config.ANTHROPIC_API_KEY;
      if (apiKey === undefined || apiKey === '') throw missingKeyError('anthropic', modelId);
      return new AnthropicModel({
        modelId,
        apiKey,
        baseURL: checkUrl(provider, modelId, o.baseURL ?? config.ANTHROPIC_BASE_URL ?? DEFAULT_ANTHROPIC_BASE_URL),
        ...(o.headers ? { headers: o.headers } : {}),
        ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
        ...(o.fetch ? { fetch: o.fetch } : {}),
      });
    }
    case 'ollama': {
      const o = overrides.ollama ?? {};
      const host = o.baseURL === undefined ? config.OLLAMA_HOST : checkUrl(provider, modelId, normalizeOllamaHost(o.baseURL));
      // Ollama has no key of its own; an apiKey override is sent as a bearer token for authenticating proxies.
      const headers = { ...(o.headers ?? {}), ...(o.apiKey ? { Authorization: `Bearer ${o.apiKey}` } : {}) };
      return new OllamaModel({
        modelId,
        host,
        ...(Object.keys(headers).length > 0 ? { headers } : {}),
        ...(o.fetch ? { fetch: withTimeout(o.fetch, o.timeoutMs) } : o.timeoutMs === undefined ? {} : { fetch: withTimeout(pooledFetch(), o.timeoutMs) }),
        ...(o.supportsLogprobs === undefined ? {} : { supportsLogprobs: o.supportsLogprobs }),
      });
    }
  }
}

/** The ollama client has no timeout option; emulate one by adding a timeout signal to each request. */
function withTimeout(inner: typeof fetch, timeoutMs: number | undefined): typeof fetch {
  if (timeoutMs === undefined) return inner;
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return inner(input, { ...init, signal });
  };
}

/** Builds every model of a `--models` list (see parseModelList), failing on the first bad one before any call. */
export function createModels(list: readonly string[], env: EnvSource = process.env, overrides: ProviderOverrides = {}): LanguageModel[] {
  return list.map((spec) => createModel(spec, env, overrides));
}

/** The `provider:model` name a model is recorded under in responses.jsonl and reports. */
export function modelName(model: Pick<LanguageModel, 'provider' | 'modelId'>): string {
  return `${model.provider}:${model.modelId}`;
}
