import { summarizePicks } from './mixture-summary.js';

export interface LeaderboardRow {
  kind: 'model' | 'strategy';
  name: string;
  accuracy: number;
  macroF1: number | null;
  coverage: number;
  note: string;
}

/** What every eval result (classification or QA) offers the leaderboard. */
export interface LeaderboardInput {
  task: string;
  items: number;
  models: readonly { name: string; accuracy: number; macroF1?: number | null; coverage: number }[];
  strategies: readonly { name: string; accuracy: number; macroF1?: number | null; coverage: number; scoredOn?: string; picks?: string[]; callsPerItem?: number }[];
  best: string | null;
  oracle: number;
  /** Every recorded answer per item (each sample a call), when known: a strategy asking fewer gets a calls/item note. */
  callsPerItem?: number;
}

const pct = (x: number | null | undefined): string => (x === null || x === undefined || Number.isNaN(x) ? '   -  ' : (100 * x).toFixed(1).padStart(6));

function sortKey(r: { macroF1?: number | null; accuracy: number }): number {
  return r.macroF1 ?? r.accuracy;
}

/** Models and strategies in one table, best first, the best strategy marked with `*`. */
export function leaderboardRows(result: LeaderboardInput): LeaderboardRow[] {
  // Every recorded answer per item: one per model, or each sample of a model (what a non-adaptive strategy uses).
  // Given by the result: with samples, a table of adaptive strategies alone cannot tell it.
  const allCalls = Math.max(result.callsPerItem ?? 0, result.models.length, ...result.strategies.map((s) => s.callsPerItem ?? 0));
  const rows: LeaderboardRow[] = [
    ...result.strategies.map((s) => {
      const picks = s.picks ? ` picks: ${summarizePicks(s.picks).text}` : '';
      const calls = s.callsPerItem !== undefined && s.callsPerItem < allCalls - 1e-9 ? ` ${s.callsPerItem.toFixed(2)} calls/item` : '';
      return {
        kind: 'strategy' as const,
        name: s.name,
        accuracy: s.accuracy,
        macroF1: s.macroF1 ?? null,
        coverage: s.coverage,
        note: `${s.scoredOn ?? ''}${calls}${picks}`.trim(),
      };
    }),
    ...result.models.map((m) => ({ kind: 'model' as const, name: m.name, accuracy: m.accuracy, macroF1: m.macroF1 ?? null, coverage: m.coverage, note: '' })),
  ];
  return rows.sort((a, b) => sortKey(b) - sortKey(a) || b.accuracy - a.accuracy || a.name.localeCompare(b.name));
}

export function renderLeaderboard(result: LeaderboardInput): string {
  const rows = leaderboardRows(result);
  const nameWidth = Math.max(10, ...rows.map((r) => r.name.length + 2));
  const head = `${'  '}${'name'.padEnd(nameWidth)} ${'kind'.padEnd(8)} ${'acc %'.padStart(6)} ${'mF1 %'.padStart(6)} ${'cov %'.padStart(6)}  note`;
  const lines = [
    `${result.task}: ${result.items} items, ${result.models.length} models, oracle ${pct(result.oracle).trim()}%`,
    head,
    '-'.repeat(head.length + 12),
  ];
  for (const r of rows) {
    const mark = r.kind === 'strategy' && r.name === result.best ? '* ' : '  ';
    lines.push(`${mark}${r.name.padEnd(nameWidth)} ${r.kind.padEnd(8)} ${pct(r.accuracy)} ${pct(r.macroF1)} ${pct(r.coverage)}  ${r.note}`.trimEnd());
  }
  lines.push('* best strategy (macro-F1, accuracy for QA); out-of-fold = scored by cross-validation');
  return `${lines.join('\n')}\n`;
}

