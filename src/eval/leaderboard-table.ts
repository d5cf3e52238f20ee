/**
 * The leaderboard table of every task kind, drawn once: a row per model and strategy (in the order
 * given), the best strategy marked, and the kind's own metric columns supplied by its plug-in.
 * The terminal table and the Markdown report share the columns.
 */
import { markdownCell as esc } from '../util/markdown-cell.js';

/** One metric column: its header and an entry's cell (already formatted, e.g. `95.1`, `-`). */
export interface LeaderboardColumn<E> {
  readonly header: string;
  /** Terminal width (cells are right-aligned to it); 0 = as wide as the cell, left-aligned (a trailing note). */
  readonly width: number;
  /** Spaces before the column in the terminal; default 1. */
  readonly gap?: number;
  cell(entry: E): string;
}

export interface LeaderboardEntry<E> {
  kind: 'model' | 'strategy';
  entry: E;
}

const KIND_WIDTH = 8;


function pad<E>(c: LeaderboardColumn<E>, text: string): string {
  return `${' '.repeat(c.gap ?? 1)}${c.width === 0 ? text : text.padStart(c.width)}`;
}

/** The terminal table: a header line and a line per entry, `* ` before the best strategy. */
export function textLeaderboard<E extends { name: string }>(rows: readonly LeaderboardEntry<E>[], best: string | null, columns: readonly LeaderboardColumn<E>[]): { head: string; lines: string[] } {
  const nameWidth = Math.max(10, ...rows.map((r) => r.entry.name.length + 2));
  const head = `  ${'name'.padEnd(nameWidth)} ${'kind'.padEnd(KIND_WIDTH)}${columns.map((c) => pad(c, c.header)).join('')}`;
  const lines = rows.map((r) => {
    const mark = r.kind === 'strategy' && r.entry.name === best ? '* ' : '  ';
    return `${mark}${r.entry.name.padEnd(nameWidth)} ${r.kind.padEnd(KIND_WIDTH)}${columns.map((c) => pad(c, c.cell(r.entry))).join('')}`.trimEnd();
  });
  return { head, lines };
}

/**
 * A kind's terminal leaderboard before it is drawn: its rows in the kind's rank order, its metric
 * columns, and the lines above and below the table (the task and how it was scored; legends, the
 * recommendation). Every kind's is drawn by drawLeaderboard.
 */
export interface LeaderboardView<E extends { name: string } = { name: string }> {
  readonly title: readonly string[];
  readonly rows: readonly LeaderboardEntry<E>[];
  readonly best: string | null;
  readonly columns: readonly LeaderboardColumn<E>[];
  /** A dashed rule under the header (wide tables with a trailing note). */
  readonly rule: boolean;
  readonly footer: readonly string[];
}

/** The terminal leaderboard of any kind: the title lines, the table, the footer lines. */
export function drawLeaderboard<E extends { name: string }>(view: LeaderboardView<E>): string {
  const { head, lines } = textLeaderboard(view.rows, view.best, view.columns);
  return `${[...view.title, head, ...(view.rule ? ['-'.repeat(head.length + 12)] : []), ...lines, ...view.footer].join('\n')}\n`;
}

/** The Markdown table: `| | name | kind | <columns> |`, `**best**` in the first cell of the best strategy. */
export function markdownLeaderboard<E extends { name: string }>(rows: readonly LeaderboardEntry<E>[], best: string | null, columns: readonly LeaderboardColumn<E>[]): string[] {
  const out = [`| | name | kind | ${columns.map((c) => c.header).join(' | ')} |`, `|---|---|---|${columns.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const mark = r.kind === 'strategy' && r.entry.name === best ? '**best**' : '';
    out.push(`| ${mark} | ${esc(r.entry.name)} | ${r.kind} | ${columns.map((c) => esc(c.cell(r.entry))).join(' | ')} |`);
  }
  return out;
}
