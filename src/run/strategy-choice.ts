import { existsSync } from 'node:fs';
import type { AnswerMatrix } from '../fuse/answer-matrix.js';
import { withMinConfidence } from '../fuse/min-confidence.js';
import { defaultStrategyName as defaultStrategyFor, getStrategy } from '../fuse/registry.js';
import { readSavedStrategy } from '../fuse/saved-strategy.js';
import { isAdaptive } from '../fuse/adaptive/adaptive-strategy.js';
import { type FittedStrategy, type FusionStrategy, type SavedStrategy, StrategyError } from '../fuse/strategy.js';
import { InputError } from '../task/errors.js';
import type { ClassificationTask, QaTask } from '../task/schema.js';

export type { StreamDecision, StreamFuser, StreamPrediction } from '../fuse/stream-fuser.js';
import type { StreamDecision, StreamFuser, StreamPrediction } from '../fuse/stream-fuser.js';

export const DEFAULT_BATCH_SIZE = 256;

/** Built-in strategies that need nothing but the item's own answers. */
const PER_ITEM = new Set(['majority-vote', 'soft-vote', 'soft-vote-log', 'central']);

function decision(name: string, fitted: FittedStrategy, answers: AnswerMatrix): StreamDecision {
  const trust = fitted.modelTrust?.();
  let prediction: StreamPrediction;
  if (isAdaptive(fitted)) {
    const r = fitted.replay(answers);
    prediction = { ...r.prediction, calls: r.calls, reasons: r.reasons };
  } else prediction = fitted.predict(answers);
  return { strategy: name, prediction, ...(trust ? { trust } : {}) };
}

function fromDecide(name: string, batchSize: number, decide: (answers: AnswerMatrix) => StreamDecision, models?: readonly string[]): StreamFuser {
  return { name, batchSize, ...(models ? { models } : {}), decide, fuse: (answers) => decide(answers).prediction };
}

function fromFitted(name: string, fitted: FittedStrategy, models?: readonly string[]): StreamFuser {
  const fuser = fromDecide(name, 1, (answers) => decision(name, fitted, answers), models);
  return isAdaptive(fitted) ? { ...fuser, policy: fitted } : fuser;
}

/** The same fuser never asking more than `maxCalls` models per item: an adaptive policy stops there (any other strategy is capped by asking only the first `maxCalls` models). */
export function capCalls(fuser: StreamFuser, maxCalls: number): StreamFuser {
  if (!fuser.policy) return fuser;
  return fromFitted(fuser.name, fuser.policy.withMaxCalls(maxCalls), fuser.models);
}

/** The same fuser abstaining ("no-consensus") where the fused winner's probability is below `minConfidence`. */
function withConfidenceFloor(fuser: StreamFuser, minConfidence: number): StreamFuser {
  const decide = (answers: AnswerMatrix): StreamDecision => {
    const d = fuser.decide(answers);
    return { ...d, prediction: withMinConfidence(d.prediction, answers.labels.length, minConfidence) };
  };
  return { ...fuser, decide, fuse: (answers) => decide(answers).prediction };
}

type RunTask = ClassificationTask | Pick<QaTask, 'kind' | 'answerType'>;

/** Whether the task's answers form a fixed label set (classification, multiple-choice QA). */
function sharesLabels(task: RunTask): boolean {
  return task.kind === 'classification' || task.answerType === 'multiple-choice';
}

/** Reads a `fusion fit --out` file (validated by the fuse module) and checks it against the task. */
export function loadSavedFuser(file: string, task: RunTask): StreamFuser {
  const { saved, fitted } = readSavedStrategy(file);
  if (saved.kind !== task.kind) {
    throw new InputError([{ file, field: 'kind', message: `this strategy was fitted on a ${saved.kind === 'qa' ? 'QA' : 'classification'} task; the task of this run is ${task.kind === 'qa' ? 'QA' : 'classification'}: fit one on a matching folder (fusion fit <folder> ...)` }]);
  }
  if (task.kind === 'classification') {
    const labels = task.labels.map((l) => l.name);
    if (saved.labels.length !== labels.length || saved.labels.some((l, k) => l !== labels[k])) {
      throw new InputError([
        { file, field: 'labels', message: `the strategy was fitted on labels [${saved.labels.join(', ')}] but the task has [${labels.join(', ')}]` },
      ]);
    }
  } else if (saved.kind === 'qa' && (saved.answerType === 'multiple-choice') !== (task.answerType === 'multiple-choice')) {
    throw new InputError([{ file, field: 'answerType', message: `the strategy was fitted on ${saved.answerType} answers but the task's are ${task.answerType}` }]);
  }
  return fromFitted(saved.strategy, fitted, saved.models);
}

/** A saved strategy (already validated, e.g. from `fusion fit`) as a stream fuser. */
export function savedFuser(saved: SavedStrategy): StreamFuser {
  return fromFitted(saved.strategy, getStrategy(saved.strategy).load(saved.state, saved.labels), saved.models);
}

/** The default strategy of `fusion run`: the library's one default rule (registry defaultStrategyName). */
export function defaultStrategyName(task: RunTask): string {
  return defaultStrategyFor(task.kind === 'qa' && task.answerType === 'free-form');
}

/**
 * `--strategy` as given, for either task kind: a saved strategy file (a path, or any value ending in
 * .json), or the name of a built-in unsupervised strategy. Supervised strategies learn from labels
 * and must be fitted first (`fusion fit`), then passed as a file; strategies that need a fixed label
 * set are refused on free-form and numeric QA.
 */
export function chooseStrategy(
  arg: string | undefined,
  task: RunTask,
  batchSize = DEFAULT_BATCH_SIZE,
  limits: { minConfidence?: number; maxCalls?: number } = {},
): StreamFuser {
  const chosen = chooseFuser(arg, task, batchSize);
  const capped = limits.maxCalls === undefined ? chosen : capCalls(chosen, limits.maxCalls);
  return limits.minConfidence === undefined ? capped : withConfidenceFloor(capped, limits.minConfidence);
}

function chooseFuser(arg: string | undefined, task: RunTask, batchSize: number): StreamFuser {
  const value = arg ?? defaultStrategyName(task);
  if (value.endsWith('.json') || existsSync(value)) return loadSavedFuser(value, task);
  const strategy: FusionStrategy = getStrategy(value);
  if (strategy.supervised) {
    throw new StrategyError(`${value} learns from labels: fit it on a labelled folder first (fusion fit <folder> --strategy ${value} --out strategy.json) and pass --strategy strategy.json`);
  }
  if (strategy.needsSharedLabels === true && !sharesLabels(task)) {
    throw new StrategyError(`${value} needs a fixed label set (classification or multiple-choice QA): it learns parameters per label, but ${task.kind === 'qa' ? task.answerType : ''} answers differ per question`);
  }
  if (PER_ITEM.has(value)) {
    const fitted = strategy.fit(emptyAnswers(), new Int32Array(0), { seed: 1 });
    return fromFitted(value, fitted);
  }
  return fromDecide(value, Math.max(1, batchSize), (answers) =>
    decision(value, strategy.fit(answers, new Int32Array(answers.itemIds.length).fill(-1), { seed: 1 }), answers),
  );
}

function emptyAnswers(): AnswerMatrix {
  return { labels: [], models: [], itemIds: [], probs: new Float64Array(0), present: new Uint8Array(0) };
}
