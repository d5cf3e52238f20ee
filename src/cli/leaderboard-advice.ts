import type { LeaderboardInput } from '../eval/leaderboard.js';
import { renderLeaderboard } from '../eval/leaderboard.js';
import { type ModelCost, withModelCosts } from '../report/model-costs.js';
import { recommendationLine } from '../report/recommendation.js';
import type { ReportData } from '../report/report-data.js';

/** The terminal leaderboard of an eval: each model's recorded calls and cost per item, and the recommendation as its last line. */
export function leaderboardWithAdvice(result: LeaderboardInput, report: ReportData | undefined, costs: readonly ModelCost[], folder: string): string {
  const line = recommendationLine(result, report?.comparison ?? null, folder);
  return renderLeaderboard(withModelCosts(result, costs), line ? [line] : []);
}
