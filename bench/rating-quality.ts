/**
 * Rating fusion quality on the rating dev sets in ../shared/data: per set and fold seed, the mean
 * and median of the judges, the best single judge (hindsight, as the data README's reference), a
 * reference-style ridge (the judges' sample-averaged scores only), every rating strategy and auto,
 * all out-of-fold (5-fold, grouped by shared text). Writes the table into BENCHMARKS.md between the
 * rating-quality markers.
 *
 *   npx tsx bench/rating-quality.ts [--no-write] [--data ../shared/data] [--sets a,b] [--seeds 1,2] [--strategies a,b]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { medianOf } from '../src/kinds/rating/judge-scores.js';
import { outOfFoldRatings } from '../src/kinds/rating/out-of-fold.js';
import { RATING_STRATEGIES } from '../src/kinds/rating/registry.js';
import type { RatingMatrix } from '../src/kinds/rating/rating-matrix.js';
import { adaptiveCurve } from '../src/kinds/rating/adaptive-curve.js';
import { loadRatingSet } from './rating-data.js';
import { referenceRidge } from './rating-reference.js';
import { benchMetrics, type BenchMetrics, standInReader } from './rating-standin.js';

const { values } = parseArgs({ options: { 'no-write': { type: 'boolean' }, data: { type: 'string' }, sets: { type: 'string' }, seeds: { type: 'string' }, strategies: { type: 'string' } } });
const dataDir = values.data ?? new URL('../../shared/data/', import.meta.url).pathname;
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

interface Row {
  name: string;
  metrics: BenchMetrics;
  note?: string;
}

const fmt = (x: number | null | undefined, d = 3): string => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
const sections: string[] = [];
const summary: { set: string; seed: number; auto: BenchMetrics; ridge: BenchMetrics; best: BenchMetrics }[] = [];
for (const set of SETS) {
  const dir = join(dataDir, set);
  if (!existsSync(join(dir, 'responses.jsonl'))) {
    console.error(`skipping ${set}: not found in ${dataDir}`);
    continue;
  }
  const data = loadRatingSet(dir, standInReader);
  const { matrix: m, gold } = data;
  const J = m.judges.length;
  const scale = m.scale;
  const fixed: Row[] = [];
  fixed.push({ name: 'mean of judges (all items)', metrics: benchMetrics(gold, judgeMeanOf(m, (xs) => xs.reduce((a, b) => a + b, 0) / xs.length), scale) });
  fixed.push({ name: 'median of judges (all items)', metrics: benchMetrics(gold, judgeMeanOf(m, medianOf), scale) });
  const singles = m.judges.map((name, j) => ({ name, metrics: benchMetrics(gold, Float64Array.from(m.itemIds, (_, i) => m.scores[i * J + j] as number), scale) }));
  const best = singles.reduce((a, b) => (b.metrics.spearman > a.metrics.spearman ? b : a));
  fixed.push({ name: `best single judge, hindsight (${best.name})`, metrics: best.metrics });
  for (const seed of SEEDS) {
    const rows: Row[] = [...fixed];
    const ridge = benchMetrics(gold, referenceRidge(m, gold, seed, FOLDS), scale);
    rows.push({ name: 'reference ridge (judges only, OOF)', metrics: ridge });
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
    if (autoMetrics) summary.push({ set, seed, auto: autoMetrics, ridge, best: best.metrics });
    const lines = [
      `#### ${set}, fold seed ${seed} (${m.itemIds.length} items, ${J} judges, ${data.abstentions} unreadable answers; scale ${scale.min}-${scale.max})`,
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
      `Adaptive on ${set} (fold seed ${SEEDS[0]}): judges asked most reliable first (by calibrated's error), stopping when the next judge's expected move of the fused score is at most the tolerance; the fused score is calibrated's on the judges asked.`,
      '',
      '| tolerance (share of the scale) | judges asked per item | Spearman | MAE |',
      '|---|---|---|---|',
      ...curve.map((p) => {
        const r = benchMetrics(gold, p.score, scale);
        return `| ${(p.tolerance / span).toFixed(3)} | ${p.callsPerItem.toFixed(2)} of ${J} | ${fmt(r.spearman)} | ${fmt(r.mae)} |`;
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
      at.map((s) => `${s.set}: auto ${fmt(s.auto.spearman)} vs ridge ${fmt(s.ridge.spearman)} / best judge ${fmt(s.best.spearman)} (Spearman), MAE ${fmt(s.auto.mae)} vs ridge ${fmt(s.ridge.mae)}`).join('; ') +
      `; mean Spearman auto ${fmt(mean((s) => s.auto.spearman))} vs ridge ${fmt(mean((s) => s.ridge.spearman))} (target: ridge + 0.02)`,
  );
}
const block = [
  `Command: \`npm run bench:rating-quality\` (\`npx tsx bench/rating-quality.ts\`; grouped ${FOLDS}-fold out-of-fold, fold seeds ${SEEDS.join(' and ')}, ${LEVEL * 100}% intervals; scores read with the data README's reference rule until the rating-read reader is merged).`,
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
