import type { QaEvalResult } from '../../eval/answer-score.js';
import { renderCalls } from '../../eval/calls-report.js';
import { renderExplanations } from '../../eval/explanations.js';
import { type LeaderboardColumn, markdownLeaderboard } from '../../eval/leaderboard-table.js';

const pct = (x: number): string => (100 * x).toFixed(1);

type QaRow = { name: string; s: QaEvalResult['strategies'][number] | QaEvalResult['models'][number]; note: string };

/** The QA kind's leaderboard columns (the table around them is src/eval/leaderboard-table.ts). */
const COLUMNS: LeaderboardColumn<QaRow>[] = [
  { header: 'accuracy %', width: 6, cell: (row) => pct(row.s.accuracy) },
  { header: 'exact match %', width: 6, cell: (row) => pct(row.s.exactMatch) },
  { header: 'token F1 %', width: 6, cell: (row) => pct(row.s.f1) },
  { header: 'coverage %', width: 6, cell: (row) => pct(row.s.coverage) },
  { header: 'winning cluster right %', width: 6, cell: (row) => ('clusterAccuracy' in row.s ? pct(row.s.clusterAccuracy) : '') },
  { header: 'note', width: 0, gap: 2, cell: (row) => row.note },
];

/** The Markdown eval report of a QA folder: leaderboard, what `auto` chose, calls and cost, risk-coverage, abstentions, unreadable outputs. */
export function renderQaReport(r: QaEvalResult, opts: { rejectedPerReason?: number; explainStrategy?: string } = {}): string {
  const lines: string[] = [];
  const judged = r.extras.scoredBy === 'human' ? 'human judgement of the representative answer' : 'match with the gold answers';
  lines.push(`# ${r.task}: fusion eval (QA, ${r.extras.answerType})`, '');
  lines.push(
    `${r.items} items (${r.extras.scoredItems} scored by ${judged}), ${r.models.length} models, ${r.folds}-fold out-of-fold scoring (seed ${r.seed}); ` +
      `mean ${r.extras.meanClusters.toFixed(2)} answer clusters per item.`,
    '',
  );
  lines.push(`Oracle (some model right): ${pct(r.extras.oracle)}%. Best single model with hindsight: ${r.extras.bestSingle ? `${r.extras.bestSingle.name} ${pct(r.extras.bestSingle.accuracy)}%` : '-'}.`, '');
  const rows = [
    ...r.strategies.map((s) => ({ kind: 'strategy' as const, entry: { name: s.name, s, note: s.picks ? `picks: ${[...new Set(s.picks)].join('/')}` : s.supervised ? 'supervised' : '' } })),
    ...r.models.map((m) => ({ kind: 'model' as const, entry: { name: m.name, s: m, note: '' } })),
  ].sort((a, b) => b.entry.s.accuracy - a.entry.s.accuracy || a.entry.name.localeCompare(b.entry.name));
  lines.push(...markdownLeaderboard(rows, r.best, COLUMNS), '');
  // One level below this section's heading: the QA report is a section of the eval report.
  lines.push(...renderCalls(r, { metric: 'accuracy', of: (s) => s.accuracy, counted: 'scored questions' }).map((l) => (l.startsWith('#') ? `#${l}` : l)));
  const explained = r.strategies.find((s) => s.name === (opts.explainStrategy ?? r.best));
  if (explained?.explanations) lines.push(...renderExplanations(explained.name, explained.explanations).map((l) => (l.startsWith('#') ? `#${l}` : l)));
  const reasons = [...new Set(r.models.flatMap((m) => Object.keys(m.abstentions)))].sort();
  if (reasons.length > 0) {
    lines.push('### Unreadable outputs per model', '', `| model | ${reasons.join(' | ')} |`, `|---|${reasons.map(() => '---').join('|')}|`);
    for (const m of r.models) lines.push(`| ${m.name} | ${reasons.map((k) => String(m.abstentions[k as keyof typeof m.abstentions] ?? 0)).join(' | ')} |`);
    lines.push('');
  }
  const perReason = opts.rejectedPerReason ?? 3;
  if (perReason > 0 && r.rejected.length > 0) {
    lines.push('### Examples of unreadable outputs', '');
    const shown = new Map<string, number>();
    for (const x of r.rejected) {
      const n = shown.get(x.reason) ?? 0;
      if (n >= perReason) continue;
      shown.set(x.reason, n + 1);
      const text = x.output.length > 300 ? `${x.output.slice(0, 150)} [...] ${x.output.slice(-140)}` : x.output;
      lines.push(`- \`${x.reason}\` ${x.model} on ${x.item}${x.detail ? ` (${x.detail})` : ''}: ${JSON.stringify(text)}`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
