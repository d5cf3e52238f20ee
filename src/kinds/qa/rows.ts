import { z } from 'zod';
import type { AnswerMatrix } from '../../fuse/answer-matrix.js';
import { fuseQaWith, type QaFusedAnswer, type QaQuestionInput, qaCandidateMatrix } from '../../qa/fuse-question.js';
import { type Choice, ChoiceSchema, type QaTask, askedText } from '../../task/schema.js';
import { sameLabelChoices } from '../../task/choice-gold.js';
import { choiceCountIssue } from './choice-count.js';
import type { RawModelAnswer } from '../raw-answer.js';
import type { StreamFuser, StreamPrediction } from '../../fuse/stream-fuser.js';
import { type FusedLineBase, markLine, newCost, unanswered } from '../row-parts.js';
import type { RunKind } from '../task-kind.js';

/**
 * One question on `fusion run`'s input: the QA item shape of the interchange format. Gold
 * `answers` may be present (an items.jsonl piped as is) and are dropped unread: a run never sees gold.
 */
export const QaQuestionSchema = z.object({
  id: z.string().min(1),
  question: askedText,
  choices: z
    .array(ChoiceSchema)
    .refine((cs) => sameLabelChoices(cs) === undefined, 'choice labels must be distinct')
    .optional(),
});

export type QaQuestion = z.infer<typeof QaQuestionSchema>;

/** The input schema for a task: a multiple-choice task needs two choices or more on every question (choiceCountIssue). */
export function qaQuestionSchema(task: Pick<QaTask, 'answerType'>): z.ZodType<QaQuestion> {
  if (task.answerType !== 'multiple-choice') return QaQuestionSchema;
  return QaQuestionSchema.superRefine((q, ctx) => {
    const issue = choiceCountIssue(q.choices);
    if (issue !== undefined) ctx.addIssue({ code: 'custom', message: issue, path: ['choices'] });
  });
}

/** One model's answer to a question as shown in `fusion run` output. */
export interface QaAnswerLine {
  model: string;
  /** Which of the model's samples this is, when it was asked several (`--samples`). */
  sample?: number;
  /** Raw text, or null when the model gave none. */
  output: string | null;
  /** The answer read from the output (choice letter, number as stated, short span or sentence), or null. */
  answer: string | null;
  /** Index of the answer's cluster in `distribution`. */
  cluster?: number;
  /** Why there is no answer (extractor reason, `error` for a failed call, `missing` for a call not made). */
  abstain?: string;
  error?: string;
}

/** A cluster of equivalent answers. */
export interface QaClusterLine {
  /** The first member's answer as stated. */
  answer: string;
  /** Canonical form the members share (choice label, number value, normalized text). */
  key: string;
  /** Share of the answering models on this cluster; the shares of a question sum to 1. */
  share: number;
  /** The models whose answer is in the cluster, in model order. */
  models: string[];
}

/** One output line of `fusion run` on a QA task. */
export interface QaFusedLine extends FusedLineBase {
  /** The fused answer: the winning cluster's representative (choice letter, number as stated, span or sentence); null when no answer was readable. */
  answer: string | null;
  /** Multiple choice: the chosen option. */
  choice?: Choice | null;
  /** The shortest answer of the winning cluster, when shorter than `answer` (a span for a sentence answer). */
  shortAnswer?: string;
  /** The winning cluster, its index in `distribution` and the model whose answer stands for it, or null. */
  cluster: (QaClusterLine & { index: number; representative: string }) | null;
  /** The strategy's support for the winning cluster, in [0, 1] (for a vote: its share of the votes). */
  support: number;
  /** Every cluster of equivalent answers, first seen first. */
  distribution: QaClusterLine[];
  answers: QaAnswerLine[];
}

/**
 * Fuses a batch of questions from their raw answers: reads each answer, clusters equivalent ones,
 * lets the fuser pick, and lays out one line per question with every asked model's answer (in the
 * order of `answers`). Pure: no I/O.
 */
