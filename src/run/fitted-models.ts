import type { ModelHandle } from '../orchestrate/orchestrator.js';
import { InputError } from '../task/errors.js';
import { CLI_WORDING, type MapWording, type ModelMatch, matchFittedModels, parseModelMap, unmatchedMessage } from './model-map.js';
import type { StreamFuser } from './strategy-choice.js';

/** A fitted model a run cannot reach: an input error (exit 2) naming it and how to map it. */
export class UnmatchedModelsError extends InputError {
  override readonly name = 'UnmatchedModelsError';
  constructor(
    readonly unmatched: readonly string[],
    given: readonly string[],
    wording: MapWording = CLI_WORDING,
  ) {
    super([{ file: wording.models, message: unmatchedMessage(unmatched, given, wording) }]);
  }
}

/**
 * The live models of a run and the names their answers are fused under: for a saved strategy, the
 * names it was fitted with (see matchFittedModels), every fitted model accounted for or an error;
 * for a built-in strategy, the specs as given.
 */
export function fittedModels(fuser: Pick<StreamFuser, 'models'>, given: readonly string[] | undefined, modelMap: string | undefined): ModelMatch {
  return matchModels(fuser, given, parseModelMap(modelMap), CLI_WORDING);
}

/** fittedModels on a parsed map, its errors worded for the CLI's flags or the library's options. */
export function matchModels(fuser: Pick<StreamFuser, 'models'>, given: readonly string[] | undefined, map: ReadonlyMap<string, string>, wording: MapWording): ModelMatch {
  if (!fuser.models) {
    if (map.size > 0) throw new InputError([{ file: wording.map, message: 'maps the models of a saved strategy; this one has none' }]);
    const specs = [...(given ?? [])];
    return { specs, names: specs, unmatched: [], leftOut: [] };
  }
  const match = matchFittedModels(fuser.models, given, map, wording);
  if (match.unmatched.length > 0) throw new UnmatchedModelsError(match.unmatched, match.specs, wording);
  return match;
}

/** The handles under the names their answers are fused under (a fitted strategy reads models by name). */
export function namedAs(handles: readonly ModelHandle[], names: readonly string[]): ModelHandle[] {
  return handles.map((h, s) => ({ ...h, name: names[s] ?? h.name }));
}
