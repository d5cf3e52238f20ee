import type { AnswerMatrix } from '../fuse/answer-matrix.js';
import { createAdaptive, adaptiveStrategy, isAdaptive } from '../fuse/adaptive/adaptive-strategy.js';
import { getStrategy, STRATEGIES } from '../fuse/registry.js';
import { readSavedDocument, restoreLabelStrategy } from '../fuse/saved-strategy.js';
import { type FittedStrategy, type FusionStrategy, type SavedStrategy, StrategyError } from '../fuse/strategy.js';
import type { StreamDecision, StreamFuser, StreamPrediction } from '../fuse/stream-fuser.js';
import { InputError } from '../task/errors.js';
import type { AdaptiveTargets } from './task-kind.js';

/**
 * What the kinds whose answers are categorical (a distribution over a label set or over each item's
 * answer clusters: classification, QA) share: the one strategy registry (src/fuse/registry.ts), its
 * fusers for a run, and the adaptive policy configured for a target. Written once here, used by
 * each such kind's plug-in.
 */

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

export function fromDecide(name: string, batchSize: number, decide: (answers: AnswerMatrix) => StreamDecision, models?: readonly string[]): StreamFuser {
  return { name, batchSize, ...(models ? { models } : {}), decide, fuse: (answers) => decide(answers).prediction };
}

/** A fitted strategy as a run's fuser; an adaptive policy (it declares that it asks) becomes the run's policy. */
export function fromFitted(name: string, fitted: FittedStrategy, models?: readonly string[]): StreamFuser {
  const fuser = fromDecide(name, 1, (answers) => decision(name, fitted, answers), models);
  return isAdaptive(fitted) ? { ...fuser, policy: fitted, capped: (maxCalls) => fromFitted(name, fitted.withMaxCalls(maxCalls), models) } : fuser;
}

/** A saved categorical strategy (already validated) as a stream fuser. */
export function savedFuser(saved: SavedStrategy): StreamFuser {
  return fromFitted(saved.strategy, getStrategy(saved.strategy).load(saved.state, saved.labels), saved.models);
}

/**
 * A `fusion fit --out` file of a categorical kind as a fuser, after `check` (the kind's own checks
 * of the saved document against the task: kind, labels, answer type).
 */
export function loadCategoricalFuser(file: string, check: (saved: SavedStrategy) => void): StreamFuser {
  const saved = readSavedDocument(file);
  check(saved);
  return fromFitted(saved.strategy, restoreLabelStrategy(file, saved), saved.models);
}

/** The refusal of a saved strategy fitted on another kind of task (`savedKind`, as the file says it). */
export function wrongKind(file: string, savedKind: string, taskTitle: string): InputError {
  return new InputError([{ file, field: 'kind', message: `this strategy was fitted on a ${savedKind} task; the task of this run is ${taskTitle}: fit one on a matching folder (fusion fit <folder> ...)` }]);
}

/** A saved document of the categorical kind `kind` restored with the label registry; another kind's is refused. */
export function restoreCategorical(saved: SavedStrategy, file: string, kind: string, title: string): FittedStrategy {
  if (saved.kind !== kind) throw wrongKind(file, saved.kind, title);
  return restoreLabelStrategy(file, saved);
}

/**
 * Why the built-in strategy `name` cannot run on a task whose answers lack a fixed label set
 * (`sharesLabels` false; `what`: those answers, for the message) or an order (`ordered` false); null
 * when it can. One rule for a run's --strategy and for the names `fusion eval` checks before any call.
 */
export function categoricalRefusal(name: string, sharesLabels: boolean, what: string, ordered: boolean): string | null {
  const strategy = getStrategy(name);
  if (strategy.needsSharedLabels === true && !sharesLabels) return `${name} needs a fixed label set (classification or multiple-choice QA): it learns parameters per label, but ${what} answers differ per question`;
  if (strategy.needsOrderedLabels === true && !ordered) return `${name} needs an ordered task ("ordered": true in task.json, labels listed from low to high); this task's labels have no order`;
  return null;
}

/**
 * A built-in strategy by name as a run's fuser. Supervised strategies learn from labels and must be
 * fitted first (`fusion fit`), then passed as a file; `sharesLabels` false refuses the strategies
 * that need a fixed label set (`what`: the answers that lack one, for the message), `ordered` false
 * those that use the labels' order. Refused here, before the run asks any model, not at fusion time.
 */
export function namedCategoricalFuser(value: string, batchSize: number, sharesLabels: boolean, what: string, ordered: boolean): StreamFuser {
  const strategy: FusionStrategy = getStrategy(value);
  if (strategy.supervised) {
    throw new StrategyError(`${value} learns from labels: fit it on a labelled folder first (fusion fit <folder> --strategy ${value} --out strategy.json) and pass --strategy strategy.json`);
  }
  const refused = categoricalRefusal(value, sharesLabels, what, ordered);
  if (refused !== null) throw new StrategyError(refused);
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

/**
 * The strategy `fusion fit` fits: the named one, or, with a target, the adaptive policy configured
 * for it (the target is refused on any other strategy rather than silently ignored). `pricePerCall`
 * by model name, for a cost target.
 */
export function categoricalStrategyToFit(name: string, targets: AdaptiveTargets | undefined, pricePerCall: () => Record<string, number>): FusionStrategy {
  const strategy = getStrategy(name);
  if (targets === undefined) return strategy;
  const { textCheckpoint, ...target } = targets;
  const given = Object.keys(target).length > 0;
  if (strategy.name !== adaptiveStrategy.name) throw new TargetError(given ? '--max-loss, --max-calls and --max-cost are targets of --strategy adaptive' : '--text-checkpoint is an option of --strategy adaptive');
  return createAdaptive({ pricePerCall: pricePerCall(), ...(given ? { target } : {}), ...(textCheckpoint ? { textCheckpoint } : {}) });
}

/** A target given to a strategy that has none: a usage problem. */
export class TargetError extends StrategyError {}

/** The names of the one registry's strategies. */
export const CATEGORICAL_STRATEGY_NAMES: readonly string[] = STRATEGIES.map((s) => s.name);

/**
 * The fewest items a categorical evaluation can score `names` on in `folds` folds: its stratified
 * folds need an item each, and only the strategies that learn from labels are cross-validated.
 */
export function categoricalItemsToScore(folds: number, names: readonly string[]): number {
  return names.some((n) => getStrategy(n).supervised) ? folds : 1;
}

/** The unsupervised strategies that can run on answers with (or without) a fixed label set, (un)ordered. */
export function unsupervisedNames(sharesLabels: boolean, ordered: boolean): string[] {
  return STRATEGIES.filter((s) => !s.supervised && (sharesLabels || s.needsSharedLabels !== true) && (ordered || s.needsOrderedLabels !== true)).map((s) => s.name);
}
