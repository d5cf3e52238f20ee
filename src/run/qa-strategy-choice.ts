import { existsSync, readFileSync } from 'node:fs';
import { StrategyError } from '../fuse/strategy.js';
import { loadQaStrategy, parseSavedQaStrategy, type SavedQaStrategy } from '../qa/fit-qa.js';
import { type QaBatchStrategy, type QaFusedAnswer, type QaQuestionInput, fuseQaWith } from '../qa/fuse-question.js';
import { QA_STRATEGIES, qaStrategy } from '../qa/fusion/registry.js';
import { QaStateError, type QaStrategy } from '../qa/types.js';
import { InputError } from '../task/errors.js';
import type { QaTask } from '../task/schema.js';
import { DEFAULT_BATCH_SIZE } from './strategy-choice.js';

/**
 * How a stream of questions is fused: item by item (a vote, the most central answer, a saved
 * strategy), or, for an unsupervised strategy that learns reliabilities from the answers themselves
 * (Dawid-Skene), refitted on each batch of `batchSize` consecutive questions.
 */
export interface QaStreamFuser {
  readonly name: string;
  /** Questions fused together; 1 means question by question. */
  readonly batchSize: number;
  /** Models a saved strategy was fitted on (the default `--models`). */
  readonly models?: readonly string[];
  /** One fused answer per input, in order. Pure. */
  fuse(inputs: readonly QaQuestionInput[]): QaFusedAnswer[];
}

/** Built-in QA strategies that need nothing but the question's own answers. */
const PER_ITEM = new Set(['majority-vote', 'central']);
/** Built-in QA strategies fitted without labels on each batch. */
const PER_BATCH = new Set(['dawid-skene']);

/** The default: plurality over answer clusters; for free-form answers the most central answer (sentence answers rarely coincide exactly). */
export function defaultQaStrategyName(task: Pick<QaTask, 'answerType'>): string {
  return task.answerType === 'free-form' ? 'central' : 'majority-vote';
}

function perQuestion(name: string, choose: QaBatchStrategy, models?: readonly string[]): QaStreamFuser {
  return { name, batchSize: 1, ...(models ? { models } : {}), fuse: (inputs) => fuseQaWith(inputs, choose) };
}

/** A saved QA strategy (already validated) as a stream fuser: restored by model name on each question. */
export function savedQaFuser(saved: SavedQaStrategy): QaStreamFuser {
  return perQuestion(saved.strategy, (_items, models) => loadQaStrategy(saved, models), saved.models);
}

/**
 * Reads a `fusion fit` file written for a QA task (parseSavedQaStrategy) and restores it once, so a
 * state that does not fit its strategy fails here, naming the file, before any paid call.
 */
export function loadSavedQaFuser(file: string): QaStreamFuser {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError([{ file, message: e instanceof SyntaxError ? `invalid JSON (${e.message})` : `cannot read: ${(e as Error).message}` }]);
  }
  if (raw && typeof raw === 'object' && 'format' in raw && raw.format === 'llm-fusion/strategy') {
    throw new InputError([{ file, field: 'format', message: 'this strategy was fitted on a classification task; fit one on a QA folder (fusion fit <qa-folder> ...)' }]);
  }
  const saved = parseSavedQaStrategy(raw, file);
  try {
    loadQaStrategy(saved);
  } catch (e) {
    if (e instanceof QaStateError) throw new InputError([{ file, field: 'state', message: e.message }]);
    throw e;
  }
  return savedQaFuser(saved);
}

/**
 * `--strategy` for a QA task: a saved strategy file (a path, or any value ending in .json), or a
 * built-in unsupervised strategy: majority-vote and central question by question, dawid-skene
 * refitted on each batch. Supervised strategies learn from judged answers and must be fitted first.
 */
export function chooseQaStrategy(arg: string | undefined, task: Pick<QaTask, 'answerType'>, batchSize = DEFAULT_BATCH_SIZE): QaStreamFuser {
  const value = arg ?? defaultQaStrategyName(task);
  if (value.endsWith('.json') || existsSync(value)) return loadSavedQaFuser(value);
  const strategy: QaStrategy | undefined = qaStrategy(value);
  if (!strategy || (!strategy.supervised && !PER_ITEM.has(value) && !PER_BATCH.has(value))) {
    throw new StrategyError(
      `unknown QA strategy "${value}" (built-in: ${[...PER_ITEM, ...PER_BATCH].join(', ')}; fitted first with fusion fit: ${QA_STRATEGIES.filter((s) => s.supervised).map((s) => s.name).join(', ')})`,
    );
  }
  if (strategy.supervised) {
    throw new StrategyError(`${value} learns from judged answers: fit it on a labelled QA folder first (fusion fit <folder> --strategy ${value} --out strategy.json) and pass --strategy strategy.json`);
  }
  if (PER_ITEM.has(value)) return perQuestion(value, (_items, models) => strategy.load({}, models));
  return {
    name: value,
    batchSize: Math.max(1, batchSize),
    fuse: (inputs) => fuseQaWith(inputs, (items, models) => strategy.fit(items, [], { seed: 1, models })),
  };
}
