import { biasNoiseChart, esc, htmlPage, type ModelCost, scoreScatter, stackedBars, type ScoredPoint } from '../../report/index.js';
import type { RatingMatrix, RatingAbstention } from './rating-matrix.js';
import type { JudgeProfile, RatingPrediction } from './strategy.js';

/** Points past this many make the scatter plot a blot and the page heavy: a deterministic subset is drawn (every k-th item). */
export const MAX_SCATTER_POINTS = 300;
const EXAMPLES_PER_REASON = 3;

/** One leaderboard row of the rating page. */
export interface RatingReportEntry {
  name: string;
  kind: 'model' | 'strategy';
  spearman: number;
  pearson: number;
  mae: number;
  rmse: number;
  qwk: number | null;
  coverage: number;
  /** Strategies: share of scored items whose 80% interval holds the gold score, and the interval's mean width. */
  intervalCoverage: number | null;
  intervalWidth: number | null;
  callsPerItem: number | null;
  costPerItem: number | null;
}

/** A judge's error against the gold scores: bias = mean signed error, noise = SD of the error once the bias is removed. */
export interface JudgeError {
  judge: string;
  scored: number;
  bias: number;
  noise: number;
}

/** The data of a rating task's HTML page (also written under `report` in `fusion eval --json`). */
export interface RatingReportData {
  format: 'llm-fusion/report';
  version: 1;
  task: string;
  kind: string;
  scale: { min: number; max: number };
  items: number;
  scoredItems: number;
  judges: string[];
  folds: number;
  seed: number;
  best: string | null;
  entries: RatingReportEntry[];
  /** The best strategy's out-of-fold fused scores against gold (a deterministic subset when there are many). */
  scatter: { strategy: string; total: number; points: ScoredPoint[] } | null;
  judgeErrors: JudgeError[];
  /** Each judge's bias, noise and weight as the best strategy, fitted on every scored item, estimates them (when it has them). */
  profile: { strategy: string; judges: JudgeProfile[] } | null;
  /** Per judge: items with no readable score, by reason (`missing` = no recorded answer), with a few examples. */
  abstentions: { judge: string; counts: Record<string, number>; examples: { item: string; reason: string; output: string }[] }[];
}

/** Bias and noise of each judge against gold, on the items both scored. */
export function judgeErrors(m: RatingMatrix, gold: Float64Array): JudgeError[] {
  const J = m.judges.length;
  return m.judges.map((judge, j) => {
    const errors: number[] = [];
    for (let i = 0; i < m.itemIds.length; i++) {
      const s = m.scores[i * J + j] as number;
      const g = gold[i] as number;
      if (Number.isFinite(s) && Number.isFinite(g)) errors.push(s - g);
    }
    const n = errors.length;
    const bias = n === 0 ? Number.NaN : errors.reduce((a, b) => a + b, 0) / n;
    const noise = n < 2 ? Number.NaN : Math.sqrt(errors.reduce((a, e) => a + (e - bias) ** 2, 0) / (n - 1));
    return { judge, scored: n, bias, noise };
  });
}

/** The scored items (gold and a fused score) as points, every k-th when there are more than `max`. */
export function scatterPoints(m: RatingMatrix, gold: Float64Array, oof: RatingPrediction, max = MAX_SCATTER_POINTS): { total: number; points: ScoredPoint[] } {
  const scored: number[] = [];
  for (let i = 0; i < m.itemIds.length; i++) if (Number.isFinite(gold[i] as number) && Number.isFinite(oof.score[i] as number)) scored.push(i);
  const pick = scored.length <= max ? scored : Array.from({ length: max }, (_, k) => scored[Math.floor((k * scored.length) / max)] as number);
  return {
    total: scored.length,
    points: pick.map((i) => ({ item: m.itemIds[i] as string, gold: gold[i] as number, score: oof.score[i] as number, low: oof.low[i] as number, high: oof.high[i] as number })),
  };
}

