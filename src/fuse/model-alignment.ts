import type { AnswerMatrix } from './answer-matrix.js';
import { StrategyError } from './strategy.js';

/**
 * For each model a strategy was fitted on, its column in `answers`, or -1 when that model is
 * absent: strategies map models by name so that a saved strategy still works when the answers
 * come in another order, lack a model, or add one it never saw.
 */
export function alignModels(fittedModels: readonly string[], answers: AnswerMatrix): Int32Array {
  const column = new Map<string, number>();
  answers.models.forEach((m, j) => column.set(m, j));
  const out = new Int32Array(fittedModels.length);
  fittedModels.forEach((m, f) => {
    out[f] = column.get(m) ?? -1;
  });
  return out;
}

/** Refuses answers whose labels differ from the ones the strategy was fitted on: indices would silently mean other labels. */
export function checkLabels(strategy: string, fittedLabels: readonly string[], answers: AnswerMatrix): void {
  // Per-item candidates carry placeholder column names: nothing to compare.
  if (answers.candidates) return;
  // A fit on no answers at all (an unsupervised strategy prepared for item-by-item use) learned
  // nothing about any label: nothing to compare either.
  if (fittedLabels.length === 0) return;
  const a = answers.labels;
  if (a.length !== fittedLabels.length || a.some((l, k) => l !== fittedLabels[k])) {
    throw new StrategyError(
      `${strategy} was fitted on labels [${fittedLabels.join(', ')}] but the answers use [${a.join(', ')}]`,
    );
  }
}
