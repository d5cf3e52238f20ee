import type { DecisionExplanation } from './explanations.js';
import type { EvalResult } from './eval-result.js';
import { candidateCount } from '../fuse/answer-matrix.js';
import type { AbstentionReason } from '../normalize/types.js';
import { mostCentralMember } from '../qa/build-items.js';
import { isScored, type PreparedQa } from '../qa/prepare.js';
import { bestTokenF1, exactMatch } from '../qa/scoring.js';
import type { QaAnswerType, QaTask } from '../task/schema.js';
import { argmax } from '../util/argmax.js';
import type { Prediction } from '../validation/cross-validation.js';
import type { OutOfFoldPoint } from '../fuse/adaptive/out-of-fold-curve.js';
import type { CoveragePoint, ItemOutcome } from './risk-coverage.js';

/** The QA scorer's figures: what a fused (or a single model's) answer is worth. */
export interface QaScore {
  /** Share of scored items whose answer is right (human judgement where given, else gold); no answer counts as wrong. */
  accuracy: number;
  /** Share of items with an answer. */
  coverage: number;
  /** Exact match against the gold aliases, after normalization. */
  exactMatch: number;
  /** Mean best token F1 against the gold aliases. */
  f1: number;
}

export interface QaModelEntry extends QaScore {
  name: string;
  abstentions: Partial<Record<AbstentionReason, number>>;
}

export interface QaStrategyEntry extends QaScore {
  name: string;
  supervised: boolean;
  /** `out-of-fold` for strategies that learn from labels, `all-items` for the others (as for classification). */
  scoredOn: 'out-of-fold' | 'all-items';
  /** Share of scored items whose winning cluster holds at least one right answer. */
  clusterAccuracy: number;
  /** What each fold's fitted strategy chose (`auto`'s mixture). */
  picks?: string[];
  /** Mean number of recorded answers the strategy used per item (an adaptive policy: the ones it asked for). */
  callsPerItem: number;
  /** Mean USD per item of those answers at list prices, null when a model has no price. */
  costPerItem: number | null;
  /** Accuracy on the most confident 100/90/80/50% of the scored items (risk-coverage), to pick `--min-confidence`. */
  riskCoverage: CoveragePoint[];
  /** Adaptive policies: calls, cost and accuracy out-of-fold for every setting of their stopping rule. */
  curve?: OutOfFoldPoint[];
  /** Contested decisions explained model by model (`explain` option), answers named by their cluster. */
  explanations?: DecisionExplanation[];
}

/** What only a QA evaluation has, beside the core fields (`extras`). */
export interface QaExtras {
  answerType: QaAnswerType;
  /** Items with a gold answer or judgements, i.e. the ones scored. */
  scoredItems: number;
  /** `human` when responses carry `correct` judgements, `gold` when scored against gold aliases. */
  scoredBy: 'human' | 'gold';
  /** Strategies not run because they need a fixed label set and the candidates differ per item. */
  refused: { name: string; reason: string }[];
  /** The best single model with hindsight (highest accuracy on all items): an optimistic baseline. */
  bestSingle: { name: string; accuracy: number } | null;
  /** Share of scored items on which at least one answer is right. */
  oracle: number;
  /** Mean number of answer clusters per item. */
  meanClusters: number;
  elapsedMs: number;
}

/** A QA evaluation: the one result type with the QA extras; `best` has the highest accuracy (ties to the first listed). */
export type QaEvalResult = EvalResult<QaExtras, QaModelEntry, QaStrategyEntry, QaTask['kind']>;

/** One model's or strategy's answer on each item (null: none) and whether it is right (1) or not (0). */
export interface QaEntryOutcomes {
  answers: (string | null)[];
  /**
   * The named answer's cluster on each item (-1 where there is none, or for an option letter no
   * model chose): two rows that name one cluster give the same answer in other words.
   */
  cluster: Int32Array;
  correct: Uint8Array;
  /** The fused probability of the named answer's column (-1 where there is no answer): what risk-coverage sorts by. */
  confidence: Float64Array;
}

/** The per-item outcomes behind a QA evaluation's scores; `scored[i]` is 1 where item i has gold or judgements. */
export interface QaOutcomes {
  itemIds: string[];
  scored: Uint8Array;
  models: QaEntryOutcomes[];
  strategies: QaEntryOutcomes[];
}

/** Whose words state a fused answer: a single model's own (its row), or the members of the most trusted models. */
export interface Voice {
  speaker?: number;
  /** Per model (index into the folder's models), the fitted strategy's trust; missing = none. */
  trust?: (i: number) => ArrayLike<number> | undefined;
  /** On item i, whether the strategy made the call (model, sample) (an adaptive policy); missing = every call. */
  asked?: (i: number) => ((model: number, sample: number) => boolean) | undefined;
}

