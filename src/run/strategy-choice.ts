import { existsSync } from 'node:fs';
import type { AnswerMatrix } from '../fuse/answer-matrix.js';
import { withMinConfidence } from '../fuse/min-confidence.js';
import { getStrategy } from '../fuse/registry.js';
import { readSavedStrategy } from '../fuse/saved-strategy.js';
import { type FittedAdaptive, isAdaptive } from '../fuse/adaptive/adaptive-strategy.js';
import { type FittedStrategy, StrategyError } from '../fuse/strategy.js';
import type { StreamPrediction } from './fuse-items.js';
import { InputError } from '../task/errors.js';
import type { ClassificationTask } from '../task/schema.js';

/**
 * How a stream of items is fused. Strategies without state fuse item by item; an unsupervised
 * strategy that learns from the answers themselves (Dawid-Skene) needs many items at once, so it
 * is refitted on each batch of `batchSize` consecutive items: output still comes one line per
 * input line, in order, a batch later.
 */
export interface StreamFuser {
  readonly name: string;
  /** Items fused together; 1 means item by item. */
  readonly batchSize: number;
  /** Models a saved strategy was fitted on (the default `--models`). */
  readonly models?: readonly string[];
  /** A saved adaptive policy: the run asks only the models it asks for. */
  readonly policy?: FittedAdaptive;
  fuse(answers: AnswerMatrix): StreamPrediction;
}

export const DEFAULT_BATCH_SIZE = 256;

/** Built-in strategies that need nothing but the item's own answers. */
const PER_ITEM = new Set(['majority-vote', 'soft-vote', 'soft-vote-log']);

function fromFitted(name: string, fitted: FittedStrategy, models?: readonly string[]): StreamFuser {
  if (isAdaptive(fitted)) {
    const fuse = (answers: AnswerMatrix): StreamPrediction => {
      const r = fitted.replay(answers);
      return { ...r.prediction, calls: r.calls, reasons: r.reasons };
    };
    return { name, batchSize: 1, ...(models ? { models } : {}), policy: fitted, fuse };
  }
  return { name, batchSize: 1, ...(models ? { models } : {}), fuse: (answers) => fitted.predict(answers) };
}

/** The same fuser never asking more than `maxCalls` models per item: an adaptive policy stops there, any other strategy asks the first `maxCalls` models. */
export function capCalls(fuser: StreamFuser, maxCalls: number): StreamFuser {
  if (!fuser.policy) return fuser;
  const policy = fuser.policy.withMaxCalls(maxCalls);
  return fromFitted(fuser.name, policy, fuser.models);
}

/** Reads a `fusion fit --out` file (validated by the fuse module) and checks its labels against the task. */
export function loadSavedFuser(file: string, task: ClassificationTask): StreamFuser {
  const { saved, fitted } = readSavedStrategy(file);
  const labels = task.labels.map((l) => l.name);
  if (saved.labels.length !== labels.length || saved.labels.some((l, k) => l !== labels[k])) {
    throw new InputError([
      { file, field: 'labels', message: `the strategy was fitted on labels [${saved.labels.join(', ')}] but the task has [${labels.join(', ')}]` },
    ]);
  }
  return fromFitted(saved.strategy, fitted, saved.models);
}

/**
 * `--strategy` as given: a saved strategy file (a path, or any value ending in .json), or the name
 * of a built-in unsupervised strategy. Supervised strategies need gold labels and must be fitted
 * first (`fusion fit`), then passed as a file.
 */
export function chooseStrategy(arg: string | undefined, task: ClassificationTask, batchSize = DEFAULT_BATCH_SIZE, minConfidence?: number, maxCalls?: number): StreamFuser {
  const chosen = chooseFuser(arg, task, batchSize);
  const fuser = maxCalls === undefined ? chosen : capCalls(chosen, maxCalls);
  if (minConfidence === undefined) return fuser;
  const K = task.labels.length;
  return { ...fuser, fuse: (answers) => withMinConfidence(fuser.fuse(answers), K, minConfidence) };
}

function chooseFuser(arg: string | undefined, task: ClassificationTask, batchSize: number): StreamFuser {
  const value = arg ?? 'majority-vote';
  if (value.endsWith('.json') || existsSync(value)) return loadSavedFuser(value, task);
  const strategy = getStrategy(value);
  if (strategy.supervised) {
    throw new StrategyError(`${value} learns from gold labels: fit it on a labelled set first (fusion fit ... --out strategy.json) and pass --strategy strategy.json`);
  }
  if (PER_ITEM.has(value)) {
    return fromFitted(value, strategy.fit(emptyAnswers(task), new Int32Array(0), { seed: 1 }));
  }
  return {
    name: value,
    batchSize: Math.max(1, batchSize),
    fuse(answers) {
      return strategy.fit(answers, new Int32Array(answers.itemIds.length).fill(-1), { seed: 1 }).predict(answers);
    },
  };
}

function emptyAnswers(task: ClassificationTask): AnswerMatrix {
  return { labels: task.labels.map((l) => l.name), models: [], itemIds: [], probs: new Float64Array(0), present: new Uint8Array(0) };
}
