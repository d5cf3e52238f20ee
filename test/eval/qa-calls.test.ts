import { describe, expect, it } from 'vitest';
import { renderQaReport } from '../../src/kinds/qa/report.js';
import type { QaOutcomes } from '../../src/eval/answer-score.js';
import { evaluateQaFolder } from '../../src/kinds/qa/evaluate.js';
import { buildReportData } from '../../src/report/report-data.js';
import { syntheticFreeFormFolder } from '../qa/synthetic.js';
import { createAdaptive } from '../../src/fuse/adaptive/adaptive-strategy.js';

describe('fusion eval on QA: calls per item and the cost/quality curve', () => {
  it('gives every strategy its calls per item; adaptive asks fewer models than every answer recorded', async () => {
    const folder = syntheticFreeFormFolder(150, [0.85, 0.8, 0.75, 0.7, 0.7, 0.65], 5);
    // A target of its own (5 points of accuracy): this test is about counting calls, and at the
    // default half point a policy fitted on 100 training rows rightly asks every model (its bound
    // counts one disagreement the rows did not show, worth a point of accuracy on that few rows).
    const r = await evaluateQaFolder(folder, { folds: 3, seed: 1, strategies: ['majority-vote', createAdaptive({ target: { maxLoss: 0.05 } })] });
    const get = (n: string) => r.strategies.find((s) => s.name === n);
    const all = folder.responses.length / folder.items.length;
    expect(get('majority-vote')?.callsPerItem).toBeCloseTo(all, 6);
    expect(get('adaptive')?.callsPerItem).toBeGreaterThanOrEqual(1);
    expect(get('adaptive')?.callsPerItem).toBeLessThan(all);
    // Synthetic model names have no list price: an unknown cost is not a zero cost.
    expect(get('adaptive')?.costPerItem).toBeNull();
  });

  it('gives the adaptive policy its cost/quality curve over its settings, measured by the QA scorer, in the JSON, the Markdown and the HTML cost view', async () => {
    const folder = syntheticFreeFormFolder(150, [0.85, 0.8, 0.75, 0.7, 0.7, 0.65], 5);
    let outcomes: QaOutcomes | undefined;
    const r = await evaluateQaFolder(folder, { folds: 3, seed: 1, strategies: ['majority-vote', 'adaptive'], onOutcomes: (o) => (outcomes = o) });
    const adaptive = r.strategies.find((s) => s.name === 'adaptive');
    expect(r.strategies.find((s) => s.name === 'majority-vote')?.curve).toBeUndefined();
    const curve = adaptive?.curve ?? [];
    expect(curve.length).toBeGreaterThan(3);
    for (const p of curve) {
      expect(p.score).toBe(p.accuracy);
      expect(p.callsPerItem).toBeGreaterThanOrEqual(1);
      expect(p.callsPerItem).toBeLessThanOrEqual(6);
    }
    // The settings span from asking nearly everyone to nearly no one.
    expect(Math.max(...curve.map((p) => p.callsPerItem)) - Math.min(...curve.map((p) => p.callsPerItem))).toBeGreaterThan(1);
    expect(adaptive?.riskCoverage.map((p) => p.coverage)).toEqual([1, 0.9, 0.8, 0.5]);
    expect(adaptive?.riskCoverage[0]?.accuracy).toBeCloseTo(adaptive?.accuracy ?? -1, 12);

    const md = renderQaReport(r);
    expect(md).toContain('#### Cost/quality curve of adaptive');
    expect(md).toContain(`| ${curve[0]?.setting} | ${curve[0]?.callsPerItem.toFixed(2)} |`);
    const data = buildReportData(r, { outcomes: outcomes as QaOutcomes, oracle: r.extras.oracle }, { resamples: 20 });
    const drawn = data.cost.curves.find((c) => c.name === 'adaptive: every setting');
    expect(drawn?.points).toEqual(curve.map((p) => ({ x: p.callsPerItem, accuracy: p.accuracy })));
  });
});