/**
 * The answer a prediction names on item i: the winning column's cluster and the answer that stands
 * for it (`speaker`'s own answer there for a single model's row, else the most central member, the
 * strategy's trust in the models breaking ties). `cluster` is -1 for an option letter no model chose.
 */
export function namedAnswer(p: PreparedQa, prediction: Prediction, i: number, voice: Voice = {}): { column: number; cluster: number; answer: number } | null {
  const { speaker } = voice;
  if (prediction.decided[i] === 0) return null;
  const { matrix, columnCluster } = p.candidates;
  const K = matrix.labels.length;
  const c = candidateCount(matrix, i);
  if (c === 0) return null;
  const column = argmax(prediction.probs, i * K, c);
  const cluster = columnCluster[i]?.[column] ?? -1;
  const item = p.built[i]?.item;
  if (cluster < 0 || !item) return { column, cluster: -1, answer: -1 };
  const own = speaker === undefined ? undefined : item.clusters[cluster]?.members.find((a) => item.answers[a]?.model === speaker);
  return { column, cluster, answer: own ?? mostCentralMember(item, cluster, voice.trust?.(i), voice.asked?.(i)) };
}

/** The answer a prediction names on each item and whether it is right, for per-item reports. */
export function answerOutcomes(p: PreparedQa, prediction: Prediction, voice: Voice = {}): QaEntryOutcomes {
  const n = p.built.length;
  const answers: (string | null)[] = new Array(n);
  const correct = new Uint8Array(n);
  const cluster = new Int32Array(n).fill(-1);
  const confidence = new Float64Array(n).fill(-1);
  const K = p.candidates.matrix.labels.length;
  for (let i = 0; i < n; i++) {
    const named = namedAnswer(p, prediction, i, voice);
    if (!named) {
      answers[i] = null;
      continue;
    }
    confidence[i] = prediction.probs[i * K + named.column] as number;
    if (named.cluster < 0) {
      const letter = p.candidates.matrix.labels[named.column] ?? '';
      answers[i] = letter;
      correct[i] = (p.gold[i] ?? []).some((g) => g.toUpperCase() === letter) ? 1 : 0;
      continue;
    }
    answers[i] = p.built[i]?.item.answers[named.answer]?.reading.text ?? null;
    cluster[i] = named.cluster;
    correct[i] = p.correct[i]?.[named.answer] === true ? 1 : 0;
  }
  return { answers, cluster, correct, confidence };
}

/** The scored items' outcomes (fused probability of the named answer, right or not), for risk-coverage. */
export function scoredOutcomes(p: PreparedQa, outcomes: QaEntryOutcomes): ItemOutcome[] {
  const out: ItemOutcome[] = [];
  for (let i = 0; i < p.built.length; i++) if (isScored(p, i)) out.push({ confidence: outcomes.confidence[i] as number, hit: outcomes.correct[i] === 1 });
  return out;
}

/**
 * Scores a prediction over the QA candidate matrix as answers: accuracy by the named answer's
 * judgement (or gold match), exact match and token F1 against the gold aliases, coverage, and how
 * often the winning cluster holds a right answer.
 */
export function scoreAnswers(p: PreparedQa, prediction: Prediction, voice: Voice = {}): QaScore & { clusterAccuracy: number } {
  const n = p.built.length;
  let scored = 0;
  let answered = 0;
  let hit = 0;
  let em = 0;
  let f1 = 0;
  let clusterHit = 0;
  for (let i = 0; i < n; i++) {
    const named = namedAnswer(p, prediction, i, voice);
    const counted = isScored(p, i);
    if (counted) scored++;
    if (!named) continue;
    answered++;
    if (!counted) continue;
    const gold = p.gold[i] ?? [];
    if (named.cluster < 0) {
      // An option letter no model chose: right when it is the gold letter.
      const letter = p.candidates.matrix.labels[named.column] ?? '';
      const right = gold.some((g) => g.toUpperCase() === letter);
      if (right) {
        hit++;
        em++;
        f1++;
        clusterHit++;
      }
      continue;
    }
    const item = p.built[i]?.item;
    if (p.correct[i]?.[named.answer] === true) hit++;
    if ((item?.clusters[named.cluster]?.members ?? []).some((a) => p.correct[i]?.[a] === true)) clusterHit++;
    const reading = item?.answers[named.answer]?.reading;
    if (reading && gold.length > 0) {
      if (exactMatch(reading, gold)) em++;
      f1 += bestTokenF1(reading, gold);
    }
  }
  const over = (x: number, d: number): number => (d === 0 ? 0 : x / d);
  return {
    accuracy: over(hit, scored),
    coverage: over(answered, n),
    exactMatch: over(em, scored),
    f1: over(f1, scored),
    clusterAccuracy: over(clusterHit, scored),
  };
}
