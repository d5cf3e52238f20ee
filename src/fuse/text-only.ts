import { z } from 'zod';
import type { AnswerMatrix } from './answer-matrix.js';
import { fitLogistic, type LogisticModel, predictLogistic, selectRows, type SparseRows } from './logistic-regression.js';
import { checkLabels } from './model-alignment.js';
import { requireLabelledRows, requireSharedLabels, type FittedStrategy, type FusedPrediction, type FusionStrategy } from './strategy.js';
import { parseState } from './strategy-state.js';
import { appendText, DEFAULT_TEXT_HASHING, type TextHashing } from './text-features.js';

const NAME = 'text-only';

const StateSchema = z.object({
  hashing: z.object({ bits: z.number().int().min(1).max(20), scale: z.number().positive() }),
  /** Non-zero word weights only: `[bucket, label, weight]` (a table of 2^bits x K is mostly zeros). */
  coef: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative(), z.number()])),
  intercept: z.array(z.number()),
});
type TextOnlyState = z.infer<typeof StateSchema>;

function design(texts: readonly string[], hashing: TextHashing): SparseRows {
  const n = texts.length;
  const empty: SparseRows = { rows: n, dim: 0, start: new Int32Array(n + 1), index: new Int32Array(0), value: new Float64Array(0) };
  return appendText(empty, texts, hashing);
}

function fitted(state: TextOnlyState, labels: readonly string[]): FittedStrategy {
  const K = labels.length;
  const dim = 2 ** state.hashing.bits;
  const coef = new Float64Array(dim * K);
  for (const [f, k, w] of state.coef) if (f < dim && k < K) coef[f * K + k] = w;
  const model: LogisticModel = { K, dim, coef, intercept: Float64Array.from(state.intercept), tied: new Float64Array(0) };
  return {
    name: NAME,
    // No texts, no decision: every item is left undecided (a stage that reads nothing decides nothing).
    predict(answers: AnswerMatrix): FusedPrediction {
      checkLabels(NAME, labels, answers);
      const N = answers.itemIds.length;
      if (!answers.texts) return { probs: new Float64Array(N * K), decided: new Uint8Array(N) };
      return { probs: predictLogistic(model, design(answers.texts, state.hashing)), decided: new Uint8Array(N).fill(1) };
    },
    state: () => state,
    // It reads no answer: no model contributed to its decision.
    explain: () => [],
  };
}

/**
 * A classifier of the item's text alone (a multinomial logistic regression on its hashed words
 * and word pairs, L2 of 1/n): the fusion `adaptive` can consult before asking any model (its
 * checkpoint 0). It is told apart from the stackers by reading no answer at all, so it needs one
 * label set shared by every item and the items' texts; without texts it decides nothing. Its
 * hashing is the stackers': a wider table costs more per fit and an evaluation pays one fit per
 * inner fold (the comparison is in BENCHMARKS.md).
 */
export function createTextOnly(hashing: TextHashing = DEFAULT_TEXT_HASHING): FusionStrategy {
  return {
    name: NAME,
    supervised: true,
    needsSharedLabels: true,
    fit(answers, gold) {
      requireSharedLabels(NAME, answers);
      requireLabelledRows(NAME, gold);
      const K = answers.labels.length;
      const rows = Array.from(gold, (g, i) => (g >= 0 ? i : -1)).filter((i) => i >= 0);
      const texts = answers.texts ?? new Array<string>(answers.itemIds.length).fill('');
      const X = selectRows(design(texts, hashing), rows);
      const y = Int32Array.from(rows, (i) => gold[i] as number);
      const m = fitLogistic(X, y, K, { l2: 1 / Math.max(1, rows.length) });
      const coef: [number, number, number][] = [];
      for (let f = 0; f < m.dim; f++) for (let k = 0; k < K; k++) if ((m.coef[f * K + k] as number) !== 0) coef.push([f, k, m.coef[f * K + k] as number]);
      return fitted({ hashing, coef, intercept: Array.from(m.intercept) }, answers.labels);
    },
    load(raw, labels) {
      return fitted(parseState(NAME, StateSchema, raw), labels);
    },
  };
}

export const textOnlyStrategy = createTextOnly();
