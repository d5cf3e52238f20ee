import type { LeaderboardInput } from '../eval/leaderboard.js';
import { renderLeaderboard } from '../eval/leaderboard.js';
import type { ModelCost } from '../report/model-costs.js';
import { recommendationLine } from '../report/recommendation.js';
import type { ReportData } from '../report/report-data.js';

/** The terminal leaderboard of an eval: each model's recorded calls and cost per item, and the recommendation as its last line. */
export function leaderboardWithAdvice(result: LeaderboardInput, report: ReportData | undefined, costs: readonly ModelCost[], folder: string): string {
  const byModel = new Map(costs.map((c) => [c.model, c]));
  const models = result.models.map((m) => {
    const c = byModel.get(m.name);
    return c ? { ...m, callsPerItem: c.callsPerItem, costPerItem: c.costPerItem } : m;
  });
  const line = recommendationLine(result, report?.comparison ?? null, folder);
  return renderLeaderboard({ ...result, models }, line ? [line] : []);
}
