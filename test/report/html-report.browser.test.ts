import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticMcFolder } from '../qa/synthetic.js';
import { repoRoot, runCli } from '../support/run-cli.js';
import { writeEvalFolder } from '../support/temp-folder.js';

/** Each item's text by id, from an items.jsonl. */
function itemsOf(file: string): Map<string, string> {
  return new Map(readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; text: string }).map((it) => [it.id, it.text]));
}

/** Debian's chromium (`.ci/run` installs it); CHROMIUM_PATH overrides. */
const executable = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const artifacts = join(repoRoot, 'test-artifacts');

if (!executable && process.env.CI) {
  // In CI a missing browser must fail the run, not quietly skip the only test of the page.
  describe('HTML report in a real browser', () => {
    it('needs chromium', () => {
      throw new Error('chromium not found (apt-get install chromium, or set CHROMIUM_PATH): the HTML report test cannot run');
    });
  });
}

/** Opens a report page offline, collecting console errors and warnings, page errors and any request it makes. */
async function openPage(browser: Browser, file: string, width: number): Promise<{ page: Page; problems: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  const url = pathToFileURL(file).href;
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems, requests };
}

describe.skipIf(!executable)('HTML report in a real browser', () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'fusion-html-'));
  const classificationPage = join(dir, 'toxicity.html');
  const qaPage = join(dir, 'qa.html');
  const qaTexts = new Map<string, string>();

  beforeAll(async () => {
    const cls = await runCli(['eval', 'evals/toxicity-en', '--strategies', 'majority-vote,weighted-vote,dawid-skene,stacking,auto', '--explain', '10', '--html', classificationPage, '--json', join(dir, 'toxicity.json'), '--quiet']);
    expect(cls.stderr).toBe('');
    expect(cls.status).toBe(0);
    const synthetic = syntheticMcFolder(120, [0.8, 0.7, 0.6, 0.55, 0.5], 3, [3, 4]);
    // A few unreadable answers, so the abstention panel has something to show.
    // One of them tries to load an image and run a script: the page must show it as text.
    const hostile = '<img src="http://127.0.0.1:9/x.png"></pre></script><script>console.error("injected")</script>';
    const responses = synthetic.responses.map((r, k) => (r.model === 'm2' && k < 60 ? { ...r, output: k === 2 ? hostile : "I'm sorry, I cannot help with that." } : r));
    // Every fifth question long, so the contested table has texts to cut.
    const filler = 'The passage below describes several cities, their rivers and the years their bridges were built, and the question asks which of them came first. ';
    const items = synthetic.items.map((it, k) => (k % 5 === 0 ? { ...it, question: `${filler.repeat(3)}${it.question}` } : it));
    for (const it of items) qaTexts.set(it.id, it.question);
    const qaDir = writeEvalFolder({ task: synthetic.task, items, responses });
    const qa = await runCli(['eval', qaDir, '--html', qaPage, '--json', join(dir, 'qa.json'), '--quiet']);
    expect(qa.status).toBe(0);
    browser = await chromium.launch({ executablePath: executable as string, args: ['--no-sandbox'] });
    mkdirSync(artifacts, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
  });

  const open = (file: string, width = 1280) => openPage(browser, file, width);

  /** Every chart's SVG, with how many shapes it draws and its size on screen. */
  async function charts(page: Page): Promise<{ label: string; shapes: number; width: number; height: number }[]> {
    return page.$$eval('svg.chart', (svgs) =>
      svgs.map((s) => {
        const box = s.getBoundingClientRect();
        return { label: s.getAttribute('aria-label') ?? '', shapes: s.querySelectorAll('rect,circle,line,path,polyline').length, width: box.width, height: box.height };
      }),
    );
  }

  it('draws every panel of a classification report offline, without errors, and sorts the table', async () => {
    const { page, problems, requests } = await open(classificationPage);
    // The top of the page before any interaction (leaderboard, verdict, chart), then the whole page.
    await page.setViewportSize({ width: 1280, height: 1500 });
    await page.screenshot({ path: join(artifacts, 'report-toxicity-en.png') });
    await page.screenshot({ path: join(artifacts, 'report-toxicity-en-full.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    const drawn = await charts(page);
    const labels = drawn.map((c) => c.label);
    for (const expected of ['macro-F1', 'confusion matrix of', 'reliability of', 'pairwise kappa', 'error correlation', 'accuracy against cost', 'mean weight per strategy family']) {
      expect(labels.some((l) => l.includes(expected)), `chart "${expected}" in ${labels.join(' | ')}`).toBe(true);
    }
    for (const c of drawn) {
      expect(c.shapes, c.label).toBeGreaterThan(0);
      if (!c.label.includes('each component')) {
        expect(c.width, c.label).toBeGreaterThan(50);
        expect(c.height, c.label).toBeGreaterThan(50);
      }
    }
    // Five strategies and 12 models: one bar each in the leaderboard chart, with its interval.
    expect(await page.$$eval('svg.chart[aria-label^="macro-F1"] rect.bar', (r) => r.length)).toBe(17);

    // Sorting: accuracy ascending, then descending.
    const accuracy = async (): Promise<number[]> => page.$$eval('#leaderboard tbody tr td:nth-child(3)', (tds) => tds.map((td) => Number(td.getAttribute('data-v'))));
    const header = page.locator('#leaderboard th', { hasText: 'accuracy' });
    await header.click();
    const up = await accuracy();
    expect(up).toEqual([...up].sort((a, b) => a - b));
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    await header.click();
    const down = await accuracy();
    expect(down).toEqual([...up].sort((a, b) => b - a));
    await page.locator('#leaderboard th', { hasText: 'name' }).click();
    const names = await page.$$eval('#leaderboard tbody tr td:first-child', (tds) => tds.map((td) => td.textContent?.trim().toLowerCase() ?? ''));
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));

    // Contested items: filter to the fused answer's mistakes, then by text.
    const visible = (): Promise<{ right: string | undefined; text: string }[]> =>
      page.$$eval('#contested tbody tr', (trs) => trs.filter((tr) => !tr.hasAttribute('hidden')).map((tr) => ({ right: tr.getAttribute('data-right') ?? undefined, text: tr.textContent ?? '' })));
    const all = await visible();
    expect(all.length).toBeGreaterThan(0);
    await page.selectOption('#contested-show', 'wrong');
    const wrong = await visible();
    expect(wrong.length).toBeLessThan(all.length);
    expect(wrong.every((r) => r.right === '0')).toBe(true);
    expect(await page.textContent('#contested-count')).toBe(String(wrong.length));
    await page.selectOption('#contested-show', 'all');
    const first = all[0]?.text.match(/toxicity-en-\d+/)?.[0] as string;
    await page.fill('#contested-filter', first);
    expect((await visible()).map((r) => r.text.match(/toxicity-en-\d+/)?.[0])).toEqual([first]);
    await page.fill('#contested-filter', '');

    // The per-class metric switch rewrites the cells.
    await page.selectOption('#perclass-metric', 'p');
    const cell = page.locator('#perclass tbody td[data-f]').first();
    expect(await cell.textContent()).toBe(await cell.getAttribute('data-p'));

    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    expect(statSync(join(artifacts, 'report-toxicity-en.png')).size).toBeGreaterThan(10_000);
    await page.close();
  });

  // The contested table at a 1,200 px window: within it, no sideways scrolling, and each row shows the
  // item's text (cut, whole on click) and the fused answer. Classification and QA alike.
  for (const [kind, page, json, textOf] of [
    ['classification', () => classificationPage, () => join(dir, 'toxicity.json'), (id: string) => itemsOf(join(repoRoot, 'evals/toxicity-en/items.jsonl')).get(id)],
    ['QA', () => qaPage, () => join(dir, 'qa.json'), (id: string) => qaTexts.get(id)],
  ] as const) {
    it(`fits the contested table of a ${kind} report in a 1,200 px window, with each item's text and the fused answer`, async () => {
      const { page: p, problems } = await open(page(), 1200);
      const report = JSON.parse(readFileSync(json(), 'utf8')).report;
      const table = await p.locator('#contested').boundingBox();
      expect(table?.width).toBeGreaterThan(600);
      expect((table?.x ?? 0) + (table?.width ?? Infinity)).toBeLessThanOrEqual(1200);
      const sideways = async (): Promise<{ page: number; table: number }> => ({
        page: await p.$eval('html', (h) => h.scrollWidth - h.clientWidth),
        table: await p.$eval('#contested', (t) => (t.parentElement ? t.parentElement.scrollWidth - t.parentElement.clientWidth : -1)),
      });
      expect(await sideways()).toEqual({ page: 0, table: 0 });
      await p.locator('#contested').scrollIntoViewIfNeeded();
      await p.screenshot({ path: join(artifacts, `contested-${kind}-1200.png`) });

      const shown = report.contested.shown as { item: string; text: string | null; fused: string | null }[];
      expect(shown.length).toBeGreaterThan(0);
      for (const [k, x] of shown.slice(0, 20).entries()) {
        const expected = textOf(x.item) as string;
        expect(x.text, x.item).toBe(expected);
        const row = p.locator('#contested tbody tr').nth(k);
        const cells = row.locator('td');
        // The text cell starts with the item's text, as long as it shows; the fused cell names the fused answer.
        const visible = (await cells.nth(0).innerText()).replace(x.item, '').trim().replace(/\u2026$/, '');
        expect(visible.length, x.item).toBeGreaterThan(Math.min(expected.length, 40) - 1);
        expect(expected.startsWith(visible), `${x.item}: "${visible}"`).toBe(true);
        expect(await row.locator('td').nth(kind === 'QA' ? 2 : 3).innerText()).toContain(x.fused ?? 'none');
      }
      // A long text is cut, and shown whole on click (the QA set has some; toxicity-en's contested items may not).
      const long = shown.findIndex((x) => (x.text?.length ?? 0) > 200);
      if (kind === 'QA') expect(long).toBeGreaterThanOrEqual(0);
      if (long >= 0) {
        const whole = shown[long]?.text as string;
        const cell = p.locator('#contested tbody tr').nth(long).locator('td').first();
        expect((await cell.innerText()).length).toBeLessThan(whole.length / 2 + 40);
        expect(await cell.locator('.full').isVisible()).toBe(false);
        await cell.locator('summary').click();
        expect(await cell.locator('.full').innerText()).toBe(whole);
        expect(await cell.locator('.cut').isVisible()).toBe(false);
        expect(await sideways()).toEqual({ page: 0, table: 0 });
      }
      expect(problems).toEqual([]);
      await p.close();
    });
  }

  it('fits a 400 px phone window: charts scale down, wide tables scroll in their own box', async () => {
    for (const file of [classificationPage, qaPage]) {
      const { page, problems } = await openPage(browser, file, 400);
      expect(await page.$eval('html', (h) => h.scrollWidth - h.clientWidth), file).toBe(0);
      // Scaled, not cut: every chart keeps its drawing's proportions inside the window.
      for (const box of await page.$$eval('svg.chart', (svgs) => svgs.map((s) => ({ r: s.getBoundingClientRect(), w: Number(s.getAttribute('width')), h: Number(s.getAttribute('height')) })))) {
        expect(box.r.right).toBeLessThanOrEqual(400);
        expect(box.r.width / box.r.height).toBeCloseTo(box.w / box.h, 1);
      }
      expect(problems).toEqual([]);
      await page.close();
    }
  });

  it('carries in --json what the page shows', () => {
    const json = JSON.parse(readFileSync(join(dir, 'toxicity.json'), 'utf8'));
    expect(json.report.format).toBe('llm-fusion/report');
    expect(json.report.entries).toHaveLength(17);
    expect(json.report.comparison.text).toMatch(/McNemar p/);
    expect(json.report.bootstrap).toMatchObject({ resamples: 1000, seed: 1, level: 0.95 });
    const html = readFileSync(classificationPage, 'utf8');
    // The plain-words verdict and an interval of the JSON are on the page.
    expect(html).toContain(json.report.comparison.text.slice(0, 40));
    const top = json.report.entries[0];
    expect(html).toContain(`[${(100 * top.accuracyCi.low).toFixed(1)}, ${(100 * top.accuracyCi.high).toFixed(1)}]`);
    // No reference to anything outside the file.
    expect(html).not.toMatch(/(?:src|href)\s*=\s*["'](?:https?:)?\/\//);
  });

  it('draws the panels that apply to a QA report', async () => {
    const { page, problems, requests } = await open(qaPage);
    const drawn = await charts(page);
    const labels = drawn.map((c) => c.label);
    expect(labels.some((l) => l.startsWith('accuracy %'))).toBe(true);
    expect(labels).toContain('error correlation');
    expect(labels).toContain('accuracy against cost');
    expect(labels).toContain('abstentions by reason');
    expect(labels.some((l) => l.includes('confusion'))).toBe(false);
    expect(await page.locator('details summary', { hasText: 'm2: ' }).textContent()).toMatch(/^m2: \d+ (refusal|no-label)/);
    for (const c of drawn) expect(c.shapes, c.label).toBeGreaterThan(0);
    await page.locator('#leaderboard th', { hasText: 'accuracy' }).click();
    const acc = await page.$$eval('#leaderboard tbody tr td:nth-child(3)', (tds) => tds.map((td) => Number(td.getAttribute('data-v'))));
    expect(acc).toEqual([...acc].sort((a, b) => a - b));
    expect(await page.locator('#contested tbody tr').count()).toBeGreaterThan(0);
    await page.locator('details summary', { hasText: 'm2: ' }).click();
    expect(await page.locator('details pre', { hasText: 'console.error("injected")' }).count()).toBe(1);
    await page.screenshot({ path: join(artifacts, 'report-qa.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});

describe.skipIf(!executable)('rating HTML report in a real browser', () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'fusion-html-rating-'));
  const ratingPage = join(dir, 'rating.html');
  // More scored items than the scatter plot draws, judges with known bias, an unreadable answer that tries to run a script.
  const N = 420;
  const gold = Array.from({ length: N }, (_, i) => 1 + ((i * 7) % 9));
  const hostile = '<img src="http://127.0.0.1:9/x.png"></pre></script><script>console.error("injected")</script>';

  beforeAll(async () => {
    const items = gold.map((g, i) => ({ id: `r${i}`, text: `text ${i}`, label: g }));
    const responses = items.flatMap((it, i) => [
      { item: it.id, model: 'lenient-judge', output: `Score: ${Math.min(10, (gold[i] as number) + 1)}/10`, cost: 0.001 },
      { item: it.id, model: 'harsh-judge', output: `${Math.max(0, (gold[i] as number) - 2)} out of 10` },
      { item: it.id, model: 'noisy-judge', output: i % 50 === 0 ? hostile : `**${Math.min(10, Math.max(0, (gold[i] as number) + ((i % 5) - 2)))}**` },
    ]);
    const folder = writeEvalFolder({ task: { name: 'rating-page', kind: 'rating', scale: { min: 0, max: 10 }, instructions: 'Rate the text.' }, items, responses });
    const ev = await runCli(['eval', folder, '--strategies', 'mean,median,calibrated', '--html', ratingPage, '--quiet']);
    expect(ev.stderr).toBe('');
    expect(ev.status).toBe(0);
    browser = await chromium.launch({ executablePath: executable as string, args: ['--no-sandbox'] });
    mkdirSync(artifacts, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('draws the rating page (scatter of fused against gold, bias and noise) offline, without errors, within a 1,200 px window', async () => {
    const { page, problems, requests } = await openPage(browser, ratingPage, 1200);
    const labels = await page.$$eval('svg.chart', (svgs) => svgs.map((s) => s.getAttribute('aria-label') ?? ''));
    expect(labels.some((l) => /^fused score of \S+ against gold$/.test(l)), labels.join(' | ')).toBe(true);
    expect(labels.some((l) => l.startsWith('bias (dot)'))).toBe(true);
    expect(labels).toContain('unreadable answers by reason');
    expect(await page.locator('svg.chart circle.dot').count()).toBeGreaterThanOrEqual(300);
    expect(await page.locator('svg.chart line.interval').count()).toBe(300);
    expect(await page.locator('p.meta', { hasText: '300 of the 420 scored items are drawn' }).count()).toBe(1);
    expect(await page.$eval('html', (h) => h.scrollWidth - h.clientWidth)).toBe(0);
    await page.locator('#leaderboard th', { hasText: 'Spearman' }).click();
    const rho = await page.$$eval('#leaderboard tbody tr td:nth-child(3)', (tds) => tds.map((td) => Number(td.getAttribute('data-v'))));
    expect(rho).toEqual([...rho].sort((a, b) => a - b));
    await page.locator('details summary', { hasText: 'noisy-judge: ' }).click();
    // Shown as text (up to three examples per reason), never run: `problems` stays empty.
    expect(await page.locator('details pre', { hasText: 'console.error("injected")' }).count()).toBe(3);
    const narrow = await openPage(browser, ratingPage, 400);
    expect(await narrow.page.$eval('html', (h) => h.scrollWidth - h.clientWidth)).toBe(0);
    await narrow.page.close();
    await page.screenshot({ path: join(artifacts, 'report-rating.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