/** Per judge: unreadable answers by reason, and items it never answered (`missing`). */
export function judgeAbstentions(m: RatingMatrix, abstentions: readonly RatingAbstention[]): RatingReportData['abstentions'] {
  const J = m.judges.length;
  return m.judges.map((judge, j) => {
    const mine = abstentions.filter((a) => a.model === judge);
    const counts: Record<string, number> = {};
    const examples: { item: string; reason: string; output: string }[] = [];
    const perReason = new Map<string, number>();
    for (const a of mine) {
      counts[a.reason] = (counts[a.reason] ?? 0) + 1;
      const shown = perReason.get(a.reason) ?? 0;
      if (shown < EXAMPLES_PER_REASON) examples.push({ item: a.item, reason: a.detail === undefined ? a.reason : `${a.reason}: ${a.detail}`, output: a.output });
      perReason.set(a.reason, shown + 1);
    }
    const abstained = new Set(mine.map((a) => a.item));
    let missing = 0;
    for (let i = 0; i < m.itemIds.length; i++) if (Number.isNaN(m.scores[i * J + j] as number) && !abstained.has(m.itemIds[i] as string)) missing++;
    if (missing > 0) counts.missing = missing;
    return { judge, counts, examples };
  });
}

/** Calls and $ per item of a strategy that reads every judge: the sum over the judges (cost unknown when one judge's is). */
export function everyJudgeCost(judges: readonly string[], costs: readonly ModelCost[]): { callsPerItem: number | null; costPerItem: number | null } {
  const by = new Map(costs.map((c) => [c.model, c]));
  let calls = 0;
  let cost: number | null = 0;
  for (const j of judges) {
    const c = by.get(j);
    if (!c) return { callsPerItem: null, costPerItem: null };
    calls += c.callsPerItem;
    cost = cost === null || c.costPerItem === null ? null : cost + c.costPerItem;
  }
  return { callsPerItem: calls, costPerItem: cost };
}

const num = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits));
const pct = (x: number | null | undefined): string => (x === null || x === undefined || Number.isNaN(x) ? '-' : (100 * x).toFixed(1));
const dv = (x: number | null | undefined): string => (x === null || x === undefined || Number.isNaN(x) ? '' : String(x));

function leaderboardSection(d: RatingReportData): string {
  const withQwk = d.entries.some((e) => e.qwk !== null);
  const head = ['name', 'kind', 'Spearman', 'Pearson', 'MAE', 'RMSE', ...(withQwk ? ['QWK'] : []), 'coverage %', '80% interval holds gold %', 'interval width', 'calls/item', '$/item'];
  const rows = d.entries.map((e) => {
    const best = e.kind === 'strategy' && e.name === d.best;
    const cells = [
      `<td>${esc(e.name)}${best ? ' *' : ''}</td>`,
      `<td>${e.kind}</td>`,
      ...[e.spearman, e.pearson, e.mae, e.rmse, ...(withQwk ? [e.qwk] : [])].map((v) => `<td data-v="${dv(v)}">${num(v)}</td>`),
      `<td data-v="${dv(e.coverage)}">${pct(e.coverage)}</td>`,
      `<td data-v="${dv(e.intervalCoverage)}">${pct(e.intervalCoverage)}</td>`,
      `<td data-v="${dv(e.intervalWidth)}">${num(e.intervalWidth, 2)}</td>`,
      `<td data-v="${dv(e.callsPerItem)}">${num(e.callsPerItem, 2)}</td>`,
      `<td data-v="${dv(e.costPerItem)}">${num(e.costPerItem, 6)}</td>`,
    ];
    return `<tr class="${e.kind}${best ? ' best' : ''}">${cells.join('')}</tr>`;
  });
  return `<section><h2>Leaderboard</h2><p class="meta">Click a column to sort. * = best strategy (highest Spearman, lower MAE breaks ties, as in the terminal). Judges are scored on their own answers; strategies out-of-fold. A strategy reads every judge: its calls and $ per item are the judges' sum.</p><div class="wrap"><table id="leaderboard" class="sortable"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`;
}

function scatterSection(d: RatingReportData): string {
  const s = d.scatter;
  if (!s || s.total === 0) return '';
  const shown = s.points.length < s.total ? ` ${s.points.length} of the ${s.total} scored items are drawn (evenly spaced in item order, the same ones on every run), so the plot stays readable.` : '';
  return `<section><h2>Fused score against gold: ${esc(s.strategy)}</h2><p class="meta">Out-of-fold fused score (dot) and its 80% interval (bar: orange when it holds the gold score, red when it misses) against the gold score; the dashed diagonal is a perfect fuser.${shown}</p>${scoreScatter(s.points, d.scale, `fused score of ${s.strategy} against gold`)}</section>`;
}

