import { summarizePicks } from './mixture-summary.js';
import { compareRanked } from './ranking.js';
import { drawLeaderboard, type LeaderboardColumn, type LeaderboardView } from './leaderboard-table.js';

export interface LeaderboardRow {
  kind: 'model' | 'strategy';
  name: string;
  accuracy: number;
  macroF1: number | null;
  coverage: number;
  /** Calls (each sample a call) and USD per item; null where unknown (no price). */
  callsPerItem: number | null;
  costPerItem: number | null;
  /** Ordered labels: mean absolute error over label ranks and quadratic weighted kappa (undefined when the task is not ordered). */
  rankMae?: number;
  qwk?: number | null;
  note: string;
}

/** What every eval result (classification or QA) offers the leaderboard. */
export interface LeaderboardInput {
  task: string;
  items: number;
  models: readonly ({ name: string; accuracy: number; macroF1?: number | null; coverage: number; callsPerItem?: number; costPerItem?: number | null } & OrderedScores)[];
  strategies: readonly ({ name: string; accuracy: number; macroF1?: number | null; coverage: number; scoredOn?: string; picks?: string[]; callsPerItem?: number; costPerItem?: number | null } & OrderedScores)[];
  best: string | null;
  oracle: number;
  /** Every recorded answer per item (each sample a call), when known: a strategy asking fewer gets a calls/item note. */
  callsPerItem?: number;
}

/** What an entry of an ordered classification task adds (src/validation/ordered-label-metrics.ts). */
interface OrderedScores {
  rankMae?: number;
  qwk?: number | null;
}

type Scored = LeaderboardInput['models'][number];

/** One entry, a model or a strategy, as a leaderboard row. */
function row(kind: LeaderboardRow['kind'], e: Scored, note: string): LeaderboardRow {
  const ordered = e.rankMae === undefined ? {} : { rankMae: e.rankMae, qwk: e.qwk ?? null };
  return { kind, name: e.name, accuracy: e.accuracy, macroF1: e.macroF1 ?? null, coverage: e.coverage, callsPerItem: e.callsPerItem ?? null, costPerItem: e.costPerItem ?? null, ...ordered, note };
}

const pct = (x: number | null | undefined): string => (x === null || x === undefined || Number.isNaN(x) ? '   -  ' : (100 * x).toFixed(1).padStart(6));

/** Models and strategies in one table, best first, the best strategy marked with `*`. */
export function leaderboardRows(result: LeaderboardInput): LeaderboardRow[] {
  // Every recorded answer per item: one per model, or each sample of a model (what a non-adaptive strategy uses).
  // Given by the result: with samples, a table of adaptive strategies alone cannot tell it.
  const allCalls = Math.max(result.callsPerItem ?? 0, result.models.length, ...result.strategies.map((s) => s.callsPerItem ?? 0));
  const rows: LeaderboardRow[] = [
    ...result.strategies.map((s) => {
      const picks = s.picks ? ` picks: ${summarizePicks(s.picks).text}` : '';
      const calls = s.callsPerItem !== undefined && s.callsPerItem < allCalls - 1e-9 ? ` ${s.callsPerItem.toFixed(2)} calls/item` : '';
      return row('strategy', s, `${s.scoredOn ?? ''}${calls}${picks}`.trim());
    }),
    ...result.models.map((m) => row('model', m, '')),
  ];
  // The one order (src/eval/ranking.ts): the same that picks the `*` and the recommendation.
  return rows.sort(compareRanked);
}

const num = (x: number | null, digits: number, width: number): string => (x === null ? '-' : x.toFixed(digits)).padStart(width);

/** The terminal leaderboard of a categorical kind (classification, QA), drawn by drawLeaderboard; `footer` lines (the recommendation) end it. */
export function renderLeaderboard(result: LeaderboardInput, footer: readonly string[] = []): string {
  return drawLeaderboard(leaderboardView(result, footer));
}

/**
 * The categorical kinds' leaderboard: accuracy and macro-F1 (rank MAE and QWK on ordered labels).
 * Calls and cost per item are columns: what a strategy costs to run is half of the choice.
 */
export function leaderboardView(result: LeaderboardInput, footer: readonly string[] = []): LeaderboardView<LeaderboardRow> {
  const rows = leaderboardRows(result);
  // Ordered labels: how far off in ranks, and the agreement that weighs distance (QWK).
  const ordered = rows.some((r) => r.rankMae !== undefined);
  const columns: LeaderboardColumn<LeaderboardRow>[] = [
    { header: 'acc %', width: 6, cell: (r) => pct(r.accuracy) },
    { header: 'mF1 %', width: 6, cell: (r) => pct(r.macroF1) },
    ...(ordered ? [{ header: 'rkMAE', width: 6, cell: (r: LeaderboardRow) => num(r.rankMae ?? null, 3, 6) }, { header: 'QWK', width: 6, cell: (r: LeaderboardRow) => num(r.qwk ?? null, 3, 6) }] : []),
    { header: 'cov %', width: 6, cell: (r) => pct(r.coverage) },
    { header: 'calls', width: 6, cell: (r) => num(r.callsPerItem, 2, 6) },
    { header: '$/item', width: 9, cell: (r) => num(r.costPerItem, 6, 9) },
    { header: 'note', width: 0, gap: 2, cell: (r) => r.note },
  ];
  const lines: string[] = [];
  lines.push('* best strategy (macro-F1, accuracy for QA; ties: fewer calls, lower cost, then name); calls and $ per item; out-of-fold = scored by cross-validation');
  if (ordered) lines.push('ordered labels: rkMAE = mean absolute error over label ranks (lower is better), QWK = quadratic weighted kappa');
  lines.push(...footer);
  return {
    title: [`${result.task}: ${result.items} items, ${result.models.length} models, oracle ${pct(result.oracle).trim()}%`],
    rows: rows.map((r) => ({ kind: r.kind, entry: r })),
    best: result.best,
    columns,
    rule: true,
    footer: lines,
  };
}

