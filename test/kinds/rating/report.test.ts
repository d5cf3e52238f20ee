import { describe, expect, it } from 'vitest';
import { ratingPlugin } from '../../../src/kinds/rating/index.js';
import { judgeErrors, MAX_SCATTER_POINTS, type RatingReportData, scatterPoints } from '../../../src/kinds/rating/report.js';
import { modelCosts } from '../../../src/report/index.js';
import { scaleTicks } from '../../../src/report/svg.js';
import { loadEvalFolder, type RatingFolder } from '../../../src/task/load-folder.js';
import { writeEvalFolder } from '../../support/temp-folder.js';
import { world } from './worlds.js';

// Gold on 2..8 of a 0-10 scale, so judges shifted by up to 2 points never clip: their bias is exact.
const N = 30;
const gold = Array.from({ length: N }, (_, i) => 2 + (i % 7));
const items = gold.map((g, i) => ({ id: `r${i}`, text: `text ${i}`, label: g }));
const responses = items.flatMap((it, i) => [
  { item: it.id, model: 'lenient', output: `Score: ${(gold[i] as number) + 1}/10`, cost: 0.001 },
  { item: it.id, model: 'harsh', output: `Score: ${(gold[i] as number) - 2}/10`, cost: 0.002 },
  // Unbiased, noisy: -1, 0, +1 in turn; one answer unreadable, one item never answered.
  ...(i === 5 ? [] : [{ item: it.id, model: 'noisy', output: i === 3 ? 'I cannot rate this.' : `Score: ${(gold[i] as number) + ((i % 3) - 1)}/10`, cost: 0.0005 }]),
]);
const task = { name: 'known-bias', kind: 'rating', scale: { min: 0, max: 10 }, instructions: 'Rate the text.' };

async function page(strategies: string[]): Promise<{ data: RatingReportData; html: string }> {
  const folder = loadEvalFolder(writeEvalFolder({ task, items, responses }), { requireResponses: true }) as RatingFolder;
  const ev = await ratingPlugin.evaluate(folder, { folds: 3, seed: 1, strategies, report: { costs: modelCosts(folder.responses, folder.items.length) } });
  if (!ev.page) throw new Error('no page');
  return { data: ev.page.data() as RatingReportData, html: ev.page.html() };
}