export function fuseQaItems(
  task: Pick<QaTask, 'answerType'>,
  items: readonly { item: QaQuestion; answers: readonly RawModelAnswer[] }[],
  fuser: StreamFuser,
): QaFusedLine[] {
  const inputs = items.map(({ item, answers }) => qaInput(task, item, answers));
  let prediction: StreamPrediction | undefined;
  // An adaptive policy replays the answers over every model of the run, in the columns it asked them in.
  const models = fuser.policy ? items[0]?.answers.map((a) => a.model) : undefined;
  const fused = fuseQaWith(
    inputs,
    (matrix) => {
      const d = fuser.decide(matrix);
      prediction = d.prediction;
      return d;
    },
    ...(models ? [models] : []),
  );
  return items.map(({ item, answers }, i) => {
    const line = layOut(task, item.id, answers, fused[i] as QaFusedAnswer);
    markLine(line, prediction, i, answers, line.answer !== null);
    return line;
  });
}

/** One question's answers so far as its one-item candidate matrix over `models` (every model of the run, in order; those without an answer absent): what an adaptive policy decides its next wave on. */
export function readQaAnswers(task: Pick<QaTask, 'answerType'>, item: QaQuestion, models: readonly string[], answers: readonly RawModelAnswer[]): AnswerMatrix {
  return qaCandidateMatrix([qaInput(task, item, answers)], models).matrix;
}

function qaInput(task: Pick<QaTask, 'answerType'>, item: QaQuestion, answers: readonly RawModelAnswer[]): QaQuestionInput {
  return {
    question: item.question,
    answerType: task.answerType,
    ...(item.choices ? { choices: item.choices } : {}),
    outputs: answers.flatMap((a) => (a.status === 'ok' ? [{ model: a.model, output: a.output, ...(a.sample === undefined ? {} : { sample: a.sample }), ...(a.cut ? { cut: true } : {}) }] : [])),
  };
}

function layOut(task: Pick<QaTask, 'answerType'>, id: string, raw: readonly RawModelAnswer[], fused: QaFusedAnswer): QaFusedLine {
  let k = 0;
  const answers = raw.map((a): QaAnswerLine => {
    if (a.status !== 'ok') return unanswered(a, 'answer');
    const read = fused.models[k++];
    const s = a.sample === undefined ? {} : { sample: a.sample };
    if (!read || read.answer === null || read.cluster === null) return { model: a.model, ...s, output: a.output, answer: null, abstain: read?.abstention ?? 'no-label' };
    return { model: a.model, ...s, output: a.output, answer: read.answer, cluster: read.cluster };
  });
  const distribution = fused.clusters.map(
    (c): QaClusterLine => ({ answer: c.answer, key: c.key, share: c.share, models: [...new Set(c.members.map((m) => m.model))] }),
  );
  const winner = fused.cluster === null ? undefined : distribution[fused.cluster];
  return {
    id,
    answer: fused.answer,
    ...(task.answerType === 'multiple-choice' ? { choice: fused.choice } : {}),
    ...(fused.shortAnswer !== null && fused.answer !== null && fused.shortAnswer.length < fused.answer.length ? { shortAnswer: fused.shortAnswer } : {}),
    cluster: winner && fused.cluster !== null && fused.representative ? { index: fused.cluster, ...winner, representative: fused.representative.model } : null,
    support: Math.round(fused.support * 1e6) / 1e6,
    distribution,
    answers,
    cost: newCost(raw),
  };
}

/** QA in `fusion run` and `fuseQuestion()`: {"id", "question", "choices"?} questions, fused over answer clusters. */
export function qaKind(task: Pick<QaTask, 'answerType'>): RunKind<QaQuestion, QaFusedLine> {
  return {
    kind: 'qa',
    schema: qaQuestionSchema(task),
    answerField: 'answer',
    tableColumns: ['answer', 'confidence'],
    tableCells: (line) => ({ answer: line.answer, confidence: line.answer === null ? null : line.support }),
    itemOf: (question, id) => ({ id, question }),
    read: (item, models) => (answers) => readQaAnswers(task, item, models, answers),
    // The columns of a QA batch are the models that answered (or, under an adaptive policy, every model of the run, as asked).
    fuse: (items, _models, fuser) => fuseQaItems(task, items, fuser),
    decided: (line) => line.answer !== null,
  };
}
