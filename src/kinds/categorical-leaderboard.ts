import { type LeaderboardInput, leaderboardView } from '../eval/leaderboard.js';
import type { LeaderboardView } from '../eval/leaderboard-table.js';
import { withModelCosts } from '../report/model-costs.js';
import { recommendationLine } from '../report/recommendation.js';
import type { ReportData } from '../report/report-data.js';
import type { LeaderboardAdvice } from './task-kind.js';

/**
 * The terminal leaderboard of a categorical kind (classification, QA). With `advice` (`fusion eval`):
 * each model's recorded calls and cost per item, and the recommendation (from the report's paired
 * test) as its last line; without (`fusion fuse`), the scores alone.
 */
export function categoricalLeaderboard(result: LeaderboardInput, report: ReportData | undefined, advice?: LeaderboardAdvice): LeaderboardView {
  if (!advice) return leaderboardView(result);
  const line = recommendationLine(result, report?.comparison ?? null, advice.folder);
  return leaderboardView(withModelCosts(result, advice.costs), line ? [line] : []);
}
