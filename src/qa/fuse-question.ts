import type { AbstentionReason } from '../normalize/types.js';
import type { Choice, QaAnswerType } from '../task/schema.js';
import type { AnswerMatrix } from '../fuse/answer-matrix.js';
import { candidateCount, sampleIndices } from '../fuse/answer-matrix.js';
import { isAdaptive } from '../fuse/adaptive/adaptive-strategy.js';
import { callWasMade } from '../fuse/adaptive/usage.js';
import { defaultStrategyName, getStrategy } from '../fuse/registry.js';
import { type FittedStrategy, type FusedPrediction, type SavedStrategy, StrategyError } from '../fuse/strategy.js';
import { argmax } from '../util/argmax.js';
import { firstSeen } from '../util/first-seen.js';
import { type BuiltItem, buildItemAnswers, mostCentralMember } from './build-items.js';
import { type CandidateMatrix, buildCandidateMatrix } from './candidate-matrix.js';

export interface QaQuestionInput {
  question: string;
  answerType: QaAnswerType;
  choices?: readonly Choice[];
  /** Each model's raw output (several per model when sampled). */
  outputs: readonly { model: string; output: string; sample?: number; cut?: boolean }[];
}

export interface QaModelAnswer {
  model: string;
  sample: number;
  /** The answer read from the output (choice label, number as stated, short span or sentence), or null. */
  answer: string | null;
  abstention?: AbstentionReason;
  /** Index into `clusters`, or null when the output was unreadable. */
  cluster: number | null;
}

export interface QaFusedAnswer {
  strategy: string;
  /** The fused answer (the representative's reading), or null when no output was readable. */
  answer: string | null;
  /** The shortest answer in the winning cluster: a short span even when the representative is a sentence. */
  shortAnswer: string | null;
  /** For multiple choice: the chosen option. */
  choice: Choice | null;
  /** The representative's raw output. */
  output: string | null;
  /** Whose answer the representative is. */
  representative: { model: string; sample: number } | null;
  /** Index of the winning cluster in `clusters`. */
  cluster: number | null;
  /** The strategy's support for the winning cluster, in [0, 1]. */
  support: number;
  /** Every cluster of equivalent answers, with its members. */
  clusters: QaFusedCluster[];
  models: QaModelAnswer[];
}

export interface QaFusedCluster {
  /** The first member's answer as stated. */
  answer: string;
  /** Canonical form shared by the members' readings (choice label, number key, normalized text). */
  key: string;
  /** Share of the answering models' votes on this cluster (a model's samples split its vote); sums to 1. */
  share: number;
  members: { model: string; sample: number }[];
}

function shortest(texts: readonly string[]): string | null {
  let best: string | null = null;
  for (const t of texts) if (best === null || t.length < best.length) best = t;
  return best;
}


function modelsOf(inputs: readonly QaQuestionInput[]): string[] {
  return firstSeen(inputs.flatMap((input) => input.outputs.map((o) => o.model))).list;
}

function build(input: QaQuestionInput, models: readonly string[], id: string): BuiltItem {
  const outputs = input.outputs.map((o) => ({ model: models.indexOf(o.model), output: o.output, ...(o.sample === undefined ? {} : { sample: o.sample }), ...(o.cut ? { cut: true } : {}) }));
  const ctx = { answerType: input.answerType, ...(input.choices ? { choices: input.choices } : {}) };
  return buildItemAnswers(id, input.question, ctx, outputs, models.length);
}

/** A batch's fused decisions: one distribution per question over its candidate columns, and whose words to trust. */
export interface BatchDecision {
  strategy: string;
  prediction: FusedPrediction;
  /** The strategy's trust per model name (FittedStrategy.modelTrust), to choose a representative. */
  trust?: Readonly<Record<string, number>>;
  /** For an adaptive policy, per question: whether it made the call (model, sample); its answer is stated in the words of one. */
  asked?: (row: number) => (model: number, sample: number) => boolean;
}

