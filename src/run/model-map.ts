import { InputError } from '../task/errors.js';

/** `--model-map` value that says a fitted model is deliberately left out of a run (its answers count as abstentions). */
export const LEFT_OUT = '-';

/** How the errors name the map and the models: the CLI's flags, or the library's options. */
export interface MapWording {
  /** What holds the map (`--model-map`, `modelMap`). */
  map: string;
  /** What holds the live models (`--models`, `models`). */
  models: string;
  /** How to say that `recorded` stands for a live model, and how to leave it out. */
  say(recorded: string): string;
  leaveOut(recorded: string): string;
}

export const CLI_WORDING: MapWording = {
  map: '--model-map',
  models: '--models',
  say: (r) => `--model-map ${r}=provider:model,...`,
  leaveOut: (r) => `${r}=-`,
};

/**
 * Parses `--model-map recorded=provider:model,...`: which live model a name a strategy was fitted
 * with stands for (recorded sets name models as their provider reported them, e.g.
 * `gpt-4o-mini-2024-07-18`, while a run needs `openai:gpt-4o-mini-2024-07-18`). `recorded=-` leaves
 * that model out on purpose.
 */
export function parseModelMap(value: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  if (value === undefined) return map;
  for (const part of value.split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    // Recorded names never hold '=', specs may not either: the first '=' splits.
    const at = entry.indexOf('=');
    const recorded = at < 0 ? '' : entry.slice(0, at).trim();
    const spec = at < 0 ? '' : entry.slice(at + 1).trim();
    if (recorded === '' || spec === '') {
      throw new InputError([{ file: '--model-map', message: `"${entry}" is not recorded=provider:model (e.g. gpt-4o-mini-2024-07-18=openai:gpt-4o-mini-2024-07-18, or NAME=- to leave a model out)` }]);
    }
    if (map.has(recorded)) throw new InputError([{ file: '--model-map', message: `"${recorded}" is mapped twice` }]);
    map.set(recorded, spec);
  }
  return map;
}

/** The model part of a `provider:model` spec (the whole string when it has no provider). */
function modelPart(name: string): string {
  const at = name.indexOf(':');
  return at < 0 ? name : name.slice(at + 1);
}

export interface ModelMatch {
  /** The specs to ask, in order. */
  specs: string[];
  /** Per spec, the fitted name its answers are fused under (the spec itself when it matched no fitted name). */
  names: string[];
  /** Fitted models no spec stands for, and not left out on purpose. */
  unmatched: string[];
  /** Fitted models left out with `NAME=-`. */
  leftOut: string[];
}

/**
 * Matches the live models of a run to the names a saved strategy or policy was fitted with: first
 * what `--model-map` says, then the exact name, then the model part of `provider:model` when exactly
 * one fitted name has it (and no other spec claims that name). Without `--models` the run asks the
 * fitted models, each through its mapped spec. Pure: the caller decides what an unmatched model means.
 */
export function matchFittedModels(fitted: readonly string[], given: readonly string[] | undefined, map: ReadonlyMap<string, string>, wording: MapWording = CLI_WORDING): ModelMatch {
  for (const recorded of map.keys()) {
    if (!fitted.includes(recorded)) {
      throw new InputError([{ file: wording.map, message: `"${recorded}" is not a model the strategy was fitted with (${fitted.join(', ')})` }]);
    }
  }
  const leftOut = fitted.filter((f) => map.get(f) === LEFT_OUT);
  // Without --models: the fitted models, each through its mapped spec; a bare recorded name
  // (no provider) is no spec, so it stays unmatched unless mapped.
  const specs = given ? [...given] : fitted.filter((f) => map.get(f) !== LEFT_OUT && (map.has(f) || f.includes(':'))).map((f) => map.get(f) ?? f);
  const names: (string | undefined)[] = specs.map(() => undefined);
  const taken = new Set<string>(leftOut);
  // The map first, then exact names: both are unambiguous by construction.
  specs.forEach((spec, s) => {
    const mapped = [...map.entries()].find(([, to]) => to === spec)?.[0];
    if (mapped !== undefined && !taken.has(mapped)) {
      names[s] = mapped;
      taken.add(mapped);
    }
  });
  specs.forEach((spec, s) => {
    if (names[s] === undefined && fitted.includes(spec) && !taken.has(spec) && !map.has(spec)) {
      names[s] = spec;
      taken.add(spec);
    }
  });
  // Then the model part, only where it points one way: one fitted name for the spec, one spec for the name.
  const open = fitted.filter((f) => !taken.has(f) && !map.has(f));
  const candidates = specs.map((spec, s) => (names[s] === undefined ? open.filter((f) => modelPart(f) === modelPart(spec)) : []));
  specs.forEach((_, s) => {
    const c = candidates[s] as string[];
    if (c.length !== 1) return;
    const name = c[0] as string;
    const claimants = candidates.filter((x) => x.includes(name)).length;
    if (claimants === 1) {
      names[s] = name;
      taken.add(name);
    }
  });
  return {
    specs,
    names: specs.map((spec, s) => names[s] ?? spec),
    unmatched: fitted.filter((f) => !taken.has(f) && map.get(f) !== LEFT_OUT),
    leftOut,
  };
}

/** The message for fitted models a run cannot reach: which, and how to say which live model each is. */
export function unmatchedMessage(unmatched: readonly string[], given: readonly string[], wording: MapWording = CLI_WORDING): string {
  const example = unmatched[0] as string;
  return (
    `the strategy was fitted with ${unmatched.join(', ')}, which none of the models of this run (${given.join(', ') || 'none'}) stands for. ` +
    `Say which model of this run each is with ${wording.say(example)} ` +
    `(or ${wording.leaveOut(example)} to run without it: its answers then count as abstentions)`
  );
}
