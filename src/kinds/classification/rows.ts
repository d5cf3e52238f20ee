import { type AnswerMatrix, emptyMatrix, groupSamples, setAnswer } from '../../fuse/answer-matrix.js';
import { createClassificationNormalizer } from '../../normalize/classification.js';
import type { ClassificationNormalizer } from '../../normalize/types.js';
import { type ClassificationItem, ClassificationItemSchema, type ClassificationTask, askedText } from '../../task/schema.js';
import type { RawModelAnswer } from '../raw-answer.js';
import type { StreamFuser, StreamPrediction } from '../../fuse/stream-fuser.js';
import { type FusedLineBase, markLine, newCost, unanswered } from '../row-parts.js';
import type { RunKind } from '../task-kind.js';

/** One model's answer as shown in `fusion run` output. */
export interface ModelAnswerLine {
  model: string;
  /** Which of the model's samples this is, when it was asked several (`--samples`). */
  sample?: number;
  /** Raw text, or null when the model gave none. */
  output: string | null;
  /** The label read from the output, or null when it abstained. */
  label: string | null;
  /** Why there is no label (normalizer reason, `error` for a failed call, `missing` for a call not made). */
  abstain?: string;
  error?: string;
}

/** One output line of `fusion run` on a classification task. */
export interface FusedLine extends FusedLineBase {
  /** The fused label, or null when no model gave a readable answer. */
  label: string | null;
  /** Fused probability per label (empty when undecided). */
  distribution: Record<string, number>;
  answers: ModelAnswerLine[];
}

/**
 * Fuses a batch of items from their raw answers: normalizes each answer, builds the answer matrix
 * (models in `models` order, with the item texts) and applies the strategy. Pure: no I/O.
 */
export function fuseItems(
  task: ClassificationTask,
  models: readonly string[],
  items: readonly { id: string; text?: string; answers: readonly RawModelAnswer[] }[],
  normalize: ClassificationNormalizer,
  fuser: StreamFuser,
): FusedLine[] {
  const { matrix, lines } = readAnswers(task, models, items, normalize);
  const labels = matrix.labels;
  const K = labels.length;
  const fused: StreamPrediction = fuser.fuse(matrix);
  lines.forEach((line, i) => {
    markLine(line, fused, i, items[i]?.answers ?? [], fused.decided[i] === 1);
    if (fused.decided[i] !== 1) return;
    let best = 0;
    for (let k = 0; k < K; k++) {
      const p = fused.probs[i * K + k] as number;
      if (p > 0) line.distribution[labels[k] as string] = Math.round(p * 1e6) / 1e6;
      if (p > (fused.probs[i * K + best] as number)) best = k;
    }
    line.label = labels[best] as string;
  });
  return lines;
}

/** The items' answers read into an answer matrix, and their output lines without a fused label yet. */
export function readAnswers(
  task: ClassificationTask,
  models: readonly string[],
  items: readonly { id: string; text?: string; answers: readonly RawModelAnswer[] }[],
  normalize: ClassificationNormalizer,
): { matrix: AnswerMatrix; lines: FusedLine[] } {
  const labels = task.labels.map((l) => l.name);
  const K = labels.length;
  // Item texts go with the answers: strategies that read them (stacking-text) need them to predict
  // as they were fitted; the others ignore them.
  const texts = items.every((it) => it.text !== undefined) ? { texts: items.map((it) => it.text as string) } : {};
  const matrix = { ...emptyMatrix(labels, models, items.map((it) => it.id)), ...texts, ...(task.ordered ? { ordered: true } : {}) };
  // A model listed n times is asked n samples: its n-th listing is sample n-1, one column each.
  const sample = models.map((m, j) => models.slice(0, j).filter((x) => x === m).length);
  const column = new Map(models.map((m, j) => [`${m}\u0000${sample[j]}`, j]));
  const lines: FusedLine[] = items.map((item, i) => {
    const answers = item.answers.map((a): ModelAnswerLine => {
      const s = a.sample === undefined ? {} : { sample: a.sample };
      if (a.status !== 'ok') return unanswered(a, 'label');
      const read = normalize({ output: a.output, ...(a.logprobs ? { logprobs: a.logprobs } : {}), ...(a.cut ? { cut: true } : {}) });
      if (read.kind === 'abstain') return { model: a.model, ...s, output: a.output, label: null, abstain: read.reason };
      const j = column.get(`${a.model}\u0000${a.sample ?? 0}`);
      if (j !== undefined) setAnswer(matrix, i, j, read.dist);
      let best = 0;
      for (let k = 1; k < K; k++) if ((read.dist[k] as number) > (read.dist[best] as number)) best = k;
      return { model: a.model, ...s, output: a.output, label: labels[best] as string };
    });
    return { id: item.id, label: null, distribution: {}, answers, cost: newCost(item.answers) };
  });
  // Each model once (the mean of its samples) for every strategy, the samples kept as calls.
  return { matrix: groupSamples(matrix, sample), lines };
}

/** Classification in `fusion run` and `fuse()`: {"id", "text"} items, fused into labels. */
export function classificationKind(task: ClassificationTask, normalize: ClassificationNormalizer = createClassificationNormalizer(task)): RunKind<ClassificationItem, FusedLine> {
  const fuse = (items: readonly { item: ClassificationItem; answers: readonly RawModelAnswer[] }[], models: readonly string[], fuser: StreamFuser): FusedLine[] =>
    fuseItems(task, models, items.map(({ item, answers }) => ({ id: item.id, text: item.text, answers })), normalize, fuser);
  return {
    kind: 'classification',
    schema: ClassificationItemSchema.extend({ text: askedText }),
    answerField: 'label',
    tableColumns: ['label', 'confidence'],
    tableCells: (line) => ({ label: line.label, confidence: line.label === null ? null : (line.distribution[line.label] ?? null) }),
    itemOf: (text, id) => ({ id, text }),
    read: (item, models) => (answers) => readAnswers(task, models, [{ id: item.id, text: item.text, answers }], normalize).matrix,
    fuse,
    decided: (line) => line.label !== null,
  };
}
