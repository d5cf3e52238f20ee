/**
 * Rating fusion quality on the rating dev sets in ../shared/data, as users get it: every rating
 * strategy and auto out of fold (5-fold, grouped by shared text) on the answers read with the
 * product's reader (readScore) and scored with the product's metrics (scoreMetrics). Beside them the
 * data README's baselines (mean and median of the judges, the best single judge in hindsight, its
 * ridge stacking) rebuilt with the README's own reading rule, and the best judge and ridge again on
 * readScore's readings. Writes the tables into BENCHMARKS.md between the rating-quality markers.
 *
 *   npx tsx bench/rating-quality.ts [--no-write] [--data ../shared/data] [--sets a,b] [--seeds 1,2] [--strategies a,b]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { medianOf } from '../src/kinds/rating/judge-scores.js';
import { outOfFoldRatings } from '../src/kinds/rating/out-of-fold.js';
import { RATING_STRATEGIES } from '../src/kinds/rating/registry.js';
import type { RatingMatrix } from '../src/kinds/rating/rating-matrix.js';
import { adaptiveCurve } from '../src/kinds/rating/adaptive-curve.js';
import { readScore } from '../src/kinds/rating/read-score.js';
import type { Scale } from '../src/kinds/rating/scale.js';
import { type ScoreMetrics, scoreMetrics } from '../src/validation/score-metrics.js';
import { loadRatingSet } from './rating-data.js';
import { referenceReader, referenceRidge } from './rating-reference.js';

const { values } = parseArgs({ options: { 'no-write': { type: 'boolean' }, data: { type: 'string' }, sets: { type: 'string' }, seeds: { type: 'string' }, strategies: { type: 'string' } } });
const dataDir = values.data ?? fileURLToPath(new URL('../../shared/data/', import.meta.url));
const SETS = values.sets ? values.sets.split(',') : ['hanna-story', 'qaes-essay-traits', 'mt-da-dev'];
const SEEDS = (values.seeds ?? '1,2').split(',').map(Number);
const FOLDS = 5;
const LEVEL = 0.8;
/** Adaptive stopping tolerances, as shares of the scale's span (0 asks every judge). */
const TOLERANCES = [0, 0.005, 0.01, 0.02, 0.05, 0.1];
const strategies = values.strategies ? RATING_STRATEGIES.filter((s) => values.strategies?.split(',').includes(s.name)) : RATING_STRATEGIES;

function judgeMeanOf(m: RatingMatrix, f: (xs: number[]) => number): Float64Array {
  const J = m.judges.length;
  return Float64Array.from(m.itemIds, (_, i) => {
    const xs = Array.from({ length: J }, (_, j) => m.scores[i * J + j] as number).filter((x) => !Number.isNaN(x));
    return xs.length ? f(xs) : Number.NaN;
  });
}

interface BenchMetrics extends ScoreMetrics {
  /** Share of all items whose interval holds the gold (an undecided item is not covered); null without intervals. */
  coverage: number | null;
  /** Mean interval width over all items; null without intervals. */
  width: number | null;
}

/** The product's score metrics, plus interval coverage and width when the scores come with intervals. */
function benchMetrics(gold: Float64Array, pred: ArrayLike<number>, scale: Scale, interval?: { low: ArrayLike<number>; high: ArrayLike<number> }): BenchMetrics {
  let covered = 0;
  let width = 0;
  if (interval) {
    for (let i = 0; i < gold.length; i++) {
      const lo = interval.low[i] as number;
      const hi = interval.high[i] as number;
      if (lo <= (gold[i] as number) && (gold[i] as number) <= hi) covered++;
      if (Number.isFinite(lo) && Number.isFinite(hi)) width += hi - lo;
    }
  }
  return { ...scoreMetrics(gold, pred, scale), coverage: interval ? covered / gold.length : null, width: interval ? width / gold.length : null };
}

