import { z } from 'zod';
import { parseState } from '../../fuse/strategy-state.js';
import { perItem } from './judge-scores.js';
import type { PointEstimator, PointModel } from './point-estimator.js';

const Empty = z.object({}).strict();

/** A gold-free estimator that summarises each item's readable scores with `f`: nothing to learn. */
export function centralEstimator(name: string, f: (scores: number[]) => number): PointEstimator {
  const model: PointModel = { predict: (m) => perItem(m, f), state: () => ({}) };
  return {
    name,
    supervised: false,
    fit: () => model,
    load(state) {
      parseState(name, Empty, state);
      return model;
    },
  };
}