describe('the rating HTML report', () => {
  it('holds the leaderboard, the fused-against-gold plot and each judge with the bias it was built with', async () => {
    const { data, html } = await page(['calibrated']);
    const err = new Map(data.judgeErrors.map((e) => [e.judge, e]));
    expect(err.get('lenient')?.bias).toBeCloseTo(1, 9);
    expect(err.get('lenient')?.noise).toBeCloseTo(0, 9);
    expect(err.get('harsh')?.bias).toBeCloseTo(-2, 9);
    expect(Math.abs(err.get('noisy')?.bias ?? 9)).toBeLessThan(0.2);
    expect(err.get('noisy')?.noise).toBeGreaterThan(0.5);
    expect(err.get('noisy')?.scored).toBe(N - 2);
    // calibrated estimates each judge's map onto the gold scale: the page shows its view of the judges too.
    expect(data.best).toBe('calibrated');
    expect(data.profile?.strategy).toBe('calibrated');
    expect(data.scatter?.strategy).toBe('calibrated');
    expect(data.scatter?.points).toHaveLength(N);
    expect(data.abstentions.find((a) => a.judge === 'noisy')?.counts).toMatchObject({ missing: 1 });
    expect(Object.values(data.abstentions.find((a) => a.judge === 'noisy')?.counts ?? {}).reduce((a, b) => a + b, 0)).toBe(2);
    const calibrated = data.entries.find((e) => e.name === 'calibrated');
    expect(calibrated?.callsPerItem).toBeCloseTo((N + N + N - 1) / N, 9);
    expect(calibrated?.costPerItem).toBeCloseTo(0.001 + 0.002 + (0.0005 * (N - 1)) / N, 9);
    expect(calibrated?.intervalWidth).toBeGreaterThan(0);
    expect(data.profile?.judges.find((p) => p.judge === 'harsh')?.bias).toBeLessThan(0);
    expect(data.entries.find((e) => e.name === 'harsh')?.costPerItem).toBeCloseTo(0.002, 9);

    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('aria-label="fused score of calibrated against gold"');
    expect((html.match(/class="interval"/g) ?? []).length).toBe(N);
    expect(html).toMatch(/<tr><td>lenient<\/td><td data-v="30">30<\/td><td data-v="[^"]*">1\.000<\/td><td data-v="[^"]*">0\.000<\/td>/);
    expect(html).toMatch(/<tr><td>harsh<\/td><td data-v="30">30<\/td><td data-v="[^"]*">-2\.000<\/td>/);
    expect(html).toContain('<tr class="strategy best"><td>calibrated *</td>');
    expect(html).toContain('I cannot rate this.');
    expect(html.slice(0, html.indexOf('<script>'))).not.toMatch(/\bNaN\b|undefined/);
  });

  it('best-model\'s judges are shown as the chosen judge and its fallback order, not as weights of 1 and 0', async () => {
    const { data, html } = await page(['best-model']);
    expect(data.profile?.strategy).toBe('best-model');
    const roles = new Map(data.profile?.judges.map((p) => [p.judge, p.fallback]));
    // The two exact judges first (either may be chosen), the noisy one the last fallback.
    expect([...roles.values()].sort()).toEqual([0, 1, 2]);
    expect(roles.get('noisy')).toBe(2);
    const chosen = [...roles].find(([, f]) => f === 0)?.[0];
    expect(html).toContain('<th>role (model)</th>');
    expect(html).not.toContain('weight (model)');
    expect(html).toMatch(new RegExp(`<tr><td>${chosen}</td>.*?<td data-v="0">chosen</td></tr>`));
    expect(html).toMatch(/<tr><td>noisy<\/td>.*?<td data-v="2">fallback 2<\/td><\/tr>/);
    expect(html).toContain('fallback 1</td>');
    expect(html).toContain('with the first fallback that scored it, in the order shown');
    // A strategy that weighs its judges keeps its weights.
    const weighed = await page(['calibrated']);
    expect(weighed.html).toContain('<th>weight (model)</th>');
    expect(weighed.data.profile?.judges.every((p) => p.fallback === undefined)).toBe(true);
  });

  it('draws at most MAX_SCATTER_POINTS points, every k-th item, and says so', () => {
    const w = world({ items: 1000, judges: [{ bias: 0.5 }, { bias: -1, noise: 2 }], seed: 3 });
    const oof = { score: w.gold.map((g) => g + 0.1), low: w.gold.map((g) => g - 1), high: w.gold.map((g) => g + 1) };
    const s = scatterPoints(w.matrix, w.gold, oof);
    expect(s.total).toBe(1000);
    expect(s.points).toHaveLength(MAX_SCATTER_POINTS);
    expect(new Set(s.points.map((p) => p.item)).size).toBe(MAX_SCATTER_POINTS);
    expect(scatterPoints(w.matrix, w.gold, oof).points).toEqual(s.points);
    // Noisy judges built with a known bias, clipped at the scale's ends only rarely.
    const e = judgeErrors(w.matrix, w.gold);
    expect(e[0]?.bias).toBeCloseTo(0.5, 0);
    expect(e[1]?.bias).toBeCloseTo(-1, 0);
    expect(e[1]?.noise ?? 0).toBeGreaterThan(e[0]?.noise ?? 0);
  });

  it('puts the scatter plot\'s ticks on whole scores of a small scale, on round steps of a large one', () => {
    expect(scaleTicks(1, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(scaleTicks(0, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(scaleTicks(0, 100)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(scaleTicks(1, 7)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(scaleTicks(-1, 1)).toEqual([-1, 0, 1]);
    expect(scaleTicks(0, 1)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  });
});
