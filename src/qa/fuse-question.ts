import type { AbstentionReason } from '../normalize/types.js';
import type { Choice, QaAnswerType } from '../task/schema.js';
import { type BuiltItem, buildItemAnswers } from './build-items.js';
import { dawidSkene } from './fusion/dawid-skene.js';
import type { FittedQaStrategy, QaItemAnswers } from './types.js';
import { central } from './fusion/central.js';
import { majorityVote } from './fusion/majority-vote.js';
import { loadQaStrategy, type SavedQaStrategy } from './fit-qa.js';

export interface QaQuestionInput {
  question: string;
  answerType: QaAnswerType;
  choices?: readonly Choice[];
  /** Each model's raw output (several per model when sampled). */
  outputs: readonly { model: string; output: string; sample?: number }[];
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

/** Minimum questions in a batch for Dawid-Skene to estimate reliabilities without labels. */
export const BATCH_DAWID_SKENE_MIN_QUESTIONS = 20;

function modelsOf(inputs: readonly QaQuestionInput[]): string[] {
  const models: string[] = [];
  for (const input of inputs) for (const o of input.outputs) if (!models.includes(o.model)) models.push(o.model);
  return models;
}

function build(input: QaQuestionInput, models: readonly string[], id: string): BuiltItem {
  const outputs = input.outputs.map((o) => ({ model: models.indexOf(o.model), output: o.output, ...(o.sample === undefined ? {} : { sample: o.sample }) }));
  const ctx = { answerType: input.answerType, ...(input.choices ? { choices: input.choices } : {}) };
  return buildItemAnswers(id, input.question, ctx, outputs, models.length);
}

function describe(input: QaQuestionInput, models: readonly string[], built: BuiltItem, strategy: FittedQaStrategy): QaFusedAnswer {
  const { item, abstentions, answerIndex } = built;
  const pick = strategy.pick(item);
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
  if (!pick) return { strategy: strategy.name, answer: null, shortAnswer: null, choice: null, output: null, representative: null, cluster: null, support: 0, clusters, models: perModel };
  const rep = item.answers[pick.representative];
  const label = rep?.reading.choice;
  return {
    strategy: strategy.name,
    answer: rep ? rep.reading.text : null,
    shortAnswer: shortest(item.clusters[pick.cluster]?.members.map(answerText) ?? []),
    choice: label === undefined ? null : (input.choices?.find((c) => c.label.toUpperCase() === label) ?? null),
    output: rep?.output ?? null,
    representative: rep ? { model: models[rep.model] as string, sample: rep.sample } : null,
    cluster: pick.cluster,
    support: pick.support,
    clusters,
    models: perModel,
  };
}

/**
 * Fuses the models' outputs for one question: reads each, clusters equivalent answers, and lets the
 * strategy pick a cluster and its representative. Without a saved strategy (nothing learned yet),
 * multiple-choice and numeric answers go by majority vote and free-form ones by the most central
 * answer. A saved strategy (from `fitQaStrategy`) is restored onto this question's models by name:
 * a model it never saw gets a neutral weight. Pure: no I/O.
 */
export function fuseQaQuestion(input: QaQuestionInput, saved?: SavedQaStrategy): QaFusedAnswer {
  const models = modelsOf([input]);
  const strategy = saved ? loadQaStrategy(saved, models) : (input.answerType === 'free-form' ? central : majorityVote).load({}, models);
  return describe(input, models, build(input, models, 'question'), strategy);
}

/**
 * Chooses the strategy for a batch: sees the batch's summarized questions (no gold) and the models
 * in the order their indices refer to, e.g. to fit an unsupervised strategy on the batch itself.
 */
export type QaBatchStrategy = (items: readonly QaItemAnswers[], models: readonly string[]) => FittedQaStrategy;

/** Fuses a batch of questions with the strategy `choose` returns for it. Pure: no I/O. */
export function fuseQaWith(inputs: readonly QaQuestionInput[], choose: QaBatchStrategy): QaFusedAnswer[] {
  const models = modelsOf(inputs);
  const built = inputs.map((input, i) => build(input, models, `question-${i}`));
  const strategy = choose(
    built.map((b) => b.item),
    models,
  );
  return inputs.map((input, i) => describe(input, models, built[i] as BuiltItem, strategy));
}

/**
 * The default choice without a saved strategy: multiple-choice and numeric batches of at least
 * BATCH_DAWID_SKENE_MIN_QUESTIONS questions first estimate each model's reliability without labels
 * (Dawid-Skene over the batch, which beat the plain vote on the dev sets); free-form questions go by
 * the most central answer; small batches by majority vote.
 */
export function defaultBatchStrategy(answerTypes: readonly QaAnswerType[]): QaBatchStrategy {
  return (items, models) => {
    if (answerTypes.some((t) => t === 'free-form')) return central.load({}, models);
    if (items.length >= BATCH_DAWID_SKENE_MIN_QUESTIONS) return dawidSkene.fit(items, [], { seed: 1, models });
    return majorityVote.load({}, models);
  };
}

/**
 * Fuses a batch of questions of one task: with a saved strategy restored onto the batch's models,
 * else by defaultBatchStrategy.
 */
export function fuseQaBatch(inputs: readonly QaQuestionInput[], saved?: SavedQaStrategy): QaFusedAnswer[] {
  return fuseQaWith(
    inputs,
    saved ? (_items, models) => loadQaStrategy(saved, models) : defaultBatchStrategy(inputs.map((i) => i.answerType)),
  );
}
