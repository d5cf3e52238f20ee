import { type AnswerMatrix, argmax, hardVote, selectItems } from '../fuse/answer-matrix.js';
import { isAdaptive } from '../fuse/adaptive/adaptive-strategy.js';
import type { FittedStrategy, FusedPrediction, ModelContribution } from '../fuse/strategy.js';
import { markdownCell as esc } from '../util/markdown-cell.js';

/** Why a strategy decided as it did on one item: each model's answer, weight and influence. */
export interface DecisionExplanation {
  item: string;
  /** Gold label name, or null when the item is unlabelled. */
  gold: string | null;
  /** The fused label, or null when the strategy abstained. */
  fused: string | null;
  /** Probability of the fused label. */
  confidence: number;
  contributions: ModelContribution[];
  /** An adaptive policy decided the item from its text alone, before any model was asked (no call). */
  fromText?: true;
}

/**
 * The items worth explaining: the first `count` items (in file order) on which the models that
 * answered do not all agree. Unanimous items explain themselves.
 */
export function itemsToExplain(answers: AnswerMatrix, count: number): number[] {
  const out: number[] = [];
  const M = answers.models.length;
  for (let i = 0; i < answers.itemIds.length && out.length < count; i++) {
    const votes = new Set<number>();
    for (let j = 0; j < M; j++) {
      const v = hardVote(answers, i, j);
      if (v >= 0) votes.add(v);
    }
    if (votes.size > 1) out.push(i);
  }
  return out;
}

/**
 * Explains the given items with the fitted strategy that actually predicted them: `fittedFor(i)`
 * is the fold model for out-of-fold scoring (fitted without item i), or the single model fitted
 * on all items for unsupervised strategies. Strategies without `explain` give no explanations.
 */
export function explainDecisions(
  answers: AnswerMatrix,
  gold: Int32Array,
  prediction: FusedPrediction,
  items: readonly number[],
  fittedFor: (item: number) => FittedStrategy,
): DecisionExplanation[] {
  const K = answers.labels.length;
  const out: DecisionExplanation[] = [];
  for (const i of items) {
    const fitted = fittedFor(i);
    if (!fitted.explain) return [];
    const g = gold[i] ?? -1;
    const decided = prediction.decided[i] === 1;
    const k = argmax(prediction.probs, i * K, K);
    const row = namedColumns(selectItems(answers, [i]));
    // An adaptive policy says why it stopped asking from the replay its explanation reads.
    const why = isAdaptive(fitted) ? fitted.explainWhy(row, 0) : { contributions: fitted.explain(row, 0), reason: undefined };
    const fromText = why.reason === 'text';
    out.push({
      item: answers.itemIds[i] as string,
      gold: g >= 0 ? (row.labels[g] as string) : null,
      fused: decided ? (row.labels[k] as string) : null,
      confidence: decided ? (prediction.probs[i * K + k] as number) : 0,
      contributions: why.contributions,
      ...(fromText ? { fromText: true as const } : {}),
    });
  }
  return out;
}

/**
 * One item's matrix with its columns named as that item's candidates (its answer clusters) where
 * candidates differ per item, so an explanation names answers, not column numbers.
 */
function namedColumns(row: AnswerMatrix): AnswerMatrix {
  const own = row.candidates?.[0];
  if (!own) return row;
  return { ...row, labels: row.labels.map((l, k) => own[k] ?? l) };
}

/**
 * The first `count` contested decisions of a strategy scored by fusedPrediction, each explained by
 * the fitted strategy that made it (its fold's, out-of-fold; the one fit, for unsupervised ones).
 */
export function explainScored(
  answers: AnswerMatrix,
  gold: Int32Array,
  scored: { prediction: FusedPrediction; fitted: readonly FittedStrategy[]; folds: number[][] | null },
  count: number,
): DecisionExplanation[] {
  if (count <= 0) return [];
  const foldOf = new Int32Array(gold.length);
  scored.folds?.forEach((test, f) => test.forEach((i) => (foldOf[i] = f)));
  return explainDecisions(answers, gold, scored.prediction, itemsToExplain(answers, count), (i) => scored.fitted[scored.folds ? (foldOf[i] as number) : 0] as FittedStrategy);
}


/** The Markdown section explaining one strategy's contested decisions (every task kind). */
export function renderExplanations(strategy: string, explanations: readonly DecisionExplanation[]): string[] {
  const out = [`## Why: ${explanations.length} contested decisions of ${strategy}`, ''];
  out.push('Items on which the models disagree, each explained by the fitted strategy that predicted it (out-of-fold for strategies that learn). `weight` is the model\'s weight in the strategy; `influence` is how much probability it added to the fused label.', '');
  for (const e of explanations) {
    const verdict = e.fused === null ? 'abstained' : `**${esc(e.fused)}** (p = ${e.confidence.toFixed(2)})`;
    const right = e.gold === null ? '' : e.fused === e.gold ? ', right' : `, wrong: gold ${esc(e.gold)}`;
    out.push(`### ${esc(e.item)}: ${verdict}${right}`, '');
    if (e.fromText) out.push('Decided from the item\'s text before any model was asked (no call made); the answers below were recorded, not asked for.', '');
    out.push('| model | answer | weight | influence |', '|---|---|---|---|');
    const sorted = [...e.contributions].sort((a, b) => Math.abs(b.influence) - Math.abs(a.influence));
    for (const c of sorted) out.push(`| ${esc(c.model)} | ${c.answer === null ? '(abstained)' : esc(c.answer)} | ${c.weight.toFixed(3)} | ${c.influence >= 0 ? '+' : ''}${c.influence.toFixed(3)} |`);
    out.push('');
  }
  return out;
}
