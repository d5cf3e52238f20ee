import { readFileSync, writeFileSync } from 'node:fs';
import { InputError, type InputIssue, zodIssues } from '../task/errors.js';
import { getStrategy } from './registry.js';
import {
  type FittedStrategy,
  SAVED_STRATEGY_FORMAT,
  SAVED_STRATEGY_VERSION,
  type SavedStrategy,
  SavedStrategySchema,
  StrategyError,
} from './strategy.js';
import { StrategyStateError } from './strategy-state.js';

export interface SaveMeta {
  /** Registered strategy name (`getStrategy` restores it). */
  strategy: string;
  task: string;
  labels: readonly string[];
  models: readonly string[];
  createdAt?: string;
}

/** The versioned document `fusion fit --out` writes. */
export function toSavedStrategy(fitted: FittedStrategy, meta: SaveMeta): SavedStrategy {
  return {
    format: SAVED_STRATEGY_FORMAT,
    version: SAVED_STRATEGY_VERSION,
    strategy: meta.strategy,
    task: meta.task,
    labels: [...meta.labels],
    models: [...meta.models],
    createdAt: meta.createdAt ?? new Date().toISOString(),
    state: fitted.state(),
  };
}

export function writeSavedStrategy(file: string, saved: SavedStrategy): void {
  writeFileSync(file, `${JSON.stringify(saved)}\n`);
}

/**
 * Validates a parsed saved strategy (envelope, then the strategy's own state) and restores it.
 * Every problem is an InputError naming `file` and the offending field.
 */
export function loadSavedStrategy(file: string, raw: unknown): { saved: SavedStrategy; fitted: FittedStrategy } {
  const parsed = SavedStrategySchema.safeParse(raw);
  if (!parsed.success) {
    const r = raw as { format?: unknown; version?: unknown } | null;
    const hint: InputIssue[] =
      r && typeof r === 'object' && r.format === SAVED_STRATEGY_FORMAT && r.version !== SAVED_STRATEGY_VERSION
        ? [{ file, field: 'version', message: `saved with format version ${String(r.version)}; this build reads version ${SAVED_STRATEGY_VERSION}` }]
        : [];
    throw new InputError(hint.length > 0 ? hint : zodIssues(file, undefined, parsed.error));
  }
  const saved = parsed.data;
  let strategy;
  try {
    strategy = getStrategy(saved.strategy);
  } catch (e) {
    if (e instanceof StrategyError) throw new InputError([{ file, field: 'strategy', message: e.message }]);
    throw e;
  }
  try {
    return { saved, fitted: strategy.load(saved.state, saved.labels) };
  } catch (e) {
    if (e instanceof StrategyStateError) {
      throw new InputError(e.issues.map((i) => ({ file, field: i.field ? `state.${i.field}` : 'state', message: i.message })));
    }
    if (e instanceof StrategyError) throw new InputError([{ file, field: 'state', message: e.message }]);
    throw e;
  }
}

/** Reads, validates and restores a saved strategy file. */
export function readSavedStrategy(file: string): { saved: SavedStrategy; fitted: FittedStrategy } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError([{ file, message: `cannot read saved strategy: ${(e as Error).message}` }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InputError([{ file, message: `not valid JSON: ${(e as Error).message}` }]);
  }
  return loadSavedStrategy(file, raw);
}