function describe(input: QaQuestionInput, models: readonly string[], built: BuiltItem, matrix: AnswerMatrix, columnCluster: Int32Array, decision: BatchDecision, row: number): QaFusedAnswer {
  const { item, abstentions, answerIndex } = built;
  const answerText = (a: number): string => item.answers[a]?.reading.text ?? '';
  const C = item.clusters.length;
  let voices = 0;
  for (const v of item.answered) voices += v;
  const clusters = item.clusters.map((c, k): QaFusedCluster => {
    let votes = 0;
    for (let m = 0; m < item.answered.length; m++) votes += item.share[m * C + k] as number;
    return {
      answer: answerText(c.members[0] ?? 0),
      key: item.answers[c.members[0] ?? 0]?.reading.key ?? '',
      share: voices === 0 ? 0 : Math.round((votes / voices) * 1e6) / 1e6,
      members: c.members.map((a) => ({ model: models[item.answers[a]?.model ?? 0] as string, sample: item.answers[a]?.sample ?? 0 })),
    };
  });
  const perModel: QaModelAnswer[] = input.outputs.map((o, k) => {
    const a = answerIndex[k] as number;
    const sample = o.sample ?? 0;
    if (a < 0) {
      const ab = abstentions.find((x) => x.model === models.indexOf(o.model) && x.sample === sample);
      return { model: o.model, sample, answer: null, cluster: null, ...(ab ? { abstention: ab.reason } : {}) };
    }
    return { model: o.model, sample, answer: answerText(a), cluster: item.clusterOf[a] as number };
  });
  const none = { strategy: decision.strategy, answer: null, shortAnswer: null, choice: null, output: null, representative: null, cluster: null, support: 0, clusters, models: perModel };
  const K = matrix.labels.length;
  const count = candidateCount(matrix, row);
  if (decision.prediction.decided[row] !== 1 || count === 0 || C === 0) return none;
  const column = argmax(decision.prediction.probs, row * K, count);
  const support = decision.prediction.probs[row * K + column] as number;
  const cluster = columnCluster[column] ?? -1;
  if (cluster < 0) {
    // An option no model chose (a strategy may still name it): the choice itself is the answer.
    const letter = matrix.labels[column] as string;
    const choice = input.choices?.find((c) => c.label.toUpperCase() === letter) ?? null;
    return { ...none, answer: letter, shortAnswer: letter, choice, support };
  }
  const trust = decision.trust;
  const rep = mostCentralMember(item, cluster, trust ? models.map((m) => trust[m] ?? 0) : undefined, decision.asked?.(row));
  const answer = item.answers[rep];
  const label = answer?.reading.choice;
  return {
    strategy: decision.strategy,
    answer: answer ? answer.reading.text : null,
    shortAnswer: shortest(item.clusters[cluster]?.members.map(answerText) ?? []),
    choice: label === undefined ? null : (input.choices?.find((c) => c.label.toUpperCase() === label) ?? null),
    output: answer?.output ?? null,
    representative: answer ? { model: models[answer.model] as string, sample: answer.sample } : null,
    cluster,
    support,
    clusters,
    models: perModel,
  };
}

/** A fitted strategy's decisions on a batch's candidate matrix. */
export function decideWith(fitted: FittedStrategy, matrix: AnswerMatrix, name = fitted.name): BatchDecision {
  const trust = fitted.modelTrust?.();
  if (isAdaptive(fitted)) {
    const r = fitted.replay(matrix);
    return { strategy: name, prediction: r.prediction, ...(trust ? { trust } : {}), asked: callWasMade(matrix, r.asked) };
  }
  return { strategy: name, prediction: fitted.predict(matrix), ...(trust ? { trust } : {}) };
}

/**
 * Fuses the models' outputs for one question: reads each, clusters equivalent answers, and lets the
 * strategy pick a cluster (a column of the question's candidate matrix) and its representative.
 * Without a saved strategy (nothing learned yet), multiple-choice and numeric answers go by majority
 * vote and free-form ones by the most central answer. A saved strategy (from `fusion fit` on a QA
 * folder) is restored and applied by model name: a model it never saw gets a neutral weight. Pure.
 */
