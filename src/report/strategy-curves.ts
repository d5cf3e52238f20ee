import type { OutOfFoldPoint } from '../fuse/adaptive/out-of-fold-curve.js';
import type { EvalResult, ModelEntryCore, StrategyEntryCore } from '../eval/eval-result.js';
import type { CostCurve } from './cost-quality.js';

/**
 * The cost/quality curves a strategy measured of itself (an adaptive policy: every setting of its
 * stopping rule replayed on the test folds), as the cost chart draws them: accuracy against calls
 * per item, and against cost per item where every point has one.
 */
export function strategyCurves(result: Pick<EvalResult<unknown, ModelEntryCore, StrategyEntryCore & { curve?: OutOfFoldPoint[] }>, 'strategies'>): CostCurve[] {
  const out: CostCurve[] = [];
  for (const s of result.strategies) {
    const { curve } = s;
    if (!curve || curve.length === 0 || curve.some((p) => p.accuracy === undefined)) continue;
    const name = `${s.name}: every setting`;
    out.push({ name, axis: 'calls', points: curve.map((p) => ({ x: p.callsPerItem, accuracy: p.accuracy as number })) });
    if (curve.every((p) => p.costPerItem !== null)) out.push({ name, axis: 'cost', points: curve.map((p) => ({ x: p.costPerItem as number, accuracy: p.accuracy as number })) });
  }
  return out;
}
