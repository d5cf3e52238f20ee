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

/**
 * The temperature samples are drawn at (`--samples N` with N > 1): at temperature 0 a model would
 * give the same answer N times, as in self-consistency decoding (Wang et al., 2203.11171).
 */
export const SAMPLE_TEMPERATURE = 0.7;

/**
 * Each model `samples` times (`--samples N`, self-consistency): handle s asks for the model's s-th
 * answer to the same request, a call of its own (its own cache key, its own recorded line), under
 * the model's name. One sample: the handles as they are.
 */
export function withSamples(handles: readonly ModelHandle[], samples = 1): ModelHandle[] {
  if (samples <= 1) return [...handles];
  return handles.flatMap((h) => Array.from({ length: samples }, (_, sample) => ({ ...h, sample })));
}

/** Samples per model an adaptive policy was fitted with: the most times its order names one model (1 without samples). */
export function samplesOfOrder(order: readonly string[] | undefined): number {
  const counts = new Map<string, number>();
  for (const m of order ?? []) counts.set(m, (counts.get(m) ?? 0) + 1);
  return Math.max(1, ...counts.values());
}

/**
 * The handles an adaptive policy can ask: a model's samples up to as many as its order names it
 * (sample s is the model's (s+1)-th mention), nothing it was not fitted with. Its thresholds and
 * prefix fusions were fitted for those calls only, so the others are set aside (named in `dropped`,
 * for a warning) rather than asked: asking them would pay for calls the policy cannot use. None left
 * is a config error.
 */
export function handlesOfPolicy(handles: readonly ModelHandle[], order: readonly string[]): { handles: ModelHandle[]; dropped: string[] } {
  const fitted = new Map<string, number>();
  for (const m of order) fitted.set(m, (fitted.get(m) ?? 0) + 1);
  const kept: ModelHandle[] = [];
  const dropped: string[] = [];
  for (const h of handles) {
    if ((h.sample ?? 0) < (fitted.get(h.name) ?? 0)) kept.push(h);
    else dropped.push(h.sample === undefined || h.sample === 0 ? h.name : `${h.name} (sample ${h.sample + 1})`);
  }
  if (kept.length === 0) throw new ProviderError('config', `none of the models given is one the adaptive policy was fitted with (${[...fitted.keys()].join(', ')})`);
  return { handles: kept, dropped };
}

/** Splits a comma-separated `--models` value. */
export function splitModelList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
