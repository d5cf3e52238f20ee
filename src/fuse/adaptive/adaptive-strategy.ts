import { selectGold } from '../../validation/folds.js';
import { decisions } from '../../validation/metrics.js';
import { type AnswerMatrix, argmax as top, collapseSamples, expandSamples, hasSharedLabels, selectItems, selectModels, selectRows, sharedBySamples } from '../answer-matrix.js';
import { autoStrategy } from '../auto.js';
import { innerCvRows, innerFolds, innerScore, outOfFold } from '../inner-cv.js';
import { createStacking, stackingStrategy } from '../stacking.js';
import { createStackingText, stackingTextStrategy } from '../stacking-text.js';
import { textOnlyStrategy } from '../text-only.js';
import { predictionRows, requireLabelledRows, StrategyError, type FittedStrategy, type FusedPrediction, type FusionStrategy, type ModelContribution } from '../strategy.js';
import { parseState, requireLength, StrategyStateError } from '../strategy-state.js';
import { hardVotes } from '../votes.js';
import { logOddsWeight, shrunkAccuracies, voteContributions, weightedVote, weightedVoteStrategy } from '../weighted-vote.js';
import { innerOutOfFoldOf } from '../inner-out-of-fold.js';
import { fitFrom, startsWarm } from '../warm-start.js';
import { type AdaptiveState, AdaptiveStateSchema } from './adaptive-state.js';
import { askedView, fromView, viewGold } from './asked-view.js';
import { defaultCheckpoints } from './checkpoints.js';
import { budgetOnly, chooseOperatingPoint, type CurvePoint, DEFAULT_LOSS_ESTIMATE, DEFAULT_TARGET, DEFAULT_UNSEEN, type LossEstimate, openingTarget, type Target, type UnseenDisagreement } from './operating-point.js';
import { givenOrder, learnOrder } from './order.js';
import { blankColumns, neverReadColumns, policyColumns, skippedCalls } from './unread-columns.js';
import { type ReplayPlan, type ReplayResult, replayPolicy } from './replay.js';
import { type AgreementModelKind, agreementProbability, stepFeatures, type StopTarget } from './agreement.js';
import { agreementSteps, crossFittedAgreement, fitSteps, measureCurve, openingSteps, stopsNoneAtZero } from './training-curve.js';
import { ruleGrid, ruleSetting, type StopReason, type StopRule, type StopRuleKind } from './stop-rule.js';
import { gridResolution } from './refine-grid.js';
import { expectedTruth, lossMetricOf } from './loss-bound.js';

const NAME = 'adaptive';

