import type { EvalResult, ModelEntryCore, StrategyEntryCore } from '../eval/eval-result.js';
import type { ModelCost } from './model-costs.js';
import { paretoFront } from './pareto.js';

/** A point of the cost/quality chart; `x` is cost per item (USD) or calls per item (see `axis`). */
export interface CostPoint {
  name: string;
  kind: 'model' | 'strategy';
  x: number;
  accuracy: number;
  pareto: boolean;
}

/** An extra cost/quality curve (e.g. an adaptive strategy's budget sweep), drawn as a line on the chart of its axis. */
export interface CostCurve {
  name: string;
  /** `cost`: x is USD per item; `calls`: x is calls per item. */
  axis: 'cost' | 'calls';
  points: { x: number; accuracy: number }[];
}

export interface CostChart {
  axis: 'cost' | 'calls';
  points: CostPoint[];
  curves: CostCurve[];
}

/**
 * Quality against cost (or calls) per item of every model and strategy, with the Pareto front
 * marked and the extra curves drawn on this axis.
 */
export function costQuality(result: Pick<EvalResult<unknown, ModelEntryCore & { accuracy: number }, StrategyEntryCore & { accuracy: number }>, 'models' | 'strategies'>, costs: readonly ModelCost[], axis: 'cost' | 'calls', curves: readonly CostCurve[]): CostChart {
  const byModel = new Map(costs.map((c) => [c.model, c]));
  const xOf = (name: string): number => {
    const c = byModel.get(name);
    return axis === 'cost' ? (c?.costPerItem ?? 0) : (c?.callsPerItem ?? 1);
  };
  // A strategy that asks every model costs the whole ensemble. One that says how many calls it made
  // per item (an adaptive policy) is placed at that many calls, and on the cost axis at that share
  // of the ensemble's recorded cost, so that models and strategies stay on one price source.
  const ensemble = result.models.reduce((s, m) => s + xOf(m.name), 0);
  // Calls of the whole ensemble per item: one per model, or each recorded sample of a model.
  const M = Math.max(1, result.models.length, result.models.reduce((s, m) => s + (byModel.get(m.name)?.callsPerItem ?? 0), 0));
  const strategyX = (s: object): number => {
    const calls = 'callsPerItem' in s && typeof s.callsPerItem === 'number' ? s.callsPerItem : undefined;
    if (calls === undefined) return ensemble;
    return axis === 'calls' ? calls : (ensemble * calls) / M;
  };
  const points = [
    ...result.models.map((m) => ({ name: m.name, kind: 'model' as const, x: xOf(m.name), accuracy: m.accuracy })),
    ...result.strategies.map((s) => ({ name: s.name, kind: 'strategy' as const, x: strategyX(s), accuracy: s.accuracy })),
  ];
  const front = new Set(paretoFront(points.map((q) => ({ x: q.x, y: q.accuracy }))));
  return { axis, points: points.map((q, i) => ({ ...q, pareto: front.has(i) })), curves: curves.filter((c) => c.axis === axis) };
}
