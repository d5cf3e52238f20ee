import { InputError, type InputIssue, zodIssues } from '../task/errors.js';
import { readTextFileSync } from '../task/safe-read.js';
import { TASK_KINDS } from '../task/schema.js';
import { writeFileAtomic } from '../task/safe-write.js';
import { getStrategy } from './registry.js';
import {
  type FittedStrategy,
  SAVED_STRATEGY_FORMAT,
  SAVED_STRATEGY_VERSION,
  type SavedStrategy,
  SavedStrategySchema,
  SavedStrategyV1Schema,
  StrategyError,
} from './strategy.js';
import { StrategyStateError } from './strategy-state.js';

/** What a saved document says of its kind: `kind` and that kind's own fields (QA's answer type), as the schema has them per kind. */
export type SavedKindFields<S = SavedStrategy> = S extends SavedStrategy ? Omit<S, SavedCommonField | 'labels'> : never;

/** The fields every saved strategy has whatever its kind (toSavedStrategy fills them). */
type SavedCommonField = 'format' | 'version' | 'strategy' | 'task' | 'models' | 'createdAt' | 'state';

export interface SaveMeta {
  /** Registered strategy name (`getStrategy` restores it). */
  strategy: string;
  task: string;
  /** The task kind and its own fields (QA's answer type), written as they are; classification (the one kind of version 1) by default. */
  kind?: Exclude<SavedKindFields, { kind: typeof TASK_KINDS.rating }>;
  /** The labels (classification, multiple-choice letters); empty where candidates differ per item. */
  labels: readonly string[];
  models: readonly string[];
  createdAt?: string;
}

/** The versioned document `fusion fit --out` writes. */
export function toSavedStrategy(fitted: FittedStrategy, meta: SaveMeta): SavedStrategy {
  const common = {
    format: SAVED_STRATEGY_FORMAT as typeof SAVED_STRATEGY_FORMAT,
    version: SAVED_STRATEGY_VERSION as typeof SAVED_STRATEGY_VERSION,
    strategy: meta.strategy,
    task: meta.task,
    labels: [...meta.labels],
    models: [...meta.models],
    createdAt: meta.createdAt ?? new Date().toISOString(),
    state: fitted.state(),
  };
  return { ...common, ...(meta.kind ?? { kind: TASK_KINDS.classification }) };
}

/** QA strategies saved by llm-fusion 0.1 used their own format, retired with the QA strategy family. */
const RETIRED_QA_FORMAT = 'llm-fusion/qa-strategy';

export function writeSavedStrategy(file: string, saved: SavedStrategy): void {
  writeFileAtomic(file, `${JSON.stringify(saved)}\n`);
}

/**
 * Validates a parsed saved document's envelope, of any task kind (format, version, kind and the
 * kind's own fields; a version 1 file is read as classification). The strategy's state is left to
 * its kind's restore. Every problem is an InputError naming `file` and the offending field.
 */
export function parseSavedStrategy(file: string, raw: unknown): SavedStrategy {
  const r = raw as { format?: unknown; version?: unknown } | null;
  if (r && typeof r === 'object' && (r.format === RETIRED_QA_FORMAT || (r.format === undefined && 'models' in r && 'strategy' in r && !('labels' in r)))) {
    throw new InputError([
      {
        file,
        field: 'format',
        message: `saved by llm-fusion 0.1 as a QA strategy (format ${RETIRED_QA_FORMAT}, version ${String(r.version ?? 1)}); QA now shares the one strategy core and format version ${SAVED_STRATEGY_VERSION}: fit it again (fusion fit <qa-folder> --strategy NAME --out FILE)`,
      },
    ]);
  }
  let candidate: unknown = raw;
  if (r && typeof r === 'object' && r.format === SAVED_STRATEGY_FORMAT && r.version === 1) {
    // Version 1 was classification only: read it as version 2 of that kind.
    const v1 = SavedStrategyV1Schema.safeParse(raw);
    if (!v1.success) throw new InputError(zodIssues(file, undefined, v1.error));
    candidate = { ...v1.data, version: SAVED_STRATEGY_VERSION, kind: TASK_KINDS.classification };
  }
  const parsed = SavedStrategySchema.safeParse(candidate);
  if (!parsed.success) {
    const hint: InputIssue[] =
      r && typeof r === 'object' && r.format === SAVED_STRATEGY_FORMAT && r.version !== SAVED_STRATEGY_VERSION && r.version !== 1
        ? [{ file, field: 'version', message: `saved with format version ${String(r.version)}; this build reads versions 1 and ${SAVED_STRATEGY_VERSION}` }]
        : [];
    throw new InputError(hint.length > 0 ? hint : zodIssues(file, undefined, parsed.error));
  }
  return parsed.data;
}

/**
 * Restores a saved document of a categorical kind (classification, QA) with the one label registry
 * (src/fuse/registry.ts). The callers that take a document of any kind (src/kinds/saved-file.ts) have
 * its kind's plug-in call this; a rating document is its own plug-in's to restore.
 */
export function restoreLabelStrategy(file: string, saved: SavedStrategy): FittedStrategy {
  let strategy;
  try {
    strategy = getStrategy(saved.strategy);
  } catch (e) {
    if (e instanceof StrategyError) throw new InputError([{ file, field: 'strategy', message: e.message }]);
    throw e;
  }
  try {
    return strategy.load(saved.state, saved.labels);
  } catch (e) {
    if (e instanceof StrategyStateError) {
      throw new InputError(e.issues.map((i) => ({ file, field: i.field ? `state.${i.field}` : 'state', message: i.message })));
    }
    if (e instanceof StrategyError) throw new InputError([{ file, field: 'state', message: e.message }]);
    throw e;
  }
}

/**
 * Validates a parsed saved strategy of a categorical kind (envelope, then the strategy's own state)
 * and restores it with the label registry. A document of any kind: loadSavedStrategy (src/kinds/saved-file.ts).
 */
export function loadLabelStrategy(file: string, raw: unknown): { saved: SavedStrategy; fitted: FittedStrategy } {
  const saved = parseSavedStrategy(file, raw);
  return { saved, fitted: restoreLabelStrategy(file, saved) };
}

/** Reads a saved strategy file and validates its envelope (any kind); the state is its kind's to restore. */
export function readSavedDocument(file: string): SavedStrategy {
  // The one safe reader: a regular file only (a FIFO or /dev/zero is refused at once), size-capped.
  const text = readTextFileSync(file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InputError([{ file, message: `not valid JSON: ${(e as Error).message}` }]);
  }
  return parseSavedStrategy(file, raw);
}

/** Reads, validates and restores a saved strategy file of a categorical kind (the label registry's). */
export function readLabelStrategy(file: string): { saved: SavedStrategy; fitted: FittedStrategy } {
  const saved = readSavedDocument(file);
  return { saved, fitted: restoreLabelStrategy(file, saved) };
}