/** The judge with the highest Spearman (hindsight, all items), as the data README picks it. */
function bestJudge(m: RatingMatrix, gold: Float64Array): { name: string; metrics: BenchMetrics } {
  const J = m.judges.length;
  const singles = m.judges.map((name, j) => ({ name, metrics: benchMetrics(gold, Float64Array.from(m.itemIds, (_, i) => m.scores[i * J + j] as number), m.scale) }));
  return singles.reduce((a, b) => (b.metrics.spearman > a.metrics.spearman || Number.isNaN(a.metrics.spearman) ? b : a));
}

interface Row {
  name: string;
  metrics: BenchMetrics;
  note?: string;
}

const fmt = (x: number | null | undefined, d = 3): string => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
const sections: string[] = [];
interface Baseline {
  ridge: BenchMetrics;
  best: BenchMetrics;
}
const summary: { set: string; seed: number; auto: BenchMetrics; readme: Baseline; product: Baseline }[] = [];
for (const set of SETS) {
  const dir = join(dataDir, set);
  if (!existsSync(join(dir, 'responses.jsonl'))) {
    console.error(`skipping ${set}: not found in ${dataDir}`);
    continue;
  }
  const data = loadRatingSet(dir, readScore);
  const { matrix: m, gold } = data;
  const reference = loadRatingSet(dir, referenceReader);
  const r = reference.matrix;
  const J = m.judges.length;
  const scale = m.scale;
  const fixed: Row[] = [];
  fixed.push({ name: 'README rule: mean of judges (all items)', metrics: benchMetrics(gold, judgeMeanOf(r, (xs) => xs.reduce((a, b) => a + b, 0) / xs.length), scale) });
  fixed.push({ name: 'README rule: median of judges (all items)', metrics: benchMetrics(gold, judgeMeanOf(r, medianOf), scale) });
  const bestReadme = bestJudge(r, gold);
  fixed.push({ name: `README rule: best single judge, hindsight (${bestReadme.name})`, metrics: bestReadme.metrics });
  const bestProduct = bestJudge(m, gold);
  for (const seed of SEEDS) {
    const rows: Row[] = [...fixed];
    const ridgeReadme = benchMetrics(gold, referenceRidge(r, gold, seed, FOLDS), scale);
    rows.push({ name: 'README rule: reference ridge (judges only, OOF)', metrics: ridgeReadme });
    rows.push({ name: `readScore: best single judge, hindsight (${bestProduct.name})`, metrics: bestProduct.metrics });
    const ridgeProduct = benchMetrics(gold, referenceRidge(m, gold, seed, FOLDS), scale);
    rows.push({ name: 'readScore: reference ridge (judges only, OOF)', metrics: ridgeProduct });
    let autoMetrics: BenchMetrics | undefined;
    for (const s of strategies) {
      const started = Date.now();
      const oof = outOfFoldRatings(s, m, gold, { folds: FOLDS, seed, level: LEVEL });
      const metrics = benchMetrics(gold, oof.score, scale, oof);
      const picks = [...new Set(oof.picks.map((p) => p.replace(/\*[0-9.]+/g, '')))];
      rows.push({ name: s.name, metrics, ...(s.name === 'auto' ? { note: `${oof.picks.join(' / ')}` } : {}) });
      if (s.name === 'auto') autoMetrics = metrics;
      console.error(`${set} seed ${seed} ${s.name}: spearman ${fmt(metrics.spearman)} mae ${fmt(metrics.mae)} coverage ${fmt(metrics.coverage)} (${((Date.now() - started) / 1000).toFixed(1)} s)${picks.length && s.name === 'auto' ? ' ' + oof.picks.join(' / ') : ''}`);
    }
    if (autoMetrics) summary.push({ set, seed, auto: autoMetrics, readme: { ridge: ridgeReadme, best: bestReadme.metrics }, product: { ridge: ridgeProduct, best: bestProduct.metrics } });
    const lines = [
      `#### ${set}, fold seed ${seed} (${m.itemIds.length} items, ${J} judges; unreadable answers: ${data.abstentions} by readScore, ${reference.abstentions} by the README rule; scale ${scale.min}-${scale.max})`,
      '',
      '| | Spearman | MAE | Pearson | QWK | 80% interval coverage | mean width |',
      '|---|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.name} | ${fmt(r.metrics.spearman)} | ${fmt(r.metrics.mae)} | ${fmt(r.metrics.pearson)} | ${fmt(r.metrics.qwk)} | ${fmt(r.metrics.coverage)} | ${fmt(r.metrics.width, 2)} |`),
      '',
      ...rows.filter((r) => r.note).map((r) => `${r.name} picked per fold: ${r.note}`),
      '',
    ];
    sections.push(lines.join('\n'));
  }
  // The adaptive policy (stretch goal): calls per item against quality, first fold seed only.
  const span = scale.max - scale.min;
  const curve = adaptiveCurve(m, gold, { folds: FOLDS, seed: SEEDS[0] as number, tolerances: TOLERANCES.map((f) => f * span) });
  sections.push(
    [
      `Adaptive on ${set} (fold seed ${SEEDS[0]}): judges asked most reliable first (by calibrated's error), stopping when the next judge's expected move of the fused score is at most the tolerance; the fused score is auto's fit of the judges asked (one fit per prefix of that order, so every judge asked is auto).`,
      '',
      '| tolerance (share of the scale) | judges asked per item | Spearman | MAE |',
      '|---|---|---|---|',
      ...curve.map((p) => {
        const q = benchMetrics(gold, p.score, scale);
        return `| ${(p.tolerance / span).toFixed(3)} | ${p.callsPerItem.toFixed(2)} of ${J} | ${fmt(q.spearman)} | ${fmt(q.mae)} |`;
      }),
      '',
    ].join('\n'),
  );
}

