/**
 * The one result type of `fusion eval` and `evaluate()`, for every task kind: the fields every kind
 * has (the core), and `extras`, whose type the kind's plug-in owns. Generic code (the CLI, the
 * report skeleton, the library) reads the core only; a kind's own code reads its extras.
 */

/** One scored model row: the fields every kind's row has; the kind's metrics sit beside them. */
export interface ModelEntryCore {
  name: string;
  /** Share of items with an answer. */
  coverage: number;
  /** Items the model gave no readable answer for, by reason (`missing` = no recorded answer). */
  abstentions: Partial<Record<string, number>>;
}

/** One scored strategy row: the fields every kind's row has; the kind's metrics sit beside them. */
export interface StrategyEntryCore {
  name: string;
  /** Share of items with an answer. */
  coverage: number;
  supervised: boolean;
  /** `out-of-fold` for strategies that learn from gold, `all-items` for the others. */
  scoredOn: 'out-of-fold' | 'all-items';
  /** Mean number of recorded answers the strategy used per item (an adaptive policy: the ones it asked for). */
  callsPerItem: number;
  /** What each fold's fitted strategy chose, for strategies that choose (`auto`). */
  picks?: string[];
}

/** A raw output the kind's reader could not read, for the report. */
export interface RejectedAnswer {
  model: string;
  item: string;
  reason: string;
  detail?: string;
  output: string;
}

/**
 * An evaluation of one eval folder. `X` is the kind's extras (declared by its plug-in), `M` and `S`
 * its model and strategy rows (the core fields plus its metrics), `K` its `task.kind`.
 */
export interface EvalResult<X = unknown, M extends ModelEntryCore = ModelEntryCore, S extends StrategyEntryCore = StrategyEntryCore, K extends string = string> {
  task: string;
  kind: K;
  items: number;
  folds: number;
  seed: number;
  models: M[];
  strategies: S[];
  /** The best strategy by the kind's ranking; null when none ran. */
  best: string | null;
  /** Every readable recorded answer per item, each sample a call: what a strategy that reads them all uses. */
  callsPerItem: number;
  /**
   * Every call per item of a strategy that asks every model and sample, readable or not: what `auto`
   * asks, in the unit the kind's adaptive policy counts its calls in (each (model, sample) column
   * asked on an item one call; a judge asked with its samples, where a kind asks a judge's samples
   * together). The denominator of a policy's share of calls.
   */
  allCallsPerItem?: number;
  rejected: RejectedAnswer[];
  /** What only this kind has (its label set, scale, agreement...): read by the kind's own code. */
  extras: X;
}

/**
 * The result as `fusion eval --json` writes it: the core fields with the kind's extras beside them
 * at the top level, where they have always been (users' scripts read `labels`, `scale`, `oracle`).
 */
export function evalResultJson(result: EvalResult): Record<string, unknown> {
  const { extras, ...core } = result;
  return { ...core, ...(extras !== null && typeof extras === 'object' ? extras : {}) };
}
