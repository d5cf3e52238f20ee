import type { EvalPredictions, StrategyEntry } from '../eval/evaluate.js';
import type { EvalResult, ModelEntryCore, StrategyEntryCore } from '../eval/eval-result.js';
import { hardVote } from '../fuse/answer-matrix.js';
import type { QaOutcomes } from '../eval/answer-score.js';

export interface ContestedItem {
  item: string;
  /** The item's text (classification) or question (QA), whole; null when the report was not given it. */
  text: string | null;
  /** Gold label (classification) or null. */
  gold: string | null;
  /** Each model's answer, in model order; null = abstained. */
  answers: (string | null)[];
  fused: string | null;
  fusedRight: boolean;
  explanation: string;
}

export interface ContestedItems {
  /** Items on which the models that answered do not all agree. */
  total: number;
  /** The first of them, in file order, up to the limit. */
  shown: ContestedItem[];
  models: string[];
  /** The strategy whose fused answer is shown. */
  strategy: string | null;
}

/** Contested items of a classification evaluation, with the best strategy's fused label and why. */
/** Each item's text or question by id; items it does not name show none. */
export type ItemTexts = ReadonlyMap<string, string>;

export function contestedClassification(
  result: Pick<EvalResult<unknown, ModelEntryCore, StrategyEntryCore & Pick<StrategyEntry, 'explanations'>>, 'best' | 'strategies'>,
  p: EvalPredictions,
  fusedItems: { pred: Int32Array; probs: Float64Array } | undefined,
  limit: number,
  texts: ItemTexts = new Map(),
): ContestedItems {
  const { matrix, gold } = p;
  const labels = matrix.labels;
  const M = matrix.models.length;
  const K = labels.length;
  const strategy = result.best;
  const explanations = new Map((result.strategies.find((s) => s.name === strategy)?.explanations ?? []).map((e) => [e.item, e]));
  const shown: ContestedItem[] = [];
  let total = 0;
  for (let i = 0; i < matrix.itemIds.length; i++) {
    const votes: number[] = [];
    for (let j = 0; j < M; j++) votes.push(hardVote(matrix, i, j));
    if (new Set(votes.filter((v) => v >= 0)).size < 2) continue;
    total++;
    if (shown.length >= limit) continue;
    const f = fusedItems?.pred[i] ?? -1;
    const fused = f >= 0 ? (labels[f] as string) : null;
    const conf = f >= 0 && fusedItems?.probs ? (fusedItems.probs[i * K + f] as number) : 0;
    const ex = explanations.get(matrix.itemIds[i] as string);
    const explanation = ex
      ? ex.contributions
          .filter((c) => c.answer !== null)
          .sort((a, b) => Math.abs(b.influence) - Math.abs(a.influence))
          .slice(0, 3)
          .map((c) => `${c.model} (${c.answer}) ${c.influence >= 0 ? '+' : ''}${c.influence.toFixed(2)}`)
          .join('; ')
      : fused === null
        ? 'no decision'
        : `p(${fused}) = ${conf.toFixed(2)}; ${votes.filter((v) => v === f).length} of ${votes.filter((v) => v >= 0).length} answering models chose it`;
    shown.push({
      item: matrix.itemIds[i] as string,
      text: texts.get(matrix.itemIds[i] as string) ?? null,
      gold: (gold[i] as number) >= 0 ? (labels[gold[i] as number] as string) : null,
      answers: votes.map((v) => (v >= 0 ? (labels[v] as string) : null)),
      fused,
      fusedRight: f >= 0 && f === gold[i],
      explanation: ex ? `influence on ${fused}: ${explanation}` : explanation,
    });
  }
  return { total, shown, models: [...matrix.models], strategy };
}

export function contestedQa(result: Pick<EvalResult, 'best' | 'strategies' | 'models'>, o: QaOutcomes, limit: number, texts: ItemTexts = new Map()): ContestedItems {
  const strategy = result.best;
  const s = result.strategies.findIndex((e) => e.name === strategy);
  const fusedOut = s >= 0 ? o.strategies[s] : undefined;
  const shown: ContestedItem[] = [];
  let total = 0;
  o.itemIds.forEach((item, i) => {
    const answers = o.models.map((m) => m.answers[i] ?? null);
    // Models disagree when their answers fall in different clusters (the fusion's own sense of
    // "the same answer"): free-form answers in other words are not a disagreement.
    if (new Set(o.models.flatMap((m, j) => (answers[j] === null ? [] : [m.cluster[i] ?? -1]))).size < 2) return;
    total++;
    if (shown.length >= limit) return;
    const fused = fusedOut?.answers[i] ?? null;
    const right = o.models.filter((m) => m.correct[i] === 1).length;
    shown.push({
      item,
      text: texts.get(item) ?? null,
      gold: null,
      answers,
      fused,
      fusedRight: fusedOut?.correct[i] === 1,
      explanation: `${right} of ${answers.filter((a) => a !== null).length} answering models are right`,
    });
  });
  return { total, shown, models: [...result.models.map((m) => m.name)], strategy };
}