export interface AdaptiveOptions {
  /** Strategy name in the registry and saved files (default `adaptive`). */
  name?: string;
  /**
   * The stopping rule; its parameter is chosen on training folds for `target` (default `agreement`).
   * A rule with its parameter (e.g. `{ kind: 'settled', slack: 1 }`) is used as given.
   */
  rule?: StopRuleKind | StopRule;
  /** Default: at most half a point below the full strategy in the figure the task kind is scored by (FitOptions.metric), as few calls as possible. */
  target?: Target;
  /** The strategy that decides once every model was asked, and the reference of `maxLoss` (default `auto`). */
  final?: FusionStrategy;
  /**
   * The cascade's fusion of the models asked so far, fitted once per checkpoint; with several, the
   * best by inner cross-validation at each checkpoint (default: stacking on the answers, and on the
   * answers and the item's text, one setting each).
   */
  prefix?: FusionStrategy | readonly FusionStrategy[];
  /**
   * Asking order given by the user (model names). Otherwise learned on the training items: against
   * the final strategy's inner out-of-fold decisions when there is one (the rule stops on agreement
   * with it), against the labels for the vote-based rules.
   */
  order?: readonly string[];
  /** USD per call by model name: orders by gain per dollar and prices the curve. */
  pricePerCall?: Readonly<Record<string, number>>;
  /** Never ask more than this many models per item. */
  maxCalls?: number;
  /**
   * Standard errors of the training-fold loss (a paired bootstrap over the training rows) added
   * before it is held to `maxLoss` (default DEFAULT_CAUTION): a margin for a user who wants the
   * bound to hold, per data set, under most draws of the items rather than on average.
   */
  caution?: number;
  /** What the training-fold loss is scored against (default DEFAULT_LOSS_ESTIMATE): see `LossEstimate`. */
  lossEstimate?: LossEstimate;
  /**
   * Whether the bound counts disagreements the training rows did not show, one per stage that stops
   * before the full strategy: the checkpoints from the first call on, and checkpoint 0's stops their
   * own (default DEFAULT_UNSEEN): see `UnseenDisagreement` and `measureCurve`. With `none`,
   * checkpoint 0's stops get none either.
   */
  unseen?: UnseenDisagreement;
  /** What the `agreement` rule's model predicts (default DEFAULT_STOP_TARGET): see `StopTarget`. */
  stopTarget?: StopTarget;
  /** How the `agreement` rule's model reads a step (default DEFAULT_AGREEMENT_MODEL): see `AgreementModelKind`. */
  agreementModel?: AgreementModelKind;
  /**
   * What the prefix fusions are fitted to (default DEFAULT_PREFIX_TARGET): `labels`, the gold
   * labels; `final`, the final strategy's inner out-of-fold decisions on the training items, i.e.
   * the decision the rule stops on agreeing with (a less noisy target than gold, and the one the
   * loss against the final strategy is counted on). Without a final strategy, always the labels.
   */
  prefixTarget?: PrefixTarget;
  /**
   * Whether the rule's grid of settings is refined where two neighbours' training-fold calls are
   * far apart (default true; see `refineGrid`). False: the fixed grid of `ruleGrid` only.
   */
  refineGrid?: boolean;
  /**
   * With more than 16 models, the factor between checkpoints after the first 8 (default 2: 16, 32,
   * 64, ...; see `defaultCheckpoints`). Smaller asks in smaller waves at the price of more prefix fits.
   */
  checkpointGrowth?: number;
  /**
   * A checkpoint 0 before the first call (default DEFAULT_TEXT_CHECKPOINT): where the answers share one label set
   * and the items have texts, a classifier of the text alone (`text-only`) is fitted like the
   * prefixes (out-of-fold on the same inner folds), with its own agreement model, and its
   * threshold is chosen on the training folds given the policy's setting, by that setting's bound
   * plus what its own stops add to it, one pseudo-disagreement of their own included (see
   * `measureCurve`): an item it stops is decided from its text with no call. Where the words
   * foretell nothing the bound refuses every threshold and the policy is the one without it.
   */
  textCheckpoint?: boolean;
}

/**
 * Checkpoint 0 is an option, not the default: held to a bound of its own (see `measureCurve`) it
 * decides no new item from texts that foretell nothing, but in the room the policy's setting
 * leaves under the target it saves few calls, and each fit adds a text classifier per inner
 * fold (BENCHMARKS.md, "Checkpoint 0 pays for its own stops").
 */
export const DEFAULT_TEXT_CHECKPOINT = false;

export type PrefixTarget = 'labels' | 'final';
export const DEFAULT_PREFIX_TARGET: PrefixTarget = 'labels';

export type { StopTarget } from './agreement.js';
export const DEFAULT_STOP_TARGET: StopTarget = 'agreement';

/**
 * One standard error of the label-scored loss: a one-sided bound that the true loss stays under
 * about five times in six, the usual one-standard-error margin of a choice made by
 * cross-validation; a convention, not a value fitted to any data set. Without it (or with the
 * lower-variance `expected` estimate in its place) the cheapest setting whose noisy training loss
 * looks within the target is too often one whose loss on new items is not: see
 * test/fuse/adaptive/operating-point-worlds.test.ts and the adaptive sections of BENCHMARKS.md.
 */
export const DEFAULT_CAUTION = 1;

export const DEFAULT_PREFIX: readonly FusionStrategy[] = [
  createStacking({ configs: [{ C: 1, classWeighting: 'none' }] }),
  createStackingText({ configs: [{ C: 0.5, classWeighting: 'none' }] }),
];

/** Strategies a saved policy's prefix and final fits are restored with. */
const RESTORE = new Map<string, FusionStrategy>([autoStrategy, stackingStrategy, stackingTextStrategy, weightedVoteStrategy, textOnlyStrategy].map((s) => [s.name, s]));