export function fuseQaQuestion(input: QaQuestionInput, saved?: SavedStrategy): QaFusedAnswer {
  return fuseQaBatch([input], saved)[0] as QaFusedAnswer;
}

/** Chooses the decisions for a batch from its candidate matrix (no gold), e.g. by fitting an unsupervised strategy on it. */
export type QaBatchStrategy = (matrix: AnswerMatrix) => BatchDecision;

/**
 * A batch of questions of one answer type read and clustered into its candidate matrix. `models`
 * fixes the matrix's model columns (models without an output are absent); by default the models
 * that gave an output, first seen first. A model listed n times was asked n samples (0..n-1): one
 * column (its samples' shares) with n sample columns.
 */
export function qaCandidateMatrix(inputs: readonly QaQuestionInput[], listed: readonly string[] = modelsOf(inputs)): { built: BuiltItem[] } & CandidateMatrix {
  const models = [...new Set(listed)];
  const built = inputs.map((input, i) => build(input, models, `question-${i}`));
  const sampled = sampleIndices(models.length, listed.map((m, c) => [models.indexOf(m), listed.slice(0, c).filter((x) => x === m).length] as const));
  const { matrix, columnCluster } = buildCandidateMatrix(
    built.map((b) => b.item),
    models,
    (inputs[0] as QaQuestionInput).answerType,
    { choiceLabels: inputs.map((i) => (i.choices ?? []).map((c) => c.label)), texts: inputs.map((i) => i.question), ...(models.length < listed.length ? { sampled } : {}) },
  );
  return { built, matrix, columnCluster };
}

/** Fuses a batch of questions of one answer type with the decisions `choose` makes on its candidate matrix (model columns as in qaCandidateMatrix). Pure: no I/O. */
export function fuseQaWith(inputs: readonly QaQuestionInput[], choose: QaBatchStrategy, listed: readonly string[] = modelsOf(inputs)): QaFusedAnswer[] {
  if (inputs.length === 0) return [];
  const { built, matrix, columnCluster } = qaCandidateMatrix(inputs, listed);
  const models = matrix.models;
  const decision = choose(matrix);
  return inputs.map((input, i) => describe(input, models, built[i] as BuiltItem, matrix, columnCluster[i] as Int32Array, decision, i));
}

/**
 * The default choice without a saved strategy, the same rule as `fusion run`'s (registry
 * defaultStrategyName): majority vote, or the most central answer when any question is free-form.
 * `name` fits another unsupervised strategy on the batch instead (e.g. `dawid-skene-one-coin`, to
 * learn the models' reliabilities from a large batch without labels).
 */
export function defaultBatchStrategy(answerTypes: readonly QaAnswerType[], name = defaultStrategyName(answerTypes.some((t) => t === 'free-form'))): QaBatchStrategy {
  const strategy = getStrategy(name);
  if (strategy.supervised) throw new StrategyError(`${name} learns from labels: fit it on a labelled folder (fusion fit) and pass the saved strategy`);
  return (matrix) => decideWith(strategy.fit(matrix, new Int32Array(matrix.itemIds.length).fill(-1), { seed: 1 }), matrix);
}

/**
 * Fuses a batch of questions of one task: with a saved strategy restored once, else by
 * defaultBatchStrategy (the name of an unsupervised strategy picks it).
 */
export function fuseQaBatch(inputs: readonly QaQuestionInput[], saved?: SavedStrategy | string): QaFusedAnswer[] {
  if (saved !== undefined && typeof saved !== 'string') {
    const fitted = getStrategy(saved.strategy).load(saved.state, saved.labels);
    return fuseQaWith(inputs, (matrix) => decideWith(fitted, matrix, saved.strategy));
  }
  return fuseQaWith(inputs, defaultBatchStrategy(inputs.map((i) => i.answerType), saved));
}