const targets: string[] = [];
for (const seed of SEEDS) {
  const at = summary.filter((s) => s.seed === seed);
  if (at.length === 0) continue;
  const mean = (f: (s: (typeof at)[number]) => number): number => at.reduce((a, s) => a + f(s), 0) / at.length;
  targets.push(
    `- fold seed ${seed}: ` +
      at
        .map(
          (s) =>
            `${s.set}: auto ${fmt(s.auto.spearman)} vs ridge ${fmt(s.readme.ridge.spearman)} (README rule) / ${fmt(s.product.ridge.spearman)} (readScore), best judge ${fmt(s.readme.best.spearman)} / ${fmt(s.product.best.spearman)} (Spearman); MAE ${fmt(s.auto.mae)} vs ridge ${fmt(s.readme.ridge.mae)} / ${fmt(s.product.ridge.mae)}; 80% coverage ${fmt(s.auto.coverage)}`,
        )
        .join('; ') +
      `; mean Spearman auto ${fmt(mean((s) => s.auto.spearman))} vs ridge ${fmt(mean((s) => s.readme.ridge.spearman))} (README rule) / ${fmt(mean((s) => s.product.ridge.spearman))} (readScore) (target: ridge + 0.02)`,
  );
}
const block = [
  `Command: \`npm run bench:rating-quality\` (\`npx tsx bench/rating-quality.ts\`; grouped ${FOLDS}-fold out-of-fold, fold seeds ${SEEDS.join(' and ')}, ${LEVEL * 100}% intervals). Strategies (\`mean\` ... \`auto\`) read the judges' answers with the product's reader (\`readScore\`); rows marked "README rule" are the data README's baselines rebuilt with its own reading rule (\`referenceReader\` in \`bench/rating-reference.ts\`), rows marked "readScore" the same baselines on the product's readings. Every figure is the product's \`scoreMetrics\` (QWK on both scores rounded to the scale's steps).`,
  '',
  ...targets,
  '',
  ...sections,
].join('\n');
console.log(block);
if (!values['no-write']) {
  const path = new URL('../BENCHMARKS.md', import.meta.url);
  const text = readFileSync(path, 'utf8');
  const start = '<!-- rating-quality:start -->';
  const end = '<!-- rating-quality:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < 0) console.error('BENCHMARKS.md has no rating-quality markers: not written');
  else writeFileSync(path, text.slice(0, a + start.length) + '\n' + block + '\n' + text.slice(b));
}