/** A fitted adaptive policy: predicts by replaying the answers it is given, asking only what it needs. */
export interface FittedAdaptive extends FittedStrategy {
  /** It declares that it asks: run, evaluation and reports read this rather than probing the object. */
  readonly capabilities: { readonly asks: true };
  /** The replay behind `predict`: which models were asked on each item and why asking stopped. */
  replay(answers: AnswerMatrix): ReplayResult;
  /** The policy's asking order as model names. */
  readonly order: readonly string[];
  /** `explain`, with why asking stopped on the item (`text`: decided from its text before any call), from the same replay. */
  explainWhy(answers: AnswerMatrix, item: number): { contributions: ModelContribution[]; reason: StopReason };
  /** The same policy with another stopping rule (e.g. to trace the cost/quality curve on test folds). */
  withRule(rule: StopRule): FittedAdaptive;
  /** The same policy never asking more than `maxCalls` models per item. */
  withMaxCalls(maxCalls: number): FittedAdaptive;
  /** The same policy without its checkpoint 0 (every item asks at least one model): itself when it has none. */
  withoutText(): FittedAdaptive;
  /**
   * Live asking, one item (`one`, a one-item matrix whose models not yet asked are absent): with
   * the first `asked` models of the order asked, how many to have asked after the next wave, or
   * null when the item is done, and why.
   */
  nextWave(one: AnswerMatrix, asked: number): { next: number | null; reason: StopReason };
  /** The asking order as columns of `models`. */
  orderOf(models: readonly string[]): number[];
}

/** Whether a fitted strategy declared that it asks (an adaptive policy). */
export function isAdaptive(f: FittedStrategy): f is FittedAdaptive {
  return f.capabilities?.asks === true;
}

/** A rule is vote-based when its decision is the weighted vote of the answers so far. */
const voteBased = (kind: StopRuleKind) => kind === 'settled' || kind === 'posterior';

function describe(rule: StopRule, finalName: string | null): string {
  return `${rule.kind}(${ruleSetting(rule)}) -> ${finalName ?? weightedVoteStrategy.name}`;
}

/** The replay's agreement scorer of a policy with an agreement model. */
function agreementOf(state: Pick<AdaptiveState, 'agreement'>): Pick<ReplayPlan, 'agreement'> {
  const model = state.agreement;
  return model ? { agreement: (view) => agreementProbability(model, stepFeatures(view)) } : {};
}

interface Parts {
  state: AdaptiveState;
  prefixes: FittedStrategy[];
  final: FittedStrategy | null;
  /** Checkpoint 0's fusion (the text alone), when the state has one. */
  text?: FittedStrategy;
}

/** The replay's checkpoint 0 of a policy that has one. */
function openingOf(state: AdaptiveState, text: FittedStrategy | undefined, answers: AnswerMatrix): Pick<ReplayPlan, 'opening'> {
  const stage = state.text;
  if (!stage || !text) return {};
  return { opening: { fuse: (rows) => text.predict(collapseSamples(selectItems(answers, rows))), agreement: (view) => agreementProbability(stage.agreement, stepFeatures(view)), tau: stage.tau } };
}

