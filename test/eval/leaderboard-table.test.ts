import { describe, expect, it } from 'vitest';
import { drawLeaderboard, type LeaderboardColumn, markdownLeaderboard, textLeaderboard } from '../../src/eval/leaderboard-table.js';

type E = { name: string; score: number; note: string };
const columns: LeaderboardColumn<E>[] = [
  { header: 'Spearman', width: 8, cell: (e) => e.score.toFixed(3) },
  { header: 'note', width: 0, gap: 2, cell: (e) => e.note },
];
const rows = [
  { kind: 'strategy' as const, entry: { name: 'calibrated', score: 0.5641, note: 'out-of-fold' } },
  { kind: 'model' as const, entry: { name: 'a-long-judge-name', score: -0.2, note: '' } },
];

describe('the one leaderboard table of every kind', () => {
  it('terminal: the kind supplies the columns; cells end under their headers; the best strategy is starred', () => {
    const { head, lines } = textLeaderboard(rows, 'calibrated', columns);
    expect(lines[0]?.startsWith('* calibrated')).toBe(true);
    expect(lines[1]?.startsWith('  a-long-judge-name')).toBe(true);
    const end = head.indexOf('Spearman') + 'Spearman'.length;
    expect(lines[0]?.indexOf('0.564')).toBe(end - '0.564'.length);
    expect(lines[1]?.indexOf('-0.200')).toBe(end - '-0.200'.length);
    expect(lines[0]?.endsWith('  out-of-fold')).toBe(true);
    expect(lines[1]).toBe(lines[1]?.trimEnd());
  });

  it('Markdown: | mark | name | kind | columns |, with pipes in names escaped', () => {
    const md = markdownLeaderboard([...rows, { kind: 'model' as const, entry: { name: 'a|b', score: 1, note: 'x' } }], 'calibrated', columns);
    expect(md[0]).toBe('| | name | kind | Spearman | note |');
    expect(md[1]).toBe('|---|---|---|---|---|');
    expect(md[2]).toBe('| **best** | calibrated | strategy | 0.564 | out-of-fold |');
    expect(md[4]).toBe('|  | a\\|b | model | 1.000 | x |');
  });

  it('draws any kind\'s view: its title lines, the table (a rule under the header when asked), its footer lines', () => {
    const { head, lines } = textLeaderboard(rows, 'calibrated', columns);
    const bare = drawLeaderboard({ title: ['t: 2 items', ''], rows, best: 'calibrated', columns, rule: false, footer: [] });
    expect(bare).toBe(`${['t: 2 items', '', head, ...lines].join('\n')}\n`);
    const ruled = drawLeaderboard({ title: ['t'], rows, best: 'calibrated', columns, rule: true, footer: ['legend'] });
    expect(ruled.split('\n')).toEqual(['t', head, '-'.repeat(head.length + 12), ...lines, 'legend', '']);
  });
});
