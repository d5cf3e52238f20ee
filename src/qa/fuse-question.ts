import type { AbstentionReason } from '../normalize/types.js';
import type { Choice, QaAnswerType } from '../task/schema.js';
import { buildItemAnswers } from './build-items.js';
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

/**
 * Fuses the models' outputs for one question: reads each, clusters equivalent answers, and lets the
 * strategy pick a cluster and its representative. Without a fitted strategy (nothing learned yet),
 * multiple-choice and numeric answers go by majority vote and free-form ones by the most central
 * answer. A saved strategy (from `fitQaStrategy`) is restored onto this question's models by name:
 * a model it never saw gets a neutral weight. Pure: no I/O.
 */
export function fuseQaQuestion(input: QaQuestionInput, saved?: SavedQaStrategy): QaFusedAnswer {
  const models: string[] = [];
  for (const o of input.outputs) if (!models.includes(o.model)) models.push(o.model);
  const strategy = saved ? loadQaStrategy(saved, models) : (input.answerType === 'free-form' ? central : majorityVote).load({}, models);
  const outputs = input.outputs.map((o) => ({ model: models.indexOf(o.model), output: o.output, ...(o.sample === undefined ? {} : { sample: o.sample }) }));
  const ctx = { answerType: input.answerType, ...(input.choices ? { choices: input.choices } : {}) };
  const { item, abstentions, answerIndex } = buildItemAnswers('question', input.question, ctx, outputs, models.length);
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