function wrap(name: string, parts: Parts): FittedAdaptive {
  const { state } = parts;
  const byName = new Map(state.order.map((m, p) => [m, state.weights[p] as number]));
  const meanWeight = state.weights.reduce((a, b) => a + b, 0) / Math.max(1, state.weights.length);
  // Each sample of a model is one call (a column of its own); fusions that vote once per model see them collapsed.
  // The calls it skips (no readable answer on any training item) are never asked: absent to every stage.
  const columns = (models: readonly string[]) => policyColumns(models, state.order, state.skipped ?? []);
  /** One column per call, the skipped ones blanked, and the policy's columns over them. */
  const seen = (given: AnswerMatrix) => {
    const expanded = expandSamples(given);
    const cols = columns(expanded.models);
    return { cols, answers: blankColumns(expanded, cols.skipped) };
  };
  const replay = (given: AnswerMatrix): ReplayResult => {
    const { cols, answers } = seen(given);
    // Models the policy never saw are asked last, with the mean weight.
    const order = cols.order;
    const M = order.length;
    const weights = answers.models.map((m) => byName.get(m) ?? meanWeight);
    const checkpoints = [...state.checkpoints.filter((t) => t < M), M];
    const fuse = (t: number, rows: readonly number[]): FusedPrediction => {
      const items = selectItems(answers, rows);
      if (voteBased(state.rule.kind)) {
        const prefix = new Set(order.slice(0, t));
        return weightedVote(items, (j) => (prefix.has(j) ? (weights[j] as number) : 0));
      }
      const c = state.checkpoints.indexOf(t);
      const prefix = c >= 0 && t < M ? parts.prefixes[c] : undefined;
      if (prefix) {
        const view = askedView(items, order.slice(0, t));
        return fromView(view, prefix.predict(view.answers));
      }
      if (t === M && parts.final) return parts.final.predict(collapseSamples(items));
      throw new StrategyError(`${name}: no fitted fusion for the first ${t} models`);
    };
    return replayPolicy(answers, { order, checkpoints, weights, rule: state.rule, fuse, ...agreementOf(state), ...openingOf(state, parts.text, answers), ...(state.maxCalls ? { maxCalls: state.maxCalls } : {}) });
  };
  // The stage that decided the item explains it; models it did not ask get no weight.
  const explainWhy = (given: AnswerMatrix, i: number): { contributions: ModelContribution[]; reason: StopReason } => {
    const { cols, answers } = seen(given);
    const one = selectItems(answers, [i]);
    const r = replay(one);
    const t = r.calls[0] as number;
    const reason = r.reasons[0] as StopReason;
    const order = cols.order;
    const M = order.length;
    const asked = order.slice(0, t);
    const K = answers.labels.length;
    const G = given.models.length;
    const own = given.models.map((model, j): ModelContribution => {
      const present = given.present[i * G + j] === 1;
      return { model, answer: present ? (given.labels[top(given.probs, (i * G + j) * K, K)] as string) : null, weight: 0, influence: 0 };
    });
    let contributions: ModelContribution[] = [];
    // Decided from the text before any call: no model contributed.
    if (t === 0) return { contributions: own, reason };
    if (voteBased(state.rule.kind)) contributions = voteContributions(selectModels(one, asked), 0, asked.map((j) => byName.get(answers.models[j] as string) ?? meanWeight));
    else {
      const c = state.checkpoints.indexOf(t);
      const stage = t < M && c >= 0 ? parts.prefixes[c] : parts.final;
      contributions = stage?.explain?.(t < M ? askedView(one, asked).answers : collapseSamples(one), 0) ?? [];
    }
    for (const p of contributions) {
      const o = own.find((x) => x.model === p.model);
      if (o) Object.assign(o, { weight: p.weight, influence: o.influence + p.influence });
    }
    return { contributions: own, reason };
  };
  return {
    name,
    capabilities: { asks: true },
    order: state.order,
    replay,
    explain: (given, i) => explainWhy(given, i).contributions,
    explainWhy,
    // Whose words state a QA answer: the models the final strategy trusts, else the policy's own weights.
    modelTrust: () => {
      const own = parts.final?.modelTrust?.();
      return own && Object.keys(own).length > 0 ? own : Object.fromEntries(state.order.map((m, p) => [m, state.weights[p] as number]));
    },
    predict: (answers) => replay(answers).prediction,
    state: () => state,
    // A cap between two checkpoints has no fusion fitted for it: the policy stops at the checkpoint
    // below (never more calls than the cap, never a decision from a fusion that was not fitted).
    withMaxCalls: (maxCalls) => {
      const wanted = Math.max(1, Math.min(maxCalls, state.maxCalls ?? maxCalls));
      const cap = voteBased(state.rule.kind) ? wanted : Math.max(1, ...state.checkpoints.filter((t) => t <= wanted));
      return wrap(name, { ...parts, state: { ...state, maxCalls: cap } });
    },
    withoutText: () => {
      const { text: _text, ...rest } = state;
      return wrap(name, { state: rest, prefixes: parts.prefixes, final: parts.final });
    },
    orderOf: (models) => columns(models).order,
    nextWave(one, asked) {
      const M = columns(expandSamples(one).models).order.length;
      const cap = Math.min(M, state.maxCalls ?? M);
      // With a checkpoint 0 the item may be decided from its text before the first wave.
      if (asked > 0 || state.text) {
        // The rule sees only what was asked: it stopped at or before `asked` exactly when it stops on these answers there.
        const r = replay(one);
        if ((r.calls[0] as number) <= asked) return { next: null, reason: r.reasons[0] as StopReason };
      }
      if (asked >= cap) return { next: null, reason: cap < M ? 'max-calls' : 'all-asked' };
      const next = [...state.checkpoints.filter((t) => t < M), M].find((t) => t > asked) ?? M;
      return { next: Math.min(next, cap), reason: 'all-asked' };
    },
    withRule: (rule) => {
      if (voteBased(rule.kind) !== voteBased(state.rule.kind)) throw new StrategyError(`${name}: a ${state.rule.kind} policy cannot switch to the ${rule.kind} rule`);
      return wrap(name, { ...parts, state: { ...state, rule, picked: describe(rule, parts.final?.name ?? null) } });
    },
  };
}

