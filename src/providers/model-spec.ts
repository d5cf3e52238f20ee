import { ProviderError } from './provider.js';

export const KNOWN_PROVIDERS = ['openai', 'anthropic', 'ollama'] as const;
export type KnownProvider = (typeof KNOWN_PROVIDERS)[number];

export interface ModelSpec {
  provider: KnownProvider;
  /** Everything after the first colon, so `ollama:llama3.1:8b` keeps its tag. */
  modelId: string;
}

function isKnownProvider(name: string): name is KnownProvider {
  return (KNOWN_PROVIDERS as readonly string[]).includes(name);
}

/** Parses `provider:model`; a missing part or an unknown provider is a ProviderError('config'). */
export function parseModelSpec(spec: string): ModelSpec {
  const trimmed = spec.trim();
  const colon = trimmed.indexOf(':');
  if (colon <= 0 || colon === trimmed.length - 1) {
    throw new ProviderError(
      'config',
      `model spec "${trimmed}" must look like provider:model, e.g. openai:gpt-4o-mini, anthropic:claude-3-5-haiku-latest, ollama:llama3.1`,
    );
  }
  const provider = trimmed.slice(0, colon).toLowerCase();
  const modelId = trimmed.slice(colon + 1).trim();
  if (!isKnownProvider(provider)) {
    throw new ProviderError(
      'config',
      `unknown provider "${provider}" in model spec "${trimmed}"; known providers: ${KNOWN_PROVIDERS.join(', ')} (any OpenAI-compatible server works as openai: with OPENAI_BASE_URL)`,
      { provider, model: modelId },
    );
  }
  if (modelId === '') throw new ProviderError('config', `model spec "${trimmed}" has no model name`, { provider });
  return { provider, modelId };
}

/** Splits a comma-separated `--models` list, ignoring blanks. */
export function parseModelList(list: string): ModelSpec[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseModelSpec);
}
