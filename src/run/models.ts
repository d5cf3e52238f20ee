import type { ModelHandle } from '../orchestrate/orchestrator.js';
import type { EnvSource } from '../providers/env.js';
import { ProviderError } from '../providers/provider.js';
import { type ProviderOverrides, createModel, modelName } from '../providers/registry.js';

/**
 * Builds the adapters for a model list (spec strings like `openai:gpt-4o-mini`, or ready handles),
 * failing before any call on a bad spec, a missing key, or a model listed twice. Each handle is
 * named `provider:model`, the name its answers are recorded and reported under.
 */
export function resolveModels(
  models: readonly (string | ModelHandle)[],
  env: EnvSource = process.env,
  overrides: ProviderOverrides = {},
): ModelHandle[] {
  const handles = models.map((m) => {
    if (typeof m !== 'string') return m;
    const model = createModel(m, env, overrides);
    return { name: modelName(model), model };
  });
  const seen = new Set<string>();
  for (const h of handles) {
    if (seen.has(h.name)) throw new ProviderError('config', `model ${h.name} is listed twice`);
    seen.add(h.name);
  }
  if (handles.length === 0) throw new ProviderError('config', 'no models given');
  return handles;
}

/** Splits a comma-separated `--models` value. */
export function splitModelList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