/** Decisions made on `rows` of an N-item matrix, as a gold array over all N (-1 elsewhere and where undecided). */
function spreadDecisions(prediction: FusedPrediction, rows: readonly number[], N: number, K: number): Int32Array {
  const own = decisions(prediction.probs, prediction.decided, K);
  const out = new Int32Array(N).fill(-1);
  rows.forEach((i, r) => (out[i] = own[r] as number));
  return out;
}

const sameRows = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, r) => x === b[r]);

/**
 * Adaptive querying as a fitted strategy: an order in which to ask the models and a per-item
 * stopping rule whose parameter is chosen on the training folds for a target, so that most items
 * are decided by the first few models. `predict` replays the answers it is given in that order
 * (an answer counts only once the policy asks for it), which is both the out-of-fold measurement
 * on recorded answers and what `fusion run` does live.
 */
export function createAdaptive(options: AdaptiveOptions = {}): FusionStrategy {
  const name = options.name ?? NAME;
  const kind: StopRuleKind = typeof options.rule === 'object' ? options.rule.kind : (options.rule ?? 'agreement');
  const grid = typeof options.rule === 'object' ? [options.rule] : ruleGrid(kind);
  const target = options.target ?? DEFAULT_TARGET;
  const final = voteBased(kind) ? null : (options.final ?? autoStrategy);
  const prefixCandidates = options.prefix ? [options.prefix].flat() : DEFAULT_PREFIX;
  if (prefixCandidates.length === 0) throw new StrategyError(`${name}: no prefix fusion to fit`);
  return {
    name,
    supervised: true,
    fit(given, gold, fitOptions) {
      const { seed } = fitOptions;
      // Every fit inside the policy is held to the figure the task kind is scored by, as the policy is.
      const scoredIn = fitOptions.metric ? { metric: fitOptions.metric } : {};
      // The policy orders and counts (model, sample) units; the final strategy sees each model once.
      const train = expandSamples(given);
      // Free-form QA: fusions that need one label set for every item drop out of the prefix candidates.
      const prefixFits = prefixCandidates.filter((c) => c.needsSharedLabels !== true || hasSharedLabels(train));
      if (!voteBased(kind) && prefixFits.length === 0) throw new StrategyError(`${name}: no prefix fusion works where candidates differ per item`);
      requireLabelledRows(name, gold);
      const K = train.labels.length;
      const M = train.models.length;
      const prices = train.models.map((m) => options.pricePerCall?.[m] ?? null);
      const { acc } = shrunkAccuracies(hardVotes(train), M, gold);
      const weights = sharedBySamples(acc.map((a) => logOddsWeight(a, K)), train.models);
      // Calls that never gave a readable answer here are never asked (see neverReadColumns): the
      // policy orders, counts and checkpoints the A calls it can make.
      const skip = neverReadColumns(train);
      const askable = skip.length === 0 ? null : train.models.map((_, j) => j).filter((j) => !skip.includes(j));
      const A = askable ? askable.length : M;
      const orderFor = (target: Int32Array): number[] =>
        askable
          ? learnOrder(selectModels(train, askable), target, askable.map((j) => prices[j] ?? null)).map((k) => askable[k] as number)
          : learnOrder(train, target, prices);
      // A call cap is a checkpoint too: the fusion of exactly the models it allows is fitted.
      const cap = options.maxCalls !== undefined ? Math.max(1, Math.min(options.maxCalls, A)) : A;
      const checkpoints = voteBased(kind) ? Array.from({ length: A }, (_, t) => t + 1) : [...new Set([...defaultCheckpoints(A, 8, options.checkpointGrowth ?? 2), cap])].sort((a, b) => a - b);

      const finalFit = final ? final.fit(given, gold, fitOptions) : null;

      // Out-of-fold fused predictions of every prefix on the labelled training rows: the curve's input.
      const rows = innerCvRows(gold, seed);
      const y = Int32Array.from(rows, (i) => gold[i] as number);
      const sub = selectItems(train, rows);
      const oof = new Map<number, FusedPrediction>();
      const pick = new Map<number, number>();
      let innerFoldsUsed: readonly (readonly number[])[] = [];
      let prefixGold = gold;
      // Checkpoint 0's out-of-fold decisions on the training rows (the text alone), when it has one.
      let openingOof: FusedPrediction | undefined;
      const withText = (options.textCheckpoint ?? DEFAULT_TEXT_CHECKPOINT) && !voteBased(kind) && train.texts !== undefined && hasSharedLabels(train);
      let order = options.order ? givenOrder(train.models, options.order).filter((j) => !skip.includes(j)) : orderFor(gold);
      if (voteBased(kind)) {
        for (const t of checkpoints) {
          const prefix = new Set(order.slice(0, t));
          oof.set(t, weightedVote(sub, (j) => (prefix.has(j) ? (weights[j] as number) : 0)));
        }
      } else {
        // Once every model was asked the final strategy decides: its out-of-fold decisions are the
        // reference of the loss and of the agreement model, as on a test fold. A final strategy
        // that kept its own inner out-of-fold decisions on these rows (`auto`) gives them for free;
        // any other is cross-validated here.
        const kept = finalFit ? innerOutOfFoldOf(finalFit) : null;
        const reuse = kept !== null && sameRows(kept.rows, rows) && kept.folds.length > 0;
        const folds = reuse ? kept.folds : (innerFolds(y, seed) ?? []);
        innerFoldsUsed = folds;
        if (folds.length > 0 && final) {
          const right = (tr: readonly number[]) => (fitOptions.right ? { right: selectRows(fitOptions.right, K, tr.map((r) => rows[r] as number)) } : {});
          // The final strategy sees each model once (its samples collapsed), as when it is deployed.
          const full = reuse
            ? kept.prediction
            : outOfFold(rows.length, K, folds, (tr, test, f) => final.fit(collapseSamples(selectItems(sub, tr)), selectGold(y, tr), { seed: seed + f + 1, ...right(tr), ...scoredIn }).predict(collapseSamples(selectItems(sub, test))));
          oof.set(A, full);
          // The rule stops once the models asked agree with what the final strategy would decide, so
          // the models that best foretell that decision are asked first.
          if (!options.order) order = orderFor(spreadDecisions(full, rows, train.itemIds.length, K));
        }
        // What the prefixes learn to foretell on these rows (see `prefixTarget`).
        const fullOof = oof.get(A);
        const distil = (options.prefixTarget ?? DEFAULT_PREFIX_TARGET) === 'final' && fullOof !== undefined;
        if (distil) prefixGold = spreadDecisions(fullOof, rows, train.itemIds.length, K);
        const target = distil ? decisions(fullOof.probs, fullOof.decided, K) : y;
        // Each candidate's fit on each inner fold at the last checkpoint: the next checkpoint's fit
        // (the same rows, one wave of models more) starts from it.
        if (withText && folds.length > 0)
          openingOof = outOfFold(rows.length, K, folds, (tr, test) => textOnlyStrategy.fit(selectItems(sub, tr), selectGold(target, tr), { seed }).predict(selectItems(sub, test)));
        const last = prefixFits.map(() => new Map<number, FittedStrategy>());
        for (const t of folds.length > 0 ? checkpoints.filter((c) => c < A) : []) {
          const cols = order.slice(0, t);
          // Every candidate fusion of this prefix out-of-fold; the best inner score (`innerScore`, in the kind's figure) is kept for it.
          let bestScore = -Infinity;
          prefixFits.forEach((candidate, c) => {
            const { probs, decided } = outOfFold(rows.length, K, folds, (tr, test, f) => {
              const fitOn = askedView(selectItems(sub, tr), cols);
              const view = askedView(selectItems(sub, test), cols);
              const fit = fitFrom(candidate, fitOn.answers, viewGold(fitOn, selectGold(target, tr)), { seed: seed + f + 1, ...scoredIn }, last[c]?.get(f));
              last[c]?.set(f, fit);
              return fromView(view, fit.predict(view.answers));
            });
            const score = innerScore(target, { probs, decided }, train, undefined, fitOptions.metric);
            if (score > bestScore) {
              bestScore = score;
              oof.set(t, { probs, decided });
              pick.set(t, c);
            }
          });
        }
      }
      // Too few labelled items to cross-validate: no curve, and the setting that asks the most models.
      const stopTarget = options.stopTarget ?? DEFAULT_STOP_TARGET;
      // The truth as auto's recalibrated out-of-fold probabilities tell it: the expected loss's reference, and what a disagreement costs.
      const expected = oof.size > 0 ? expectedTruth(y, oof.get(A) as FusedPrediction, K, !sub.candidates) : undefined;
      const steps = kind === 'agreement' && expected ? agreementSteps(sub, expected.probs, order, checkpoints, weights, oof) : undefined;
      const agreement = steps ? fitSteps(steps, stopTarget, options.agreementModel) : undefined;
      const curveAgreement = steps ? crossFittedAgreement(steps, stopTarget, options.agreementModel, innerFoldsUsed, rows.length) : {};
      // The loss is held in the figure the task kind is scored by, as its plug-in names it.
      const bound = { caution: options.caution ?? DEFAULT_CAUTION, estimate: options.lossEstimate ?? DEFAULT_LOSS_ESTIMATE, unseen: options.unseen ?? DEFAULT_UNSEEN, metric: lossMetricOf(fitOptions.metric, train) };
      const points = expected ? measureCurve(sub, y, grid, order, checkpoints, weights, oof, prices, options.maxCalls, bound, expected, curveAgreement, seed, options.refineGrid === false || typeof options.rule === 'object' ? 0 : gridResolution(M)).points : [];
      const chosen = points.length > 0 ? chooseOperatingPoint(points, target) : { rule: grid[0] as StopRule };

      // Checkpoint 0: its threshold chosen on the same rows, the policy's setting fixed, by a bound
      // that makes its stops pay for themselves (see measureCurve) and the user's target as it
      // reads for checkpoint 0 (see openingTarget).
      let text: { fit: FittedStrategy; state: NonNullable<AdaptiveState['text']> } | undefined;
      // Under a loss target, a setting already over it leaves nothing for stops at 0.
      const maxLoss = target.maxLoss ?? (DEFAULT_TARGET.maxLoss as number);
      if (openingOof && expected && 'lossBound' in chosen && (budgetOnly(target) || chosen.lossBound <= maxLoss + 1e-12)) {
        const opening = openingOof;
        const steps0 = openingSteps(sub, expected.probs, order, weights, opening, oof.get(A) as FusedPrediction);
        const agreement0 = fitSteps(steps0, stopTarget, options.agreementModel);
        const cross0 = crossFittedAgreement(steps0, stopTarget, options.agreementModel, innerFoldsUsed, rows.length);
        const stage = { fuse: (r: readonly number[]) => predictionRows(opening, r, K), agreement: cross0.agreement ?? (() => 0) };
        const resolution = options.refineGrid === false ? 0 : gridResolution(M);
        const curve0 = measureCurve(sub, y, ruleGrid('agreement'), order, checkpoints, weights, oof, prices, options.maxCalls, bound, expected, curveAgreement, seed, resolution, { stage, rule: chosen.rule, bound: chosen.lossBound }).points;
        const without = curve0.find((p) => stopsNoneAtZero(p.rule)) ?? chosen;
        const held = openingTarget(target, without);
        const pick0 = chooseOperatingPoint(curve0, held);
        // The walk down from "never stop at 0" keeps the bound, and a threshold above 1 stops nothing: no stage to keep.
        if (agreement0 && pick0.lossBound <= held.maxLoss + 1e-12 && pick0.rule.kind === 'agreement' && !stopsNoneAtZero(pick0.rule)) {
          const fit = textOnlyStrategy.fit(train, prefixGold, { seed });
          text = { fit, state: { prefix: { strategy: fit.name, state: fit.state() }, agreement: agreement0, tau: pick0.rule.tau, curve: curve0 } };
        }
      }

      // Each prefix fusion kept is fitted as the inner folds fitted the ones the curve judged: a
      // candidate that starts warm starts from its own fit at the previous checkpoint, whether or not
      // it was picked there (a warm start stops elsewhere than a fit from another start would).
      const chain = prefixFits.map(() => new Map<number, FittedStrategy>());
      const fitAt = (c: number, k: number): FittedStrategy => {
        const known = chain[c]?.get(k);
        if (known) return known;
        const candidate = prefixFits[c] as FusionStrategy;
        const view = askedView(train, order.slice(0, checkpoints[k] as number));
        const fit = fitFrom(candidate, view.answers, viewGold(view, prefixGold), { seed, ...scoredIn }, k > 0 && startsWarm(candidate) ? fitAt(c, k - 1) : undefined);
        chain[c]?.set(k, fit);
        return fit;
      };
      const prefixes: FittedStrategy[] = voteBased(kind) ? [] : checkpoints.slice(0, -1).map((t, k) => fitAt(pick.get(t) ?? 0, k));
      const state: AdaptiveState = {
        picked: describe(chosen.rule, final?.name ?? null),
        rule: chosen.rule,
        order: order.map((j) => train.models[j] as string),
        weights: order.map((j) => weights[j] as number),
        ...(skip.length > 0 ? { skipped: skippedCalls(train.models, skip) } : {}),
        checkpoints,
        ...(agreement ? { agreement } : {}),
        ...(options.maxCalls ? { maxCalls: options.maxCalls } : {}),
        target,
        curve: points,
        prefixes: prefixes.map((p) => ({ strategy: p.name, state: p.state() })),
        final: finalFit ? { strategy: finalFit.name, state: finalFit.state() } : null,
        ...(text ? { text: text.state } : {}),
      };
      return wrap(name, { state, prefixes, final: finalFit, ...(text ? { text: text.fit } : {}) });
    },
    load(raw, labels) {
      const s = parseState(name, AdaptiveStateSchema, raw);
      requireLength(name, 'weights', s.weights.length, s.order.length);
      const restore = (field: string, saved: { strategy: string; state: unknown }): FittedStrategy => {
        const strategy = RESTORE.get(saved.strategy);
        if (!strategy) throw new StrategyStateError(name, [{ field: `${field}.strategy`, message: `unknown strategy "${saved.strategy}"` }]);
        try {
          return strategy.load(saved.state, labels);
        } catch (e) {
          if (e instanceof StrategyStateError) throw new StrategyStateError(name, e.issues.map((i) => ({ field: `${field}.state${i.field ? `.${i.field}` : ''}`, message: i.message })));
          throw e;
        }
      };
      if (!voteBased(s.rule.kind)) {
        requireLength(name, 'prefixes', s.prefixes.length, s.checkpoints.length - 1);
        if (!s.final) throw new StrategyStateError(name, [{ field: 'final', message: 'a cascade needs its final strategy' }]);
      }
      const prefixes = s.prefixes.map((p, c) => restore(`prefixes.${c}`, p));
      const finalFit = s.final ? restore('final', s.final) : null;
      const text = s.text ? restore('text.prefix', s.text.prefix) : undefined;
      return wrap(name, { state: s, prefixes, final: finalFit, ...(text ? { text } : {}) });
    },
  };
}

export const adaptiveStrategy = createAdaptive();
