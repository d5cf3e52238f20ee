import { type AnswerMatrix, selectItems } from '../answer-matrix.js';
import type { FittedStrategy, FusedPrediction } from '../strategy.js';
import { isAdaptive } from './adaptive-strategy.js';
import { ruleGrid, ruleSetting, type StopRuleKind } from './stop-rule.js';
import { meanCallCost } from './usage.js';

export interface OutOfFoldPoint {
  /** The rule's parameter, e.g. `threshold=0.95`. */
  setting: string;
  callsPerItem: number;
  costPerItem: number | null;
  score: number;
  /** Accuracy of the same predictions, when asked for (plotted against calls and cost in the HTML report). */
  accuracy?: number;
}

/**
 * The cost/quality curve of adaptive policies on their test folds: every setting of the rule, each
 * fold's policy (fitted on the other folds) replayed on its own test items. Null unless every
 * fold's fitted strategy is an adaptive policy.
 */
export function outOfFoldCurve(
  answers: AnswerMatrix,
  folds: readonly (readonly number[])[],
  fitted: readonly FittedStrategy[],
  score: (prediction: FusedPrediction) => number,
  pricePerCall: readonly (number | null)[],
  accuracy?: (prediction: FusedPrediction) => number,
): OutOfFoldPoint[] | null {
  const policies = fitted.filter(isAdaptive);
  const first = policies[0];
  if (!first || policies.length !== fitted.length) return null;
  const K = answers.labels.length;
  const M = answers.models.length;
  const N = answers.itemIds.length;
  const parts = folds.map((test) => selectItems(answers, test));
  const kind = (first.state() as { rule: { kind: StopRuleKind } }).rule.kind;
  return ruleGrid(kind).map((rule) => {
    const probs = new Float64Array(N * K);
    const decided = new Uint8Array(N);
    const asked = new Uint8Array(N * M);
    folds.forEach((test, f) => {
      const r = (policies[f] as (typeof policies)[number]).withRule(rule).replay(parts[f] as AnswerMatrix);
      test.forEach((i, row) => {
        probs.set(r.prediction.probs.subarray(row * K, (row + 1) * K), i * K);
        decided[i] = r.prediction.decided[row] as number;
        asked.set(r.asked.subarray(row * M, (row + 1) * M), i * M);
      });
    });
    let calls = 0;
    for (let c = 0; c < asked.length; c++) calls += asked[c] as number;
    const setting = ruleSetting(rule);
    const prediction = { probs, decided };
    return { setting, callsPerItem: calls / Math.max(1, N), costPerItem: meanCallCost(asked, M, pricePerCall), score: score(prediction), ...(accuracy ? { accuracy: accuracy(prediction) } : {}) };
  });
}
