import { describe, expect, it } from 'vitest';
import { type EvalPredictions } from '../../src/eval/evaluate.js';
import { evaluateClassification } from '../../src/kinds/classification/evaluate.js';
import { summarizePicks } from '../../src/eval/mixture-summary.js';
import type { QaOutcomes } from '../../src/eval/answer-score.js';
import { evaluateQaFolder } from '../../src/kinds/qa/evaluate.js';
import { renderLeaderboard } from '../../src/eval/leaderboard.js';
import { renderHtmlReport } from '../../src/report/render-html.js';
import { buildReportData } from '../../src/report/report-data.js';
import { modelCosts } from '../../src/report/model-costs.js';
import { paretoFront } from '../../src/report/pareto.js';
import { loadEvalFolder } from '../../src/kinds/load-folder.js';
import { syntheticMcFolder } from '../qa/synthetic.js';

describe('summarizePicks', () => {
  it('averages mixture weights over folds and groups settings into families', () => {
    const s = summarizePicks(['stacking(C=1)*0.60+majority-vote*0.40', 'stacking(C=10)*0.50+dawid-skene*0.50'], 2);
    expect(s.folds).toBe(2);
    expect(s.components[0]).toEqual({ name: 'stacking(C=1)', weight: 0.3 });
    expect(s.families.map((f) => f.name)).toEqual(['stacking', 'dawid-skene', 'majority-vote']);
    expect(s.families[0]?.weight).toBeCloseTo(0.55, 12);
    expect(s.text).toBe('stacking 0.55, dawid-skene 0.25 (+1 more), mean over 2 folds');
    // A strategy that picks one candidate per fold: weight 1 in the folds that picked it.
    expect(summarizePicks(['dawid-skene', 'dawid-skene', 'weighted-vote', 'dawid-skene']).text).toBe('dawid-skene 0.75, weighted-vote 0.25, mean over 4 folds');
  });
});

describe('paretoFront and modelCosts', () => {
  it('keeps the points no other is cheaper-and-better than', () => {
    const pts = [
      { x: 1, y: 0.8 },
      { x: 1, y: 0.7 },
      { x: 2, y: 0.9 },
      { x: 3, y: 0.85 },
      { x: 3, y: 0.95 },
      { x: 2, y: 0.9 },
    ];
    expect(paretoFront(pts)).toEqual([0, 2, 4, 5]);
  });

  it('counts calls and recorded cost per item', () => {
    const c = modelCosts([{ model: 'a', cost: 0.002 }, { model: 'a', cost: 0.004 }, { model: 'b' }, { model: 'b' }, { model: 'b' }, { model: 'b' }], 2);
    expect(c).toEqual([
      { model: 'a', callsPerItem: 1, costPerItem: 0.003 },
      { model: 'b', callsPerItem: 2, costPerItem: null },
    ]);
  });
});

