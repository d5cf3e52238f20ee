import type { ModelHandle } from '../orchestrate/orchestrator.js';
import type { EnvSource } from '../providers/env.js';
import type { ProviderOverrides } from '../providers/registry.js';
import { InputError } from '../task/errors.js';
import { matchModels, namedAs } from './fitted-models.js';
import type { MapWording } from './model-map.js';
import { resolveModels } from './models.js';
import type { StreamFuser } from './strategy-choice.js';

/** The library's words for the map and the models, in the errors fuse() and createFusion() throw. */
const LIBRARY_WORDING: MapWording = {
  map: 'modelMap',
  models: 'models',
  say: (r) => `modelMap: { '${r}': 'provider:model', ... }`,
  leaveOut: (r) => `'${r}': '-'`,
};

/** `modelMap: { recorded: 'provider:model' }` as the map `--model-map recorded=provider:model` parses to. */
function modelMapOf(modelMap: Readonly<Record<string, string>> | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const [recorded, spec] of Object.entries(modelMap ?? {})) {
    if (recorded.trim() === '' || typeof spec !== 'string' || spec.trim() === '') {
      throw new InputError([{ file: 'modelMap', field: recorded, message: `"${recorded}": "${String(spec)}" is not recorded: 'provider:model' (or recorded: '-' to leave a model out)` }]);
    }
    map.set(recorded.trim(), spec.trim());
  }
  return map;
}

/**
 * The live models of one library call, named as the strategy was fitted with: the same matching as
 * `fusion run --models ... --model-map ...` (the map, then the exact name, then the model part of
 * `provider:model`), and the same refusal when a fitted model has no live stand-in, so a saved
 * strategy never fuses answers it cannot read into a null label. With no `models`, the fitted
 * models are asked through the map.
 */
export function libraryModels(
  fuser: Pick<StreamFuser, 'models'>,
  models: readonly (string | ModelHandle)[],
  modelMap: Readonly<Record<string, string>> | undefined,
  env: EnvSource,
  overrides: ProviderOverrides,
): ModelHandle[] {
  const given = models.length > 0 ? models.map((m) => (typeof m === 'string' ? m : m.name)) : undefined;
  const match = matchModels(fuser, given, modelMapOf(modelMap), LIBRARY_WORDING);
  return namedAs(resolveModels(given ? models : match.specs, env, overrides), match.names);
}