/** A judge's place in a fallback order, as the judge table shows it. */
function roleOf(fallback: number | undefined): string {
  if (fallback === undefined) return '-';
  return fallback === 0 ? 'chosen' : `fallback ${fallback}`;
}

function judgeSection(d: RatingReportData): string {
  const profile = new Map((d.profile?.judges ?? []).map((p) => [p.judge, p]));
  const est = d.profile !== null;
  // A strategy that scores each item with one judge (best-model) has a fallback order, not weights.
  const ordered = (d.profile?.judges ?? []).some((p) => p.fallback !== undefined);
  const head = ['judge', 'items scored', 'bias', 'noise', ...(est ? [`bias (${esc(d.profile?.strategy ?? '')})`, 'noise (model)', ordered ? 'role (model)' : 'weight (model)'] : [])];
  const rows = d.judgeErrors.map((e) => {
    const p = profile.get(e.judge);
    const last = ordered ? `<td data-v="${p?.fallback ?? ''}">${roleOf(p?.fallback)}</td>` : `<td data-v="${dv(p?.weight)}">${num(p?.weight)}</td>`;
    const extra = est ? [p?.bias, p?.noise].map((v) => `<td data-v="${dv(v)}">${num(v)}</td>`).join('') + last : '';
    return `<tr><td>${esc(e.judge)}</td><td data-v="${e.scored}">${e.scored}</td><td data-v="${dv(e.bias)}">${num(e.bias)}</td><td data-v="${dv(e.noise)}">${num(e.noise)}</td>${extra}</tr>`;
  });
  const estNote = est
    ? ` The last three columns are what ${esc(d.profile?.strategy ?? '')}, fitted on every scored item, estimates on the fused scale${ordered ? `; it scores each item with the chosen judge alone, or where that judge left it unscored with the first fallback that scored it, in the order shown` : ''}.`
    : '';
  return `<section><h2>Judges: bias and noise</h2><p class="meta">Against the gold scores: bias = mean signed error (score - gold; above 0 = lenient), noise = standard deviation of the error once the bias is removed.${estNote}</p><div class="wrap"><table id="judges" class="sortable"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div><div style="margin-top:12px">${biasNoiseChart(
    d.judgeErrors.map((e) => ({ name: e.judge, bias: e.bias, noise: e.noise })),
    'bias (dot) and one noise SD either side (bar), in score points',
  )}</div></section>`;
}

function abstentionSection(d: RatingReportData): string {
  const reasons = [...new Set(d.abstentions.flatMap((a) => Object.keys(a.counts)))].sort();
  if (reasons.length === 0) return `<section><h2>Unreadable answers</h2><p>Every judge gave a readable score on every item.</p></section>`;
  const examples = d.abstentions
    .filter((a) => Object.keys(a.counts).length > 0)
    .map(
      (a) =>
        `<details><summary>${esc(a.judge)}: ${Object.entries(a.counts)
          .map(([r, n]) => `${n} ${esc(r)}`)
          .join(', ')}</summary>${a.examples.map((x) => `<div><b>${esc(x.reason)}</b> on ${esc(x.item)}<pre>${esc(x.output)}</pre></div>`).join('')}</details>`,
    )
    .join('');
  return `<section><h2>Unreadable answers</h2><p class="meta">Answers the score reader could not read (outside the scale, no score found...), by judge and reason, counted per answer (each sample is one); missing = an item with no recorded answer. A judge with several samples of an item still scores it when one of them is readable. Click a judge for examples.</p>${stackedBars(
    d.abstentions.map((a) => ({ name: a.judge, counts: a.counts })),
    reasons,
    'unreadable answers by reason',
  )}${examples}</section>`;
}

/** The rating page: the leaderboard, fused score against gold, the judges' bias and noise, unreadable answers; on the shared skeleton. */
export function renderRatingHtml(d: RatingReportData): string {
  const meta = `${d.kind}, scale ${d.scale.min}-${d.scale.max}, ${d.items} items (${d.scoredItems} with a gold score), ${d.judges.length} judges, ${d.entries.filter((e) => e.kind === 'strategy').length} strategies; strategies scored out-of-fold (${d.folds} grouped folds, seed ${d.seed}).`;
  return htmlPage({ title: d.task, heading: `${d.task}: judges and fusion strategies`, meta, sections: [leaderboardSection(d), scatterSection(d), judgeSection(d), abstentionSection(d)] });
}