describe('buildReportData', () => {
  it('agrees with the evaluation it reports on (classification)', () => {
    const folder = loadEvalFolder('evals/toxicity-en', { requireResponses: true });
    if (folder.kind !== 'classification') throw new Error('expected classification');
    let predictions: EvalPredictions | undefined;
    const result = evaluateClassification(folder, { folds: 5, seed: 1, strategies: ['majority-vote', 'weighted-vote', 'dawid-skene'], onPredictions: (p) => (predictions = p) });
    if (!predictions) throw new Error('no predictions');
    const d = buildReportData(result, { predictions, ...result.extras }, { resamples: 300, costs: modelCosts(folder.responses, folder.items.length) });
    expect(d.entries).toHaveLength(result.models.length + 3);
    for (const e of d.entries) {
      const source = [...result.models, ...result.strategies].find((x) => x.name === e.name);
      expect(e.accuracy).toBe(source?.accuracy);
      expect(e.accuracyCi.low).toBeLessThanOrEqual(e.accuracy + 1e-12);
      expect(e.accuracyCi.high).toBeGreaterThanOrEqual(e.accuracy - 1e-12);
      expect(e.macroF1Ci?.low).toBeLessThanOrEqual((e.macroF1 as number) + 1e-12);
    }
    // Hard one-answer models have no AUC; the vote-share strategies do.
    expect(d.entries.filter((e) => e.kind === 'model').every((e) => e.rocAuc === null)).toBe(true);
    expect(d.entries.find((e) => e.name === 'majority-vote')?.rocAuc).toBeGreaterThan(0.9);
    // The confusion matrix of the best strategy sums to the items and matches its accuracy.
    const counts = d.confusion?.counts ?? [];
    const diagonal = counts.reduce((s, row, g) => s + (row[g] as number), 0);
    expect(counts.flat().reduce((s, v) => s + v, 0)).toBe(750);
    expect(diagonal / 750).toBeCloseTo(d.entries.find((e) => e.name === d.best)?.accuracy as number, 12);
    expect(d.comparison?.strategy).toBe(result.best);
    expect(d.comparison?.n).toBe(750);
    expect(d.cost.axis).toBe('calls');
    expect(d.cost.points.filter((p) => p.kind === 'model').every((p) => p.x === 1)).toBe(true);
    expect(d.agreement.effectiveVoters).toBeGreaterThan(1);
    expect(d.agreement.effectiveVoters).toBeLessThan(result.models.length);
    expect(d.contested.total).toBeGreaterThan(0);
    // Seeded: the same input gives the same intervals.
    expect(buildReportData(result, { predictions, ...result.extras }, { resamples: 300 }).entries[0]?.accuracyCi).toEqual(d.entries[0]?.accuracyCi);
    expect(() => JSON.stringify(d)).not.toThrow();
  });

  it('places a strategy at the calls it made, and draws an adaptive policy\'s curve over its settings', () => {
    const folder = loadEvalFolder('evals/toxicity-en', { requireResponses: true });
    if (folder.kind !== 'classification') throw new Error('expected classification');
    let predictions: EvalPredictions | undefined;
    const result = evaluateClassification(folder, { folds: 3, seed: 1, strategies: ['majority-vote', 'adaptive'], onPredictions: (p) => (predictions = p) });
    if (!predictions) throw new Error('no predictions');
    const adaptive = result.strategies.find((s) => s.name === 'adaptive');
    expect(adaptive?.curve?.length).toBeGreaterThan(1);
    const d = buildReportData(result, { predictions, ...result.extras }, { resamples: 50 });
    expect(d.cost.axis).toBe('calls');
    const point = d.cost.points.find((p) => p.name === 'adaptive');
    expect(point?.x).toBeCloseTo(adaptive?.callsPerItem as number, 12);
    expect(point?.x).toBeLessThan(result.models.length);
    expect(d.cost.points.find((p) => p.name === 'majority-vote')?.x).toBe(result.models.length);
    const curve = d.cost.curves.find((c) => c.name === 'adaptive: every setting');
    expect(curve?.points.map((p) => p.x)).toEqual(adaptive?.curve?.map((p) => p.callsPerItem));
    for (const p of curve?.points ?? []) expect(p.accuracy).toBeGreaterThan(0.5);
  });

  it('draws quality against recorded cost and against calls, with extra curves on their axis', () => {
    const folder = loadEvalFolder('evals/toxicity-en', { requireResponses: true });
    if (folder.kind !== 'classification') throw new Error('expected classification');
    let predictions: EvalPredictions | undefined;
    const result = evaluateClassification(folder, { folds: 5, seed: 1, strategies: ['majority-vote'], onPredictions: (p) => (predictions = p) });
    if (!predictions) throw new Error('no predictions');
    // Model j costs j + 1 thousandths of a dollar per item.
    const costs = result.models.map((m, j) => ({ model: m.name, callsPerItem: 1, costPerItem: (j + 1) / 1000 }));
    const curve = { name: 'adaptive', axis: 'cost' as const, points: [{ x: 0.002, accuracy: 0.9 }, { x: 0.01, accuracy: 0.95 }] };
    const d = buildReportData(result, { predictions, ...result.extras }, { resamples: 100, costs, curves: [curve] });
    expect(d.cost.axis).toBe('cost');
    expect(d.calls?.axis).toBe('calls');
    expect(d.cost.curves).toEqual([curve]);
    expect(d.calls?.curves).toEqual([]);
    const total = costs.reduce((s, c) => s + (c.costPerItem as number), 0);
    expect(d.cost.points.find((p) => p.kind === 'strategy')?.x).toBeCloseTo(total, 12);
    // The cheapest model is on the front; a model both dearer and less accurate than another is not.
    const models = d.cost.points.filter((p) => p.kind === 'model');
    expect(models[0]?.pareto).toBe(true);
    for (const p of models) {
      const dominated = models.some((q) => q !== p && q.x <= p.x && q.accuracy >= p.accuracy && (q.x < p.x || q.accuracy > p.accuracy));
      expect(p.pareto).toBe(!dominated);
    }
    const html = renderHtmlReport(d);
    expect(html.match(/aria-label="accuracy against cost"/g)).toHaveLength(2);
    expect(html).toContain('<polyline class="curve"');
  });

  it("gives the terminal leaderboard a short note for auto's mixture", () => {
    const picks = Array.from({ length: 5 }, () => 'stacking-text(C=0.1,balanced)*0.12+stacking-text(C=0.1,none)*0.12+stacking(C=1,balanced)*0.12+stacking(C=1,none)*0.12+stacking(C=10,balanced)*0.11+stacking(C=10,none)*0.11+majority-vote*0.08+stacking(C=0.1,balanced)*0.05+stacking(C=0.1,none)*0.05+stacking-text(C=1,balanced)*0.05+stacking-text(C=1,none)*0.05+best-model*0.02');
    const text = renderLeaderboard({ task: 't', items: 10, models: [], strategies: [{ name: 'auto', accuracy: 0.9, macroF1: 0.9, coverage: 1, scoredOn: 'out-of-fold', picks }], best: 'auto', oracle: 1 });
    const line = text.split('\n').find((l) => l.includes('auto')) as string;
    expect(line).toContain('picks: stacking 0.56, stacking-text 0.34, majority-vote 0.08 (+1 more), mean over 5 folds');
    // The calls and $/item columns take 17 characters of it.
    expect(line.length).toBeLessThan(180);
  });

  it('covers a QA evaluation with the panels that apply', async () => {
    const folder = syntheticMcFolder(80, [0.8, 0.6, 0.5], 5);
    let outcomes: QaOutcomes | undefined;
    const result = await evaluateQaFolder(folder, { folds: 4, seed: 1, strategies: ['majority-vote', 'weighted-vote'], onOutcomes: (o) => (outcomes = o) });
    if (!outcomes) throw new Error('no outcomes');
    const d = buildReportData(result, { outcomes, ...result.extras }, { resamples: 200 });
    expect(d.kind).toBe('qa');
    expect(d.confusion).toBeNull();
    expect(d.agreement.kappa).toBeNull();
    expect(d.entries.every((e) => e.macroF1Ci === null && e.rocAuc === null)).toBe(true);
    for (const e of d.entries) {
      const source = [...result.models, ...result.strategies].find((x) => x.name === e.name);
      expect(e.accuracy).toBe(source?.accuracy);
      // The per-item outcomes reproduce the evaluation's accuracy.
      const out = e.kind === 'model' ? outcomes.models[result.models.findIndex((m) => m.name === e.name)] : outcomes.strategies[result.strategies.findIndex((s) => s.name === e.name)];
      expect((out?.correct.reduce((s, v) => s + v, 0) ?? -1) / result.extras.scoredItems).toBeCloseTo(e.accuracy, 12);
    }
    expect(d.comparison?.model).toBe(result.extras.bestSingle?.name);
  });
});
