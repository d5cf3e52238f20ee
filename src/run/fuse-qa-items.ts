import type { StopReason } from '../fuse/adaptive/stop-rule.js';
import type { AnswerMatrix } from '../fuse/answer-matrix.js';
import { fuseQaWith, type QaFusedAnswer, type QaQuestionInput, qaCandidateMatrix } from '../qa/fuse-question.js';
import type { Choice, QaTask } from '../task/schema.js';
import { type AskStopReason, type RawModelAnswer, askedOf } from './ask-item.js';
import type { QaQuestion } from './qa-question.js';
import type { StreamFuser, StreamPrediction } from './strategy-choice.js';

/** One model's answer to a question as shown in `fusion run` output. */
export interface QaAnswerLine {
  model: string;
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
export interface QaFusedLine {
  id: string;
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
  /** USD spent on this question's new calls (cached answers cost nothing now). */
  cost: number;
  /** `no-consensus`: models answered but the fused winner's probability was below `--min-confidence`. */
  abstain?: 'no-consensus';
  /** Adaptive policies: how many models were asked about this question, and why asking stopped. */
  asked?: number;
  stopped?: AskStopReason;
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
    if (prediction?.withheld?.[i] === 1) line.abstain = 'no-consensus';
    if (prediction?.calls && prediction.reasons) {
      Object.assign(line, askedOf(answers, prediction.calls[i] as number, prediction.reasons[i] as StopReason));
    }
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
    outputs: answers.flatMap((a) => (a.status === 'ok' ? [{ model: a.model, output: a.output }] : [])),
  };
}

function layOut(task: Pick<QaTask, 'answerType'>, id: string, raw: readonly RawModelAnswer[], fused: QaFusedAnswer): QaFusedLine {
  let cost = 0;
  let k = 0;
  const answers = raw.map((a): QaAnswerLine => {
    if (a.status !== 'ok') return { model: a.model, output: null, answer: null, abstain: a.status === 'failed' ? 'error' : 'missing', error: a.error };
    if (!a.cached) cost += a.cost ?? 0;
    const read = fused.models[k++];
    if (!read || read.answer === null || read.cluster === null) return { model: a.model, output: a.output, answer: null, abstain: read?.abstention ?? 'no-label' };
    return { model: a.model, output: a.output, answer: read.answer, cluster: read.cluster };
  });
  const distribution = fused.clusters.map(
    (c): QaClusterLine => ({ answer: c.answer, key: c.key, share: c.share, models: [...new Set(c.members.map((m) => m.model))] }),
  );
  const winner = fused.cluster === null ? undefined : distribution[fused.cluster];
  const line: QaFusedLine = {
    id,
    answer: fused.answer,
    ...(task.answerType === 'multiple-choice' ? { choice: fused.choice } : {}),
    ...(fused.shortAnswer !== null && fused.answer !== null && fused.shortAnswer.length < fused.answer.length ? { shortAnswer: fused.shortAnswer } : {}),
    cluster: winner && fused.cluster !== null && fused.representative ? { index: fused.cluster, ...winner, representative: fused.representative.model } : null,
    support: Math.round(fused.support * 1e6) / 1e6,
    distribution,
    answers,
    cost,
  };
  return line;
}
