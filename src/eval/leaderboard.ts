import { summarizePicks } from './mixture-summary.js';
import { compareRanked } from './ranking.js';

export interface LeaderboardRow {
  kind: 'model' | 'strategy';
  name: string;
  accuracy: number;
  macroF1: number | null;
  coverage: number;
  /** Calls (each sample a call) and USD per item; null where unknown (no price). */
  callsPerItem: number | null;
  costPerItem: number | null;
  note: string;
}

/** What every eval result (classification or QA) offers the leaderboard. */
export interface LeaderboardInput {
  task: string;
  items: number;
  models: readonly { name: string; accuracy: number; macroF1?: number | null; coverage: number; callsPerItem?: number; costPerItem?: number | null }[];
  strategies: readonly { name: string; accuracy: number; macroF1?: number | null; coverage: number; scoredOn?: string; picks?: string[]; callsPerItem?: number; costPerItem?: number | null }[];
  best: string | null;
  oracle: number;
  /** Every recorded answer per item (each sample a call), when known: a strategy asking fewer gets a calls/item note. */
  callsPerItem?: number;
}

type Scored = LeaderboardInput['models'][number];

/** One entry, a model or a strategy, as a leaderboard row. */
function row(kind: LeaderboardRow['kind'], e: Scored, note: string): LeaderboardRow {
  return { kind, name: e.name, accuracy: e.accuracy, macroF1: e.macroF1 ?? null, coverage: e.coverage, callsPerItem: e.callsPerItem ?? null, costPerItem: e.costPerItem ?? null, note };
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

/**
 * The terminal leaderboard; `footer` lines (the recommendation) end it. Calls and cost per item are
 * columns: what a strategy costs to run is half of the choice.
 */
export function renderLeaderboard(result: LeaderboardInput, footer: readonly string[] = []): string {
  const rows = leaderboardRows(result);
  const nameWidth = Math.max(10, ...rows.map((r) => r.name.length + 2));
  const head = `${'  '}${'name'.padEnd(nameWidth)} ${'kind'.padEnd(8)} ${'acc %'.padStart(6)} ${'mF1 %'.padStart(6)} ${'cov %'.padStart(6)} ${'calls'.padStart(6)} ${'$/item'.padStart(9)}  note`;
  const lines = [
    `${result.task}: ${result.items} items, ${result.models.length} models, oracle ${pct(result.oracle).trim()}%`,
    head,
    '-'.repeat(head.length + 12),
  ];
  for (const r of rows) {
    const mark = r.kind === 'strategy' && r.name === result.best ? '* ' : '  ';
    lines.push(`${mark}${r.name.padEnd(nameWidth)} ${r.kind.padEnd(8)} ${pct(r.accuracy)} ${pct(r.macroF1)} ${pct(r.coverage)} ${num(r.callsPerItem, 2, 6)} ${num(r.costPerItem, 6, 9)}  ${r.note}`.trimEnd());
  }
  lines.push('* best strategy (macro-F1, accuracy for QA; ties: fewer calls, lower cost, then name); calls and $ per item; out-of-fold = scored by cross-validation');
  lines.push(...footer);
  return `${lines.join('\n')}\n`;
}

