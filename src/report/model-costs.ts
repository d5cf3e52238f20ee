import type { LeaderboardInput } from '../eval/leaderboard.js';

/** What a model cost on an eval set, from its recorded responses. */
export interface ModelCost {
  model: string;
  /** Recorded responses (calls, samples included) per item. */
  callsPerItem: number;
  /** Mean recorded cost per item in USD, or null when no response of the model records a cost. */
  costPerItem: number | null;
}

/** Calls and cost per item of each model, from responses `{model, cost?}` over `items` items. */
export function modelCosts(responses: readonly { model: string; cost?: number | undefined }[], items: number): ModelCost[] {
  const tally = new Map<string, { calls: number; cost: number; costed: number }>();
  for (const r of responses) {
    const t = tally.get(r.model) ?? { calls: 0, cost: 0, costed: 0 };
    t.calls++;
    if (r.cost !== undefined) {
      t.cost += r.cost;
      t.costed++;
    }
    tally.set(r.model, t);
  }
  const n = Math.max(1, items);
  return [...tally].map(([model, t]) => ({ model, callsPerItem: t.calls / n, costPerItem: t.costed === 0 ? null : t.cost / n }));
}

/**
 * The result with each model's recorded calls and cost per item: the one order (src/eval/ranking.ts)
 * breaks ties by them, so the terminal leaderboard, the HTML one and the best single model of the
 * paired test must all rank the same merged entries.
 */
export function withModelCosts(result: LeaderboardInput, costs: readonly ModelCost[]): LeaderboardInput {
  const byModel = new Map(costs.map((c) => [c.model, c]));
  const models = result.models.map((m) => {
    const c = byModel.get(m.name);
    return c ? { ...m, callsPerItem: c.callsPerItem, costPerItem: c.costPerItem } : m;
  });
  return { ...result, models };
}
