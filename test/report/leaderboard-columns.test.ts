import { describe, expect, it } from 'vitest';
import { type EvalPredictions } from '../../src/eval/evaluate.js';
import { evaluateClassification } from '../../src/kinds/classification/evaluate.js';
import { leaderboardRows } from '../../src/eval/leaderboard.js';
import { drawLeaderboard } from '../../src/eval/leaderboard-table.js';
import { categoricalLeaderboard } from '../../src/kinds/categorical-leaderboard.js';
import { renderHtmlReport } from '../../src/report/render-html.js';
import { buildReportData } from '../../src/report/report-data.js';
import { type ModelCost, modelCosts, withModelCosts } from '../../src/report/model-costs.js';
import { type ClassificationFolder, loadEvalFolder } from '../../src/kinds/load-folder.js';
import { itemTexts } from '../../src/task/item-text.js';

/** Text as the page shows it (src/report/svg.ts's esc undone). */
const unescape = (html: string): string => html.replace(/&quot;/g, '"').replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&');

/** The rows of the HTML leaderboard: name (without the `*`), and the calls and $ cells' values. */
function htmlRows(html: string): { name: string; star: boolean; calls: string; cost: string }[] {
  const table = html.slice(html.indexOf('<table id="leaderboard"'), html.indexOf('</table>', html.indexOf('<table id="leaderboard"')));
  const head = [...(table.match(/<thead>.*<\/thead>/)?.[0] ?? '').matchAll(/<th>([^<]*)<\/th>/g)].map((m) => m[1]);
  const calls = head.indexOf('calls/item');
  const cost = head.indexOf('$/item');
  return [...table.matchAll(/<tr class="[^"]*">(.*?)<\/tr>/g)].map((m) => {
    const cells = [...(m[1] as string).matchAll(/<td[^>]*?(?: data-v="([^"]*)")?>(.*?)<\/td>/g)];
    const first = cells[0]?.[2] ?? '';
    return { name: first.replace(/ \*$/, ''), star: first.endsWith(' *'), calls: cells[calls]?.[1] ?? 'missing', cost: cells[cost]?.[1] ?? 'missing' };
  });
}

