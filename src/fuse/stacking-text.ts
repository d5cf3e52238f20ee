import { z } from 'zod';
import { type AnswerMatrix, emptyMatrix } from './answer-matrix.js';
import { innerCvRows, innerFolds, innerScore } from './inner-cv.js';
import { type LogisticModel, predictLogistic, selectRows, type SparseRows } from './logistic-regression.js';
import { checkLabels } from './model-alignment.js';
import {
  crossValidateConfigs,
  type FeatureLayout,
  featurize,
  fitConfig,
  layoutFor,
  offsets,
  pickConfig,
  type StackingConfig,
  stackingStrategy,
} from './stacking.js';
import { requireSharedLabels, requireLabelledRows, StrategyError, type FittedStrategy, type FusedPrediction, type FusionStrategy, type ScoreMetric } from './strategy.js';
import { parseState, requireLength } from './strategy-state.js';
import { appendText, DEFAULT_TEXT_HASHING, type TextHashing } from './text-features.js';
import type { WarmStartable } from './warm-start.js';

const NAME = 'stacking-text';

/**
 * Stacking whose meta-model also sees the item's text (hashed words and word pairs appended to
 * the answer features): on a kind of item where the models are wrong in a way the words predict,
 * the text moves the decision, e.g. it breaks a disagreement between equally trusted models.
 * A linear meta-model on concatenated features learns label evidence from words, not a
 * per-word trust of each model (that would need product features, too many for a few hundred
 * items).
 */
export const TEXT_STACKING_GRID: readonly StackingConfig[] = [0.1, 1].flatMap((C) => (['none', 'balanced'] as const).map((classWeighting) => ({ C, classWeighting })));

const FEATURES = { shares: true, tiedVotes: true } as const;

const StateSchema = z.object({
  hashing: z.object({ bits: z.number().int().min(1).max(20), scale: z.number().positive() }),
  models: z.array(z.string()),
  soft: z.array(z.boolean()),
  config: z.object({ C: z.number().positive(), classWeighting: z.enum(['none', 'balanced']) }),
  innerScores: z.record(z.string(), z.number()).optional(),
  coef: z.array(z.number()),
  intercept: z.array(z.number()),
  tied: z.array(z.number()),
  /** An answers-only stacking state with the same setting, used where item texts are not given. */
  answersOnly: z.unknown(),
});
type TextState = z.infer<typeof StateSchema>;

function layoutOf(models: readonly string[], soft: readonly boolean[], K: number): FeatureLayout {
  return { models, soft, K, ...FEATURES };
}

/** Width of the answer features of a layout (the text columns follow them). */
function answerDim(layout: FeatureLayout, labels: readonly string[]): number {
  return featurize(emptyMatrix(labels, layout.models, []), layout).X.dim;
}

function design(answers: AnswerMatrix, layout: FeatureLayout, hashing: TextHashing): { X: SparseRows; decided: Uint8Array } {
  // No texts is no words: the text columns stay empty and the meta-model is plain stacking.
  const texts = answers.texts ?? new Array<string>(answers.itemIds.length).fill('');
  const { X, decided } = featurize(answers, layout);
  return { X: appendText(X, texts, hashing), decided };
}

/** A value computed on first use only, then kept. */
function once<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}

/**
 * The fitted text model. Its answers-only fallback (`answersOnly`, the state's field of the same
 * name) is fitted on first use only: a model predicting items with their texts and never saved
 * (an inner fold's fit, e.g. `adaptive`'s prefixes) never needs it.
 */
function fitted(state: Omit<TextState, 'answersOnly'>, answersOnlyState: () => unknown, labels: readonly string[]): FittedStrategy {
  const K = labels.length;
  const layout = layoutOf(state.models, state.soft, K);
  const dim = answerDim(layout, labels) + 2 ** state.hashing.bits;
  const model: LogisticModel = { K, dim, coef: Float64Array.from(state.coef), intercept: Float64Array.from(state.intercept), tied: Float64Array.from(state.tied) };
  // The answer features' weights of the text model, read as a plain stacking model: what each model contributed.
  const answerPart = stackingStrategy.load(
    { models: state.models, soft: state.soft, ...FEATURES, config: state.config, coef: state.coef.slice(0, (dim - 2 ** state.hashing.bits) * K), intercept: state.intercept, tied: state.tied },
    labels,
  );
  const answersOnly = once(() => stackingStrategy.load(answersOnlyState(), labels));
  const full = once((): TextState => ({ ...state, answersOnly: answersOnlyState() }));
  const predict = (answers: AnswerMatrix): FusedPrediction => {
    checkLabels(NAME, labels, answers);
    // Without texts (e.g. answers streamed without their questions) the answers-only model decides.
    if (!answers.texts) return answersOnly().predict(answers);
    const { X, decided } = design(answers, layout, state.hashing);
    const probs = predictLogistic(model, X);
    for (let i = 0; i < decided.length; i++) if (decided[i] === 0) probs.fill(0, i * K, (i + 1) * K);
    return { probs, decided };
  };
  const out: FittedStrategy = {
    name: NAME,
    predict,
    state: full,
    explain: (answers, i) => (answerPart.explain ? answerPart.explain(answers, i) : []),
  };
  cores.set(out, state);
  return out;
}

