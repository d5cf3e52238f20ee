import type { AbstentionReason } from '../normalize/types.js';
import type { Choice, QaAnswerType } from '../task/schema.js';
import { type BuiltItem, buildItemAnswers } from './build-items.js';
import { dawidSkene } from './fusion/dawid-skene.js';
import type { FittedQaStrategy } from './types.js';
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
  /** Index of the winning cluster in `clusters`. */
  cluster: number | null;
  /** The strategy's support for the winning cluster, in [0, 1]. */
  support: number;
  /** Every cluster of equivalent answers, with its members. */
  clusters: { answer: string; members: { model: string; sample: number }[] }[];
  models: QaModelAnswer[];
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
  const clusters = item.clusters.map((c) => ({
    answer: answerText(c.members[0] ?? 0),
    members: c.members.map((a) => ({ model: models[item.answers[a]?.model ?? 0] as string, sample: item.answers[a]?.sample ?? 0 })),
  }));
  const perModel: QaModelAnswer[] = input.outputs.map((o, k) => {
    const a = answerIndex[k] as number;
    const sample = o.sample ?? 0;
    if (a < 0) {
      const ab = abstentions.find((x) => x.model === models.indexOf(o.model) && x.sample === sample);
      return { model: o.model, sample, answer: null, cluster: null, ...(ab ? { abstention: ab.reason } : {}) };
    }
    return { model: o.model, sample, answer: answerText(a), cluster: item.clusterOf[a] as number };
  });
  if (!pick) return { strategy: strategy.name, answer: null, shortAnswer: null, choice: null, output: null, cluster: null, support: 0, clusters, models: perModel };
  const rep = item.answers[pick.representative];
  const label = rep?.reading.choice;
  return {
    strategy: strategy.name,
    answer: rep ? rep.reading.text : null,
    shortAnswer: shortest(item.clusters[pick.cluster]?.members.map(answerText) ?? []),
    choice: label === undefined ? null : (input.choices?.find((c) => c.label.toUpperCase() === label) ?? null),
    output: rep?.output ?? null,
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
 * Fuses a batch of questions of one task. Without a saved strategy, a batch of at least
 * BATCH_DAWID_SKENE_MIN_QUESTIONS multiple-choice or numeric questions first estimates each model's
 * reliability without labels (Dawid-Skene over the batch, which beat the plain vote on the dev
 * sets); free-form questions go by the most central answer; small batches by majority vote.
 */
export function fuseQaBatch(inputs: readonly QaQuestionInput[], saved?: SavedQaStrategy): QaFusedAnswer[] {
  const models = modelsOf(inputs);
  const built = inputs.map((input, i) => build(input, models, `question-${i}`));
  let strategy: FittedQaStrategy;
  if (saved) strategy = loadQaStrategy(saved, models);
  else if (inputs.some((i) => i.answerType === 'free-form')) strategy = central.load({}, models);
  else if (inputs.length >= BATCH_DAWID_SKENE_MIN_QUESTIONS) strategy = dawidSkene.fit(built.map((b) => b.item), [], { seed: 1, models });
  else strategy = majorityVote.load({}, models);
  return inputs.map((input, i) => describe(input, models, built[i] as BuiltItem, strategy));
}