describe('calls and cost per item in the HTML leaderboard, ranked by the one rule', () => {
  const base = loadEvalFolder('evals/toxicity-en', { requireResponses: true }) as ClassificationFolder;

  it('shows each entry\'s calls and $ per item, in the terminal leaderboard\'s order', () => {
    let predictions: EvalPredictions | undefined;
    const result = evaluateClassification(base, { folds: 3, seed: 1, strategies: ['majority-vote', 'dawid-skene', 'adaptive'], onPredictions: (p) => (predictions = p) });
    if (!predictions) throw new Error('no predictions');
    // Model j records (j + 1) thousandths of a dollar per item.
    const costs: ModelCost[] = result.models.map((m, j) => ({ model: m.name, callsPerItem: 1, costPerItem: (j + 1) / 1000 }));
    const d = buildReportData(result, { predictions, ...result.extras }, { resamples: 50, costs });
    const rows = htmlRows(renderHtmlReport(d));
    expect(rows.map((r) => r.name)).toEqual(leaderboardRows(withModelCosts({ ...result, oracle: result.extras.oracle }, costs)).map((r) => r.name));
    for (const r of rows) {
      const model = costs.find((c) => c.model === r.name);
      const strategy = result.strategies.find((s) => s.name === r.name);
      expect(Number(r.calls), r.name).toBeCloseTo(model ? model.callsPerItem : (strategy?.callsPerItem as number), 12);
      if (model) expect(Number(r.cost), r.name).toBeCloseTo(model.costPerItem as number, 12);
    }
    // adaptive asks fewer models than the others: its column says so.
    expect(Number(rows.find((r) => r.name === 'adaptive')?.calls)).toBeLessThan(result.models.length);
    expect(rows.filter((r) => r.star).map((r) => r.name)).toEqual([result.best]);
  });

  it('two models tied on every score: the one with fewer calls ranks first everywhere, and is the best single model of the paired test', () => {
    let predictions: EvalPredictions | undefined;
    const first = evaluateClassification(base, { folds: 3, seed: 1, strategies: ['majority-vote'] });
    const top = [...first.models].sort((a, b) => (b.macroF1 ?? 0) - (a.macroF1 ?? 0))[0]?.name as string;
    // A twin of the best model, named to sort after it, that answered once per item where the original answered twice.
    const twin = 'zz-twin';
    const folder = { ...base, responses: [...base.responses, ...base.responses.filter((r) => r.model === top).map((r) => ({ ...r, model: twin }))] };
    const result = evaluateClassification(folder, { folds: 3, seed: 1, strategies: ['majority-vote'], onPredictions: (p) => (predictions = p) });
    if (!predictions) throw new Error('no predictions');
    const costs = modelCosts(folder.responses, folder.items.length).map((c) => (c.model === top ? { ...c, callsPerItem: 2 } : c));
    const d = buildReportData(result, { predictions, ...result.extras }, { resamples: 50, costs });
    const names = htmlRows(renderHtmlReport(d)).map((r) => r.name);
    expect(names.indexOf(twin)).toBeLessThan(names.indexOf(top));
    expect(d.bestModel).toBe(twin);
    expect(d.comparison?.model).toBe(twin);
    const terminal = drawLeaderboard(categoricalLeaderboard({ ...result, oracle: result.extras.oracle }, d, { costs, folder: 'evals/toxicity-en' })).split('\n');
    expect(terminal.findIndex((l) => l.includes(` ${twin} `))).toBeLessThan(terminal.findIndex((l) => l.includes(` ${top} `)));
    expect(terminal.at(-2)).toContain(twin);
  });

  it('the contested table carries each item\'s text, cut past 160 characters and whole on click, and the fused answer', () => {
    let predictions: EvalPredictions | undefined;
    // Every item's text made long, so that each contested row is cut.
    const tail = ' and then the comment goes on at length about something else entirely, well past what a table cell should show at once';
    const folder = { ...base, items: base.items.map((it) => ({ ...it, text: `${it.text}${tail}${tail}` })) };
    const result = evaluateClassification(folder, { folds: 3, seed: 1, strategies: ['majority-vote'], onPredictions: (p) => (predictions = p) });
    if (!predictions) throw new Error('no predictions');
    const d = buildReportData(result, { predictions, ...result.extras }, { resamples: 20, itemTexts: itemTexts(folder.items) });
    const byId = new Map(folder.items.map((it) => [it.id, it.text]));
    expect(d.contested.shown.length).toBeGreaterThan(10);
    for (const x of d.contested.shown) expect(x.text).toBe(byId.get(x.item));
    const html = renderHtmlReport(d);
    const rows = [...html.matchAll(/<tr data-right="[01]">(.*?)<\/tr>/g)].map((m) => m[1] as string);
    expect(rows).toHaveLength(d.contested.shown.length);
    rows.forEach((row, k) => {
      const x = d.contested.shown[k] as (typeof d.contested.shown)[number];
      const cut = unescape(row.match(/<span class="cut">(.*?)<\/span>/)?.[1] as string);
      expect(cut.endsWith('\u2026')).toBe(true);
      expect(cut.length).toBeLessThanOrEqual(161);
      expect(x.text?.startsWith(cut.slice(0, -1))).toBe(true);
      expect(unescape(row.match(/<span class="full">(.*?)<\/span>/)?.[1] as string)).toBe(x.text);
      expect(row).toContain(x.fused as string);
    });
    // Without texts (a library caller that gives none), the ids alone, as before.
    const bare = buildReportData(result, { predictions, ...result.extras }, { resamples: 20 });
    expect(bare.contested.shown.every((x) => x.text === null)).toBe(true);
    expect(renderHtmlReport(bare)).not.toContain('class="item-text"');
  });

  it('past 16 models the answers are a tally alone, without every model named on every row', () => {
    const models = [...new Set(base.responses.map((r) => r.model))];
    const render = (copies: number): string => {
      let predictions: EvalPredictions | undefined;
      const extra = models.slice(0, copies).flatMap((m) => base.responses.filter((r) => r.model === m).map((r) => ({ ...r, model: `${m}-copy` })));
      const folder = { ...base, responses: [...base.responses, ...extra] };
      const result = evaluateClassification(folder, { folds: 3, seed: 1, strategies: ['majority-vote'], onPredictions: (p) => (predictions = p) });
      if (!predictions) throw new Error('no predictions');
      return renderHtmlReport(buildReportData(result, { predictions, ...result.extras }, { resamples: 20 }));
    };
    const sixteen = render(16 - models.length);
    expect(sixteen).toContain('<details class="answers">');
    expect(sixteen).toContain(`-copy`);
    const seventeen = render(17 - models.length);
    expect(seventeen).not.toContain('<details class="answers">');
    expect(seventeen).toMatch(/answers of the 17 models<\/th>/);
    expect(seventeen).toMatch(/<td>(non-)?toxic <b>\d+<\/b>, (non-)?toxic <b>\d+<\/b><\/td>/);
  });
});
