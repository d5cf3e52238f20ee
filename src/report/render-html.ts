import type { CostChart, ReportData, ReportEntry } from './report-data.js';
import { htmlPage } from './html-page.js';
import { barChartWithIntervals, costQualityChart, esc, heatmap, reliabilityDiagram, simpleBars, stackedBars } from './svg.js';

const pct = (x: number | null | undefined, digits = 1): string => (x === null || x === undefined || Number.isNaN(x) ? '-' : (100 * x).toFixed(digits));
const num = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits));
const dv = (x: number | null | undefined): string => (x === null || x === undefined || Number.isNaN(x) ? '' : String(x));

function leaderboardTable(d: ReportData): string {
  // Label metrics (macro-F1, AUC, calibration) where the task has a fixed label set.
  const cls = d.labels !== null;
  // Rank error and QWK where the labels are ordered (the entries carry them then).
  const ordered = d.entries.some((e) => e.rankMae !== undefined);
  const head = ['name', 'kind', 'accuracy %', ...(cls ? ['macro-F1 %', 'ROC-AUC'] : []), ...(ordered ? ['rank MAE', 'QWK'] : []), 'coverage %', 'calls/item', '$/item', ...(cls ? ['ECE', 'Brier'] : []), 'note'];
  const rows = d.entries.map((e) => {
    const best = e.kind === 'strategy' && e.name === d.best;
    const cells = [
      `<td>${esc(e.name)}${best ? ' *' : ''}</td>`,
      `<td>${e.kind}</td>`,
      `<td data-v="${dv(e.accuracy)}">${pct(e.accuracy)} <span class="ci">[${pct(e.accuracyCi.low)}, ${pct(e.accuracyCi.high)}]</span></td>`,
      ...(cls
        ? [
            `<td data-v="${dv(e.macroF1)}">${pct(e.macroF1)} <span class="ci">${e.macroF1Ci ? `[${pct(e.macroF1Ci.low)}, ${pct(e.macroF1Ci.high)}]` : ''}</span></td>`,
            `<td data-v="${dv(e.rocAuc)}">${num(e.rocAuc)}</td>`,
          ]
        : []),
      ...(ordered ? [`<td data-v="${dv(e.rankMae)}">${num(e.rankMae)}</td>`, `<td data-v="${dv(e.qwk)}">${num(e.qwk)}</td>`] : []),
      `<td data-v="${dv(e.coverage)}">${pct(e.coverage)}</td>`,
      `<td data-v="${dv(e.callsPerItem)}">${num(e.callsPerItem, 2)}</td>`,
      `<td data-v="${dv(e.costPerItem)}">${num(e.costPerItem, 6)}</td>`,
      ...(cls ? [`<td data-v="${dv(e.ece)}">${num(e.ece)}</td>`, `<td data-v="${dv(e.brier)}">${num(e.brier)}</td>`] : []),
      `<td class="text">${esc(e.note)}</td>`,
    ];
    return `<tr class="${e.kind}${best ? ' best' : ''}">${cells.join('')}</tr>`;
  });
  return `<div class="wrap"><table id="leaderboard" class="sortable"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function leaderboardChart(d: ReportData): string {
  const useF1 = d.labels !== null;
  const rows = d.entries.map((e) => {
    const ci = useF1 && e.macroF1Ci ? e.macroF1Ci : e.accuracyCi;
    return { name: e.name, kind: e.kind, value: useF1 ? (e.macroF1 ?? 0) : e.accuracy, low: ci.low, high: ci.high, highlight: e.kind === 'strategy' && e.name === d.best };
  });
  return barChartWithIntervals(rows, `${useF1 ? 'macro-F1' : 'accuracy'} % with 95% bootstrap interval (blue: model, orange: strategy, red: best strategy)`);
}

function perClassSection(d: ReportData): string {
  const labels = d.labels ?? [];
  const entries = d.entries.filter((e) => e.perClass);
  if (labels.length === 0 || entries.length === 0) return '';
  const rows = entries.map((e) => {
    const cells = labels.map((l) => {
      const c = e.perClass?.find((p) => p.label === l);
      if (!c) return '<td>-</td>';
      return `<td data-v="${c.f1}" data-p="${num(c.precision, 2)}" data-r="${num(c.recall, 2)}" data-f="${num(c.f1, 2)}" title="P ${num(c.precision, 2)} R ${num(c.recall, 2)} F1 ${num(c.f1, 2)} (support ${c.support})">${num(c.f1, 2)}</td>`;
    });
    return `<tr class="${e.kind}"><td>${esc(e.name)}</td><td>${e.kind}</td>${cells.join('')}</tr>`;
  });
  const support = entries[0]?.perClass ?? [];
  return `<section><h2>Per class</h2><p>Show <select id="perclass-metric"><option value="f">F1</option><option value="p">precision</option><option value="r">recall</option></select> per class (hover a cell for all three). Support: ${support.map((c) => `${esc(c.label)} ${c.support}`).join(', ')}.</p>
<div class="wrap"><table id="perclass" class="sortable"><thead><tr><th>name</th><th>kind</th>${labels.map((l) => `<th>${esc(l)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`;
}

function confusionSection(d: ReportData): string {
  const c = d.confusion;
  if (!c) return '';
  const cols = [...c.labels, '(abstained)'];
  const values = c.counts.map((row) => row.map(String));
  const shade = c.counts.map((row) => {
    const total = row.reduce((s, v) => s + v, 0) || 1;
    return row.map((v) => v / total);
  });
  return `<section><h2>Confusion matrix of ${esc(c.strategy)}</h2><p class="meta">Rows: gold label; columns: the fused label; shading by share of the row.</p>${heatmap(c.labels, cols, values, shade, { label: `confusion matrix of ${c.strategy}` })}</section>`;
}

function reliabilitySection(d: ReportData): string {
  const withBins = d.entries.filter((e): e is ReportEntry & { reliability: NonNullable<ReportEntry['reliability']> } => e.reliability !== null && e.reliability.length > 0);
  if (withBins.length === 0) return '';
  return `<section><h2>Calibration</h2><p class="meta">Reliability diagrams: decided items binned by the top label's probability (10 bins); a calibrated predictor sits on the diagonal. ECE = the count-weighted mean gap. Strategies, and models that give graded probabilities.</p><div class="grid">${withBins.map((e) => reliabilityDiagram(e.name, e.reliability, e.ece)).join('')}</div></section>`;
}

/** Heatmaps past this many models are unreadable and heavy (cells grow as M squared): the most accurate ones are drawn. */
const MAX_HEATMAP_MODELS = 30;

function agreementSection(d: ReportData): string {
  const a = d.agreement;
  if (a.models.length < 2) return '';
  const accuracy = new Map(d.entries.filter((e) => e.kind === 'model').map((e) => [e.name, e.accuracy]));
  const keep = a.models
    .map((m, j) => ({ m, j }))
    .sort((x, y) => (accuracy.get(y.m) ?? 0) - (accuracy.get(x.m) ?? 0))
    .slice(0, MAX_HEATMAP_MODELS)
    .map((x) => x.j)
    .sort((x, y) => x - y);
  const names = keep.map((j) => a.models[j] as string);
  const sub = (m: number[][]): number[][] => keep.map((r) => keep.map((c) => m[r]?.[c] ?? 0));
  const fmt = (m: number[][]): string[][] => m.map((r) => r.map((v) => v.toFixed(2)));
  const kappaM = a.kappa ? sub(a.kappa) : null;
  const errM = sub(a.errorCorrelation);
  const kappa = kappaM ? `<div><h3>Cohen's kappa between models</h3>${heatmap(names, names, fmt(kappaM), kappaM, { label: 'pairwise kappa', diverging: true })}</div>` : '';
  const err = `<div><h3>Correlation of the models' errors</h3>${heatmap(names, names, fmt(errM), errM, { label: 'error correlation', diverging: true })}</div>`;
  const fleiss = a.fleissKappa === null ? '' : ` Fleiss' kappa over all models: ${a.fleissKappa.toFixed(3)}.`;
  const subset = keep.length < a.models.length ? ` The heatmaps show the ${keep.length} most accurate of the ${a.models.length} models (all of them are in --json).` : '';
  return `<section><h2>Agreement</h2><p>Mean pairwise error correlation ${a.meanErrorCorrelation.toFixed(3)}: the ${a.models.length} models are worth about <b>${a.effectiveVoters.toFixed(1)} independent voters</b> (M / (1 + (M - 1) rho)).${fleiss} Oracle (some model right): ${pct(d.oracle)}%.${subset}</p><div class="grid">${kappa}${err}</div></section>`;
}

function costChart(c: CostChart, xLabel: string): string {
  return costQualityChart(
    c.points.map((p) => ({ name: p.name, kind: p.kind, x: p.x, y: p.accuracy, pareto: p.pareto })),
    c.curves.map((k) => ({ name: k.name, points: k.points.map((p) => ({ x: p.x, y: p.accuracy })) })),
    xLabel,
  );
}

function costSection(d: ReportData): string {
  const c = d.cost;
  const xLabel = c.axis === 'cost' ? 'recorded cost per item (USD)' : 'calls per item (no costs recorded)';
  const front = c.points.filter((p) => p.pareto).map((p) => esc(p.name));
  const calls = d.calls ? costChart(d.calls, 'calls per item') : '';
  return `<section><h2>Cost and quality</h2><p class="meta">Accuracy against ${c.axis === 'cost' ? 'cost' : 'calls'} per item; each strategy at the answers it used per item (all models, or fewer for an adaptive policy, whose curve shows every setting of its stopping rule replayed on the test folds). Pareto front: ${front.join(', ')}.</p>${costChart(c, xLabel)}${calls}</section>`;
}

function riskCoverageSection(d: ReportData): string {
  const first = d.riskCoverage[0];
  if (!first) return '';
  const head = first.points.map((p) => `<th>${Math.round(100 * p.coverage)}%</th>`).join('');
  const rows = d.riskCoverage.map((r) => `<tr><td>${esc(r.strategy)}</td>${r.points.map((p) => `<td data-v="${dv(p.accuracy)}">${pct(p.accuracy)} <span class="ci">p &ge; ${num(p.minConfidence, 2)}</span></td>`).join('')}</tr>`);
  return `<section><h2>Accuracy at coverage</h2><p class="meta">Accuracy % of each strategy on its most confident share of the ${d.scoredItems} scored items, and the fused probability of the winner at that cut: <code>fusion run --min-confidence</code> at that value abstains (<code>no-consensus</code>) on about the rest.</p><div class="wrap"><table class="sortable"><thead><tr><th>strategy</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`;
}

function abstentionSection(d: ReportData): string {
  const reasons = [...new Set(d.abstentions.flatMap((a) => Object.keys(a.counts)))].sort();
  if (reasons.length === 0) return `<section><h2>Abstentions</h2><p>Every model gave a readable answer on every item.</p></section>`;
  const examples = d.abstentions
    .filter((a) => a.examples.length > 0)
    .map(
      (a) =>
        `<details><summary>${esc(a.model)}: ${Object.entries(a.counts)
          .map(([r, n]) => `${n} ${esc(r)}`)
          .join(', ')}</summary>${a.examples.map((x) => `<div><b>${esc(x.reason)}</b> on ${esc(x.item)}<pre>${esc(x.output)}</pre></div>`).join('')}</details>`,
    )
    .join('');
  return `<section><h2>Abstentions</h2><p class="meta">Answers the normalizer could not read, by model and reason (missing = no recorded answer). Click a model for examples.</p>${stackedBars(
    d.abstentions.map((a) => ({ name: a.model, counts: a.counts })),
    reasons,
    'abstentions by reason',
  )}${examples}</section>`;
}

/** Characters of an item's text, or of an answer, shown before the rest is folded away (a click shows it whole). */
const TEXT_SHOWN = 160;
const ANSWER_SHOWN = 60;

/** `text` cut at a word near `n` characters; the whole of it on click (not also in a title: the page would carry it three times). */
function folded(text: string, n: number): string {
  if (text.length <= n) return esc(text);
  const head = text.slice(0, n);
  const space = head.lastIndexOf(' ');
  const cut = `${(space > n / 2 ? head.slice(0, space) : head).trimEnd()}…`;
  return `<details class="more"><summary><span class="cut">${esc(cut)}</span></summary><span class="full">${esc(text)}</span></details>`;
}

/** Past this many models, the tally alone: naming every model on every row would make most of the page (500 rows by 112 names). */
const MAX_NAMED_MODELS = 16;

/** The answers of the models as a tally (most common first); on click, which models gave each (up to MAX_NAMED_MODELS models). */
function answersCell(models: readonly string[], answers: readonly (string | null)[]): string {
  const groups = new Map<string, string[]>();
  answers.forEach((a, j) => {
    const key = a ?? '(abstained)';
    groups.set(key, [...(groups.get(key) ?? []), models[j] as string]);
  });
  const sorted = [...groups].sort((x, y) => y[1].length - x[1].length);
  const tally = sorted.map(([a, ms]) => `${esc(a.length > ANSWER_SHOWN ? `${a.slice(0, ANSWER_SHOWN)}\u2026` : a)} <b>${ms.length}</b>`).join(', ');
  if (models.length > MAX_NAMED_MODELS) return tally;
  const who = sorted.map(([a, ms]) => `<div><b>${esc(a)}</b>: ${esc(ms.join(', '))}</div>`).join('');
  return `<details class="answers"><summary>${tally}</summary>${who}</details>`;
}

/**
 * The contested items: each item's text (cut, whole on click), the tally of the models'
 * answers (each model's on click) and the fused answer. A fixed layout at the page's width whatever
 * the number of models or the length of the texts: the cells wrap, the table never scrolls sideways.
 */
function contestedSection(d: ReportData): string {
  const c = d.contested;
  if (c.total === 0) return '';
  const cls = d.labels !== null;
  const rows = c.shown.map(
    (x) =>
      `<tr data-right="${x.fusedRight ? 1 : 0}"><td><span class="id">${esc(x.item)}</span>${x.text === null ? '' : `<div class="item-text">${folded(x.text, TEXT_SHOWN)}</div>`}</td>${cls ? `<td>${esc(x.gold ?? '-')}</td>` : ''}<td>${answersCell(c.models, x.answers)}</td><td class="${x.fusedRight ? 'right' : 'wrong'}">${x.fused === null ? '<i>none</i>' : folded(x.fused, ANSWER_SHOWN)} ${x.fusedRight ? '&#10003;' : '&#10007;'}</td><td class="why">${esc(x.explanation)}</td></tr>`,
  );
  const shownNote = c.shown.length < c.total ? ` (the first ${c.shown.length} shown)` : '';
  // Column shares of the page's width: the item's text gets the most.
  const widths = cls ? [38, 9, 20, 11, 22] : [38, 24, 16, 22];
  const cols = `<colgroup>${widths.map((w) => `<col style="width:${w}%">`).join('')}</colgroup>`;
  return `<section><h2>Contested items</h2><p>${c.total} items on which the models disagree${shownNote}; fused answer of ${esc(c.strategy ?? '-')}. Click a cut text (ending in …) or the answers to see them whole. Filter: <input id="contested-filter" placeholder="item, text, label, model..."> <select id="contested-show"><option value="all">all</option><option value="wrong">fused wrong</option><option value="right">fused right</option></select> <span id="contested-count">${c.shown.length}</span> rows.</p>
<div class="wrap"><table id="contested" class="sortable">${cols}<thead><tr><th>item</th>${cls ? '<th>gold</th>' : ''}<th>answers of the ${c.models.length} models</th><th>fused</th><th>why</th></tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`;
}

function autoSection(d: ReportData): string {
  const a = d.auto;
  if (!a || a.components.length === 0) return '';
  const top = a.components.slice(0, 10);
  return `<section><h2>What ${esc(a.strategy)} mixed</h2><p>${esc(a.text)}. Mean weight of each component over the ${a.folds} folds (0 in folds that dropped it).</p>${simpleBars(
    a.families.map((c) => ({ name: c.name, value: c.weight })),
    'mean weight per strategy family',
    Math.max(...a.families.map((c) => c.weight)),
  )}<details><summary>Each component (setting in parentheses)</summary>${simpleBars(
    top.map((c) => ({ name: c.name, value: c.weight })),
    'mean weight of each component',
    Math.max(...top.map((c) => c.weight)),
  )}</details></section>`;
}

/** The classification and QA report (ReportData) on the one page skeleton (html-page.ts). */
export function renderHtmlReport(d: ReportData): string {
  const verdict = d.comparison ? `<p class="verdict"><b>${esc(d.comparison.strategy)} vs ${esc(d.comparison.model)}</b> (best strategy vs best single model, chosen with hindsight): ${esc(d.comparison.text)}</p>` : '';
  const meta = `${d.kind}, ${d.items} items (${d.scoredItems} scored), ${d.agreement.models.length} models, ${d.entries.filter((e) => e.kind === 'strategy').length} strategies; learning strategies scored out-of-fold (${d.folds} folds, seed ${d.seed}); 95% intervals: percentile bootstrap over items, ${d.bootstrap.resamples} resamples, seed ${d.bootstrap.seed}.`;
  return htmlPage({
    title: d.task,
    heading: `${d.task}: models and fusion strategies`,
    meta,
    sections: [
      verdict,
      `<section><h2>Leaderboard</h2><p class="meta">Click a column to sort. * = best strategy (ties: fewer calls, lower cost, then name). Calls (each sample a call) and $ per item (a model: its recorded cost; a strategy: the prices of the calls it made). ROC-AUC: one-vs-rest macro, for entries that give graded probabilities.</p>${leaderboardTable(d)}<div style="margin-top:12px">${leaderboardChart(d)}</div></section>`,
      autoSection(d),
      perClassSection(d),
      confusionSection(d),
      reliabilitySection(d),
      agreementSection(d),
      costSection(d),
      riskCoverageSection(d),
      abstentionSection(d),
      contestedSection(d),
    ],
  });
}

