import type { StopReason } from '../fuse/adaptive/stop-rule.js';
import { type AnswerMatrix, emptyMatrix, setAnswer } from '../fuse/answer-matrix.js';
import type { ClassificationNormalizer } from '../normalize/types.js';
import type { ClassificationTask } from '../task/schema.js';
import { type AskStopReason, type RawModelAnswer, askedOf } from './ask-item.js';
import type { StreamFuser, StreamPrediction } from './strategy-choice.js';

/** One model's answer as shown in `fusion run` output. */
export interface ModelAnswerLine {
  model: string;
  /** Raw text, or null when the model gave none. */
  output: string | null;
  /** The label read from the output, or null when it abstained. */
  label: string | null;
  /** Why there is no label (normalizer reason, `error` for a failed call, `missing` for a call not made). */
  abstain?: string;
  error?: string;
}

/** One output line of `fusion run`. */
export interface FusedLine {
  id: string;
  /** The fused label, or null when no model gave a readable answer. */
  label: string | null;
  /** Fused probability per label (empty when undecided). */
  distribution: Record<string, number>;
  answers: ModelAnswerLine[];
  /** USD spent on this item's new calls (cached answers cost nothing now). */
  cost: number;
  /** `no-consensus`: models answered but the fused winner's probability was below `--min-confidence`. */
  abstain?: 'no-consensus';
  /** Adaptive policies: how many models were asked about this item, and why asking stopped. */
  asked?: number;
  stopped?: AskStopReason;
}

/** A fused prediction, with what an adaptive policy asked per item when the fuser is one. */

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
    if (fused.withheld?.[i] === 1) line.abstain = 'no-consensus';
    if (fused.calls && fused.reasons) {
      Object.assign(line, askedOf(items[i]?.answers ?? [], fused.calls[i] as number, fused.reasons[i] as StopReason));
    }
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
  const matrix = { ...emptyMatrix(labels, models, items.map((it) => it.id)), ...texts };
  const column = new Map(models.map((m, j) => [m, j]));
  const lines: FusedLine[] = items.map((item, i) => {
    let cost = 0;
    const answers = item.answers.map((a): ModelAnswerLine => {
      if (a.status !== 'ok') return { model: a.model, output: null, label: null, abstain: a.status === 'failed' ? 'error' : 'missing', error: a.error };
      if (!a.cached) cost += a.cost ?? 0;
      const read = normalize({ output: a.output, ...(a.logprobs ? { logprobs: a.logprobs } : {}) });
      if (read.kind === 'abstain') return { model: a.model, output: a.output, label: null, abstain: read.reason };
      const j = column.get(a.model);
      if (j !== undefined) setAnswer(matrix, i, j, read.dist);
      let best = 0;
      for (let k = 1; k < K; k++) if ((read.dist[k] as number) > (read.dist[best] as number)) best = k;
      return { model: a.model, output: a.output, label: labels[best] as string };
    });
    return { id: item.id, label: null, distribution: {}, answers, cost };
  });
  return { matrix, lines };
}