/** The text model of each fit this module made, read by a later fit that starts from it (without running its fallback). */
const cores = new WeakMap<FittedStrategy, Omit<TextState, 'answersOnly'>>();

/**
 * A starting point for a fit with `layout` from a previous text model: each model's weights, the
 * vote shares', the words', the intercepts and the tied weights where the previous layout has
 * them (a model new to this layout starts at zero); null when the two do not line up (another
 * label count or text hashing).
 */
function startFrom(previous: Omit<TextState, 'answersOnly'>, layout: FeatureLayout, labels: readonly string[], hashing: TextHashing): LogisticModel | null {
  const K = labels.length;
  if (previous.hashing.bits !== hashing.bits || previous.hashing.scale !== hashing.scale || previous.intercept.length !== K) return null;
  const before = offsets(layoutOf(previous.models, previous.soft, K));
  const now = offsets(layout);
  const words = 2 ** hashing.bits;
  const dim = now.dim + words;
  if (previous.coef.length !== (before.dim + words) * K) return null;
  const coef = new Float64Array(dim * K);
  const tied = new Float64Array(layout.models.length);
  const copy = (from: number, to: number, rows: number) => coef.set(previous.coef.slice(from * K, (from + rows) * K), to * K);
  layout.models.forEach((m, f) => {
    const g = previous.models.indexOf(m);
    if (g < 0) return;
    // One-hot answer and abstention always; graded answers only where both layouts have them.
    copy(before.offset[g] as number, now.offset[f] as number, K + 1 + (previous.soft[g] && layout.soft[f] ? K : 0));
    tied[f] = previous.tied[g] ?? 0;
  });
  const shares = layout.shares ? K : 0;
  copy(before.offset[previous.models.length] as number, now.offset[layout.models.length] as number, shares + words);
  return { K, dim, coef, intercept: Float64Array.from(previous.intercept), tied };
}

/**
 * Fits the text meta-model with `config` on all labelled rows, and returns with it the fit of its
 * answers-only fallback, to be run when first needed.
 */
function fitState(
  train: AnswerMatrix,
  gold: Int32Array,
  config: StackingConfig,
  hashing: TextHashing,
  innerScores?: Record<string, number>,
  previous?: Omit<TextState, 'answersOnly'>,
): { core: Omit<TextState, 'answersOnly'>; answersOnly: () => unknown } {
  const K = train.labels.length;
  const layout = layoutFor(train, FEATURES.shares, FEATURES.tiedVotes);
  const start = previous ? startFrom(previous, layout, train.labels, hashing) : null;
  const rows: number[] = [];
  for (let i = 0; i < gold.length; i++) if ((gold[i] as number) >= 0) rows.push(i);
  const X = selectRows(design(train, layout, hashing).X, rows);
  const y = Int32Array.from(rows, (i) => gold[i] as number);
  const model = fitConfig(X, y, K, config, start ?? undefined);
  // The fallback starts from the text model's answer weights: close to its optimum, so cheap to fit.
  // No choice rests on its predictions: its setting was judged on the text model's inner fits (from
  // scratch), auto mixes the text model's inner predictions, never the fallback's, and it decides
  // only items given without their texts. So the warm start changes no choice made on inner folds;
  // it only sets how near its own optimum this fit stops (the solver's stopping rule).
  const answersOnly = once(() => {
    const answerX = selectRows(featurize(train, layout).X, rows);
    const width = answerX.dim * K;
    const init: LogisticModel = { K, dim: answerX.dim, coef: model.coef.slice(0, width), intercept: model.intercept, tied: model.tied };
    const fallback = fitConfig(answerX, y, K, config, init);
    return {
      models: [...layout.models],
      soft: [...layout.soft],
      ...FEATURES,
      config,
      coef: Array.from(fallback.coef),
      intercept: Array.from(fallback.intercept),
      tied: Array.from(fallback.tied),
    };
  });
  const core = {
    hashing,
    models: [...layout.models],
    soft: [...layout.soft],
    config,
    ...(innerScores ? { innerScores } : {}),
    coef: Array.from(model.coef),
    intercept: Array.from(model.intercept),
    tied: Array.from(model.tied),
  };
  return { core, answersOnly };
}

