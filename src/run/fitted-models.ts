import type { ModelHandle } from '../orchestrate/orchestrator.js';
import { InputError } from '../task/errors.js';
import { type ModelMatch, matchFittedModels, parseModelMap, unmatchedMessage } from './model-map.js';
import type { StreamFuser } from './strategy-choice.js';

/** A fitted model a run cannot reach: an input error (exit 2) naming it and how to map it. */
export class UnmatchedModelsError extends InputError {
  override readonly name = 'UnmatchedModelsError';
  constructor(
    readonly unmatched: readonly string[],
    given: readonly string[],
  ) {
    super([{ file: '--models', message: unmatchedMessage(unmatched, given) }]);
  }
}

/**
 * The live models of a run and the names their answers are fused under: for a saved strategy, the
 * names it was fitted with (see matchFittedModels), every fitted model accounted for or an error;
 * for a built-in strategy, the specs as given.
 */
export function fittedModels(fuser: Pick<StreamFuser, 'models'>, given: readonly string[] | undefined, modelMap: string | undefined): ModelMatch {
  const map = parseModelMap(modelMap);
  if (!fuser.models) {
    if (map.size > 0) throw new InputError([{ file: '--model-map', message: 'maps the models of a saved --strategy file; this run has none' }]);
    const specs = [...(given ?? [])];
    return { specs, names: specs, unmatched: [], leftOut: [] };
  }
  const match = matchFittedModels(fuser.models, given, map);
  if (match.unmatched.length > 0) throw new UnmatchedModelsError(match.unmatched, match.specs);
  return match;
}

/** The handles under the names their answers are fused under (a fitted strategy reads models by name). */
export function namedAs(handles: readonly ModelHandle[], names: readonly string[]): ModelHandle[] {
  return handles.map((h, s) => ({ ...h, name: names[s] ?? h.name }));
}
