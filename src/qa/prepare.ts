import type { EvalFolderBase } from '../task/eval-folder.js';
import type { Choice, QaItem, QaTask, RecordedResponse } from '../task/schema.js';
import { readChoice } from '../normalize/qa/multiple-choice.js';
import { sampleIndices } from '../fuse/answer-matrix.js';
import { type BuiltItem, buildItemAnswers, type RawQaOutput } from './build-items.js';
import { buildCandidateMatrix, type CandidateMatrix, candidateGold, candidateRight } from './candidate-matrix.js';
import { goldCorrect } from './scoring.js';
import type { AnswerCorrectness } from './types.js';
import { firstSeen } from '../util/first-seen.js';

/** The folder's answers, ready for fusion: one entry per item, gold-free. */
export interface PreparedQa {
  models: string[];
  built: BuiltItem[];
  /** Per item, per readable answer: right or wrong, or null where unknown. Kept apart from the items. */
  correct: AnswerCorrectness[];
  /** Per item: the gold answer and its aliases (for exact match and token F1), empty when unknown. */
  gold: string[][];
  /** Per item: its raw responses in input order. */
  responsesByItem: RecordedResponse[][];
  /** `human` when any response carries a `correct` judgement (used for that answer), else `gold`. */
  scoredBy: 'human' | 'gold';
  /** The items as one answer matrix (option letters, or per-item answer clusters) and each column's cluster. */
  candidates: CandidateMatrix;
  /** Per item: the gold column for fitting (see candidateGold), -1 when unknown or no candidate is right. */
  goldColumn: Int32Array;
  /** Every right column per item (N*K), for FitOptions.right. */
  rightColumns: Uint8Array;
}

/** Multiple-choice gold given as a choice's text ("Paris") is read as that choice's label. */
function goldAliases(answers: readonly string[], choices: readonly Choice[] | undefined): string[] {
  if (!choices || choices.length === 0) return [...answers];
  const labels = new Set(choices.map((c) => c.label.toUpperCase()));
  return answers.map((g) => {
    if (labels.has(g.trim().toUpperCase())) return g.trim().toUpperCase();
    const r = readChoice(g, choices);
    return r.kind === 'choice' ? r.label : g;
  });
}

/** Reads every output, clusters per item and records each answer's correctness (kept apart from the items). */
export function prepareQa(folder: EvalFolderBase<QaTask, QaItem>): PreparedQa {
  const { list: models, index: modelIndex } = firstSeen(folder.responses.map((r) => r.model));
  const byItem = new Map<string, RecordedResponse[]>();
  for (const r of folder.responses) {
    const list = byItem.get(r.item);
    if (list) list.push(r);
    else byItem.set(r.item, [r]);
  }
  const human = folder.responses.some((r) => r.correct !== undefined);
  const built: BuiltItem[] = [];
  const correct: AnswerCorrectness[] = [];
  const gold: string[][] = [];
  const responsesByItem: RecordedResponse[][] = [];
  for (const item of folder.items) {
    const responses = byItem.get(item.id) ?? [];
    const outputs: RawQaOutput[] = responses.map((r) => ({ model: modelIndex.get(r.model) as number, ...(r.sample === undefined ? {} : { sample: r.sample }), output: r.output, ...(r.cut ? { cut: true } : {}) }));
    const b = buildItemAnswers(item.id, item.question, { answerType: folder.task.answerType, ...(item.choices ? { choices: item.choices } : {}) }, outputs, models.length);
    const aliases = goldAliases(item.answers ?? [], item.choices);
    const corr: (boolean | null)[] = new Array(b.item.answers.length).fill(null);
    responses.forEach((r, k) => {
      const a = b.answerIndex[k] as number;
      if (a < 0) return;
      const reading = b.item.answers[a]?.reading;
      if (r.correct !== undefined) corr[a] = r.correct;
      else if (aliases.length > 0 && reading) corr[a] = goldCorrect(reading, aliases);
    });
    built.push(b);
    correct.push(corr);
    gold.push(aliases);
    responsesByItem.push(responses);
  }
  const items = built.map((b) => b.item);
  const answerType = folder.task.answerType;
  const candidates = buildCandidateMatrix(items, models, answerType, {
    choiceLabels: folder.items.map((it) => (it.choices ?? []).map((c) => c.label)),
    texts: folder.items.map((it) => it.question),
    // Abstaining responses count too: each is a call.
    sampled: sampleIndices(models.length, folder.responses.map((r) => [modelIndex.get(r.model) as number, r.sample ?? 0] as const)),
  });
  const letters = answerType === 'multiple-choice' ? gold.map((g) => g.find((a) => candidates.matrix.labels.includes(a.toUpperCase())) ?? null) : undefined;
  const goldColumn = candidateGold(candidates, items, correct, letters);
  const rightColumns = candidateRight(candidates, items, correct, goldColumn);
  return { models, built, correct, gold, responsesByItem, scoredBy: human ? 'human' : 'gold', candidates, goldColumn, rightColumns };
}

/** Whether item i can be scored: it has gold aliases or a judged response. */
export function isScored(p: PreparedQa, i: number): boolean {
  return (p.gold[i]?.length ?? 0) > 0 || (p.responsesByItem[i] ?? []).some((r) => r.correct !== undefined);
}