/**
 * Inner-CV out-of-fold distributions of every config on the labelled training rows, on the same
 * rows and folds as `innerConfigPredictions` (so `auto` can mix them). Null without texts or
 * with too few rows.
 */
export function innerTextConfigPredictions(
  train: AnswerMatrix,
  gold: Int32Array,
  configs: readonly StackingConfig[],
  seed: number,
  hashing: TextHashing = DEFAULT_TEXT_HASHING,
): { rows: number[]; y: Int32Array; probs: Float64Array[]; decided: Uint8Array } | null {
  if (!train.texts) return null;
  const rows = innerCvRows(gold, seed);
  const y = Int32Array.from(rows, (i) => gold[i] as number);
  const folds = innerFolds(y, seed);
  if (!folds) return null;
  const { X: all, decided: allDecided } = design(train, layoutFor(train, FEATURES.shares, FEATURES.tiedVotes), hashing);
  const decided = Uint8Array.from(rows, (i) => allDecided[i] as number);
  return { rows, y, probs: crossValidateConfigs(selectRows(all, rows), y, train.labels.length, folds, configs), decided };
}

export function createStackingText(options: { configs?: readonly StackingConfig[]; hashing?: TextHashing } = {}): FusionStrategy {
  const configs = options.configs ?? TEXT_STACKING_GRID;
  const hashing = options.hashing ?? DEFAULT_TEXT_HASHING;
  if (configs.length === 0) throw new StrategyError(`${NAME}: no configuration to fit`);
  const fitText = (train: AnswerMatrix, gold: Int32Array, seed: number, metric: ScoreMetric | undefined, previous?: Omit<TextState, 'answersOnly'>): FittedStrategy => {
    requireSharedLabels(NAME, train);
    requireLabelledRows(NAME, gold);
    const inner = configs.length > 1 ? innerTextConfigPredictions(train, gold, configs, seed, hashing) : null;
    const scores = inner?.probs.map((probs) => innerScore(inner.y, { probs, decided: inner.decided }, train, undefined, metric));
    const { config, innerScores } = pickConfig(configs, scores);
    // A warm start ends where the solver's stopping rule meets it, which is not where a fit from
    // scratch ends: with a grid, the setting was judged on inner fits from scratch, so the fit used
    // is one too. With one setting nothing here is judged on inner folds, and the warm start only
    // saves time (adaptive's prefixes, whose own inner folds chain their fits the same way).
    const same = configs.length === 1 && previous && previous.config.C === config.C && previous.config.classWeighting === config.classWeighting ? previous : undefined;
    const { core, answersOnly } = fitState(train, gold, config, hashing, innerScores, same);
    return fitted(core, answersOnly, train.labels);
  };
  const strategy: WarmStartable = {
    name: NAME,
    supervised: true,
    needsSharedLabels: true,
    fit(train, gold, options) {
      return fitText(train, gold, options.seed, options.metric);
    },
    // The previous fit's weights start the final fit when it had the same setting and there is no
    // grid (see fitText): a prefix of `adaptive` with one model more than the last, fitted in fewer
    // iterations, as adaptive's inner folds fit the prefixes they judge.
    fitFrom(train, gold, options, previous) {
      return fitText(train, gold, options.seed, options.metric, cores.get(previous));
    },
    load(raw, labels) {
      const s = parseState(NAME, StateSchema, raw);
      requireLength(NAME, 'soft', s.soft.length, s.models.length);
      const K = labels.length;
      const dim = answerDim(layoutOf(s.models, s.soft, K), labels) + 2 ** s.hashing.bits;
      requireLength(NAME, 'coef', s.coef.length, dim * K);
      requireLength(NAME, 'intercept', s.intercept.length, K);
      requireLength(NAME, 'tied', s.tied.length, s.models.length);
      const { answersOnly, ...core } = s;
      // A saved fallback is checked on load, as before, not at its first use.
      stackingStrategy.load(answersOnly, labels);
      return fitted(core, () => answersOnly, labels);
    },
  };
  return strategy;
}

export const stackingTextStrategy = createStackingText();
