import type { ClassificationEvalResult } from './evaluate.js';
import { renderExplanations } from '../../eval/explanations.js';
import { renderCalls } from '../../eval/calls-report.js';
import { type LeaderboardRow, leaderboardRows } from '../../eval/leaderboard.js';
import { type LeaderboardColumn, markdownLeaderboard } from '../../eval/leaderboard-table.js';
import { markdownCell as esc } from '../../util/markdown-cell.js';

const pct = (x: number): string => (Number.isNaN(x) ? '-' : (100 * x).toFixed(1));
const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

const num3 = (x: number | null | undefined): string => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(3));

/** The classification kind's leaderboard columns (the table around them is src/eval/leaderboard-table.ts); rank MAE and QWK where the labels are ordered. */
function columns(ordered: boolean): LeaderboardColumn<LeaderboardRow>[] {
  return [
    { header: 'accuracy %', width: 6, cell: (row) => pct(row.accuracy) },
    { header: 'macro-F1 %', width: 6, cell: (row) => (row.macroF1 === null ? '-' : pct(row.macroF1)) },
    ...(ordered
      ? [
          { header: 'rank MAE', width: 6, cell: (row: LeaderboardRow) => num3(row.rankMae) },
          { header: 'QWK', width: 6, cell: (row: LeaderboardRow) => num3(row.qwk) },
        ]
      : []),
    { header: 'coverage %', width: 6, cell: (row) => pct(row.coverage) },
    { header: 'note', width: 0, gap: 2, cell: (row) => row.note },
  ];
}

/** A Markdown report of a classification eval: leaderboard, per-class scores, abstentions, agreement. */
export function renderClassificationReport(r: ClassificationEvalResult, opts: { rejectedPerReason?: number; explainStrategy?: string } = {}): string {
  const out: string[] = [];
  out.push(`# ${r.task}: fusion eval`, '');
  out.push(`${r.items} items, ${r.models.length} models, ${r.extras.labels.length} labels. Supervised strategies scored out-of-fold (${r.folds}-fold stratified, seed ${r.seed}); the others on all items. Oracle (some model right): ${pct(r.extras.oracle)}%.`, '');
  out.push('## Leaderboard', '');
  const rows = leaderboardRows({ ...r, oracle: r.extras.oracle });
  out.push(...markdownLeaderboard(rows.map((row) => ({ kind: row.kind, entry: row })), r.best, columns(rows.some((row) => row.rankMae !== undefined))));
  out.push('');
  out.push(...renderCalls(r, { metric: 'macro-F1', of: (s) => s.macroF1, counted: 'items' }));
  out.push('## Calibration of the strategies', '', '| strategy | Brier | ECE (10 bins) |', '|---|---|---|');
  for (const s of r.strategies) out.push(`| ${s.name} | ${s.brier.toFixed(4)} | ${s.ece.toFixed(4)} |`);
  out.push('');
  out.push('## Per-class precision / recall / F1', '');
  const entries = [...r.strategies, ...r.models];
  out.push(`| name | ${r.extras.labels.map(esc).join(' | ')} |`, `|---|${r.extras.labels.map(() => '---').join('|')}|`);
  for (const e of entries) {
    out.push(`| ${esc(e.name)} | ${e.perClass.map((c) => `${pct(c.precision)} / ${pct(c.recall)} / ${pct(c.f1)}`).join(' | ')} |`);
  }
  out.push('');
  out.push('## Abstentions per model', '', 'Answers the normalizer could not read as a label are abstentions, never guesses; `missing` = no recorded answer.', '');
  const reasons = [...new Set(r.models.flatMap((m) => Object.keys(m.abstentions)))].sort();
  if (reasons.length === 0) out.push('None: every answer was read.');
  else {
    out.push(`| model | ${reasons.join(' | ')} | coverage % |`, `|---|${reasons.map(() => '---').join('|')}|---|`);
    for (const m of r.models) {
      const counts = m.abstentions as Record<string, number | undefined>;
      out.push(`| ${esc(m.name)} | ${reasons.map((x) => counts[x] ?? 0).join(' | ')} | ${pct(m.coverage)} |`);
    }
  }
  out.push('');
  if (r.rejected.length > 0) {
    const perReason = opts.rejectedPerReason ?? 20;
    out.push('### Rejected raw answers', '', `Up to ${perReason} per model and reason.`, '');
    const shown = new Map<string, number>();
    out.push('| model | reason | item | raw output | why |', '|---|---|---|---|---|');
    for (const x of r.rejected) {
      const key = `${x.model}\u0000${x.reason}`;
      const c = shown.get(key) ?? 0;
      if (c >= perReason) continue;
      shown.set(key, c + 1);
      out.push(`| ${esc(x.model)} | ${x.reason} | ${esc(x.item)} | \`${esc(clip(x.output, 120)).replace(/`/g, "'")}\` | ${esc(x.detail ?? '')} |`);
    }
    out.push('');
  }
  const explained = r.strategies.find((s) => s.name === (opts.explainStrategy ?? r.best));
  if (explained?.explanations) out.push(...renderExplanations(explained.name, explained.explanations));
  out.push('## Agreement', '', `Fleiss' kappa over all models: ${r.extras.agreement.fleissKappa.toFixed(3)}.`, '');
  if (r.models.length <= 20) {
    out.push("Pairwise Cohen's kappa:", '', `| | ${r.models.map((m) => esc(m.name)).join(' | ')} |`, `|---|${r.models.map(() => '---').join('|')}|`);
    const k = new Map(r.extras.agreement.pairwise.flatMap((p) => [[`${p.a}\u0000${p.b}`, p.kappa], [`${p.b}\u0000${p.a}`, p.kappa]]));
    for (const a of r.models) {
      out.push(`| ${esc(a.name)} | ${r.models.map((b) => (a.name === b.name ? '1' : (k.get(`${a.name}\u0000${b.name}`) ?? Number.NaN).toFixed(2))).join(' | ')} |`);
    }
  } else {
    const sorted = [...r.extras.agreement.pairwise].sort((x, y) => y.kappa - x.kappa);
    out.push(`${r.models.length} models: the 10 most and least agreeing pairs.`, '', '| model A | model B | kappa |', '|---|---|---|');
    for (const p of [...sorted.slice(0, 10), ...sorted.slice(-10)]) out.push(`| ${esc(p.a)} | ${esc(p.b)} | ${p.kappa.toFixed(3)} |`);
  }
  out.push('');
  return out.join('\n');
}

