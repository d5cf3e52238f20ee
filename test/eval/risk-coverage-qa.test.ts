import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderQaReport } from '../../src/kinds/qa/report.js';
import { evaluateQaFolder } from '../../src/kinds/qa/evaluate.js';
import { buildReportData } from '../../src/report/report-data.js';
import { renderHtmlReport } from '../../src/report/render-html.js';
import type { QaOutcomes } from '../../src/eval/answer-score.js';
import { type QaFolder, loadEvalFolder } from '../../src/kinds/load-folder.js';
import { runCli } from '../support/run-cli.js';
import { writeEvalFolder } from '../support/temp-folder.js';

/**
 * Four numeric questions, three models, scored by the majority vote over answer clusters (whose
 * fused probability is the winning cluster's vote share):
 *   q1: 5, 5, 5   gold 5  -> 5, p = 1,   right
 *   q2: 3, 4, 4   gold 4  -> 4, p = 2/3, right
 *   q3: 7, 7, 8   gold 8  -> 7, p = 2/3, wrong
 *   q4: 1, 2, 9   gold 9  -> a three-way tie, broken by the models' agreement (not 9), p = 1/3, wrong
 * Most confident first (ties in item order): q1, q2, q3, q4. Coverage 100%: 2/4; 90%: round(3.6) = 4
 * items, 2/4; 80%: 3 items, 2/3; 50%: 2 items, 2/2.
 */
const ANSWERS: [string, string[], string][] = [
  ['q1', ['5', '5', '5'], '5'],
  ['q2', ['3', '4', '4'], '4'],
  ['q3', ['7', '7', '8'], '8'],
  ['q4', ['1', '2', '9'], '9'],
];

function tinyFolder(): string {
  return writeEvalFolder({
    task: { name: 'tiny-numeric', kind: 'qa', answerType: 'numeric', instructions: 'Answer with a number.' },
    items: ANSWERS.map(([id, , gold]) => ({ id, question: `What is ${id}?`, answers: [gold] })),
    responses: ANSWERS.flatMap(([id, outputs]) => outputs.map((output, j) => ({ item: id, model: `m${j}`, output }))),
  });
}

describe('risk-coverage on a QA folder', () => {
  it('sorts the scored questions by the fused probability of the named answer and judges them as the QA scorer does', async () => {
    const dir = tinyFolder();
    try {
      let outcomes: QaOutcomes | undefined;
      const r = await evaluateQaFolder(loadEvalFolder(dir) as QaFolder, { folds: 2, seed: 1, strategies: ['majority-vote'], onOutcomes: (o) => (outcomes = o) });
      const vote = r.strategies[0];
      expect(vote?.accuracy).toBe(0.5);
      expect(vote?.riskCoverage.map((p) => p.coverage)).toEqual([1, 0.9, 0.8, 0.5]);
      expect(vote?.riskCoverage.map((p) => p.accuracy)).toEqual([0.5, 0.5, 2 / 3, 1]);
      const cuts = vote?.riskCoverage.map((p) => p.minConfidence) ?? [];
      [1 / 3, 1 / 3, 2 / 3, 2 / 3].forEach((c, k) => expect(cuts[k]).toBeCloseTo(c, 5));

      // The Markdown section and the HTML report show the same numbers.
      const md = renderQaReport(r);
      expect(md).toContain('### Accuracy at coverage (risk-coverage)');
      expect(md).toContain('| majority-vote | 50.0 (p >= 0.33) | 50.0 (p >= 0.33) | 66.7 (p >= 0.67) | 100.0 (p >= 0.67) |');
      expect(md).toMatch(/\| majority-vote \| 3\.00 \| n\/a \(a model has no price\) \| 50\.0 \|/);
      const data = buildReportData(r, { outcomes: outcomes as QaOutcomes, oracle: r.extras.oracle }, { resamples: 50 });
      expect(data.riskCoverage).toEqual([{ strategy: 'majority-vote', points: vote?.riskCoverage }]);
      const html = renderHtmlReport(data);
      expect(html).toContain('<h2>Accuracy at coverage</h2>');
      expect(html).toContain('<td>majority-vote</td><td data-v="0.5">50.0 <span class="ci">p &ge; 0.33</span></td>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fusion eval --json carries it per QA strategy and --report shows it', async () => {
    const dir = tinyFolder();
    try {
      const json = join(dir, 'result.json');
      const md = join(dir, 'report.md');
      const r = await runCli(['eval', dir, '--folds', '2', '--strategies', 'majority-vote', '--json', json, '--report', md, '--quiet']);
      expect(r.status).toBe(0);
      const result = JSON.parse(readFileSync(json, 'utf8')) as { kind: string; strategies: { name: string; riskCoverage: { coverage: number; accuracy: number }[] }[] };
      expect(result.kind).toBe('qa');
      expect(result.strategies[0]?.riskCoverage.map((p) => [p.coverage, p.accuracy])).toEqual([
        [1, 0.5],
        [0.9, 0.5],
        [0.8, 2 / 3],
        [0.5, 1],
      ]);
      expect(readFileSync(md, 'utf8')).toContain('| majority-vote | 50.0 (p >= 0.33) | 50.0 (p >= 0.33) | 66.7 (p >= 0.67) | 100.0 (p >= 0.67) |');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
