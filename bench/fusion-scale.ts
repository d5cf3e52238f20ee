/**
 * Fit time and memory of `dawid-skene` and `stacking` on seeded synthetic answers (10 models,
 * 5 labels, 10% abstentions) at 25k, 50k and 100k items. Each fit runs in its own child process
 * so that its peak RSS (getrusage maxRSS) minus the RSS just before the fit is the fit's own
 * working memory; 'retained' is what the fitted state keeps after a collection.
 *
 *   node --expose-gc --import tsx bench/fusion-scale.ts [--no-write]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dawidSkeneStrategy } from '../src/fuse/dawid-skene.js';
import { stackingStrategy } from '../src/fuse/stacking.js';
import type { FusionStrategy } from '../src/fuse/strategy.js';
import { syntheticAnswers } from '../src/fuse/synthetic-answers.js';

const { values } = parseArgs({ options: { 'no-write': { type: 'boolean', default: false }, child: { type: 'string' }, items: { type: 'string' } } });
const gc = (globalThis as { gc?: () => void }).gc;
const SIZES = [25_000, 50_000, 100_000];
const STRATEGIES: Record<string, FusionStrategy> = { 'dawid-skene': dawidSkeneStrategy, stacking: stackingStrategy };
const mb = (b: number) => (b / 2 ** 20).toFixed(1);

interface Measure {
  seconds: number;
  /** Peak RSS during the fit minus RSS just before it (input matrix already built). */
  peakGrowth: number;
  /** Heap + array buffers still held after the fit (the fitted state), after a collection. */
  retained: number;
  detail: string;
}

/** One fit in this process (run as a child so that peak RSS belongs to this fit alone). */
function measureHere(name: string, items: number): Measure {
  const strategy = STRATEGIES[name] as FusionStrategy;
  const { matrix, gold } = syntheticAnswers({ items, models: 10, labels: 5, seed: 42, abstainRate: 0.1, skewedPriors: true });
  gc?.();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const fitted = strategy.fit(matrix, strategy.supervised ? gold : new Int32Array(items).fill(-1), { seed: 1 });
  const seconds = (performance.now() - t0) / 1000;
  const peak = process.resourceUsage().maxRSS * 1024;
  gc?.();
  const after = process.memoryUsage();
  const state = fitted.state() as { config?: { C: number; classWeighting: string } };
  return {
    seconds,
    peakGrowth: Math.max(0, peak - before.rss),
    retained: after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers),
    detail: state.config ? `picked C=${state.config.C}, ${state.config.classWeighting}` : '',
  };
}

if (values.child) {
  process.stdout.write(JSON.stringify(measureHere(values.child, Number(values.items))));
  process.exit(0);
}

const rows: (Measure & { strategy: string; items: number })[] = [];
for (const strategy of Object.keys(STRATEGIES)) {
  for (const items of SIZES) {
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', strategy, '--items', String(items)], { encoding: 'utf8' });
    const m = JSON.parse(out) as Measure;
    rows.push({ strategy, items, ...m });
    console.error(`${strategy} ${items}: ${m.seconds.toFixed(2)} s, peak RSS +${mb(m.peakGrowth)} MB, retained ${mb(m.retained)} MB ${m.detail}`);
  }
}

const lines = [
  'Command: `node --expose-gc --import tsx bench/fusion-scale.ts` (synthetic answers, 10 models x 5 labels, 10% abstentions, seed 42; `fit` only; stacking includes its inner-CV choice of regularization on at most 20,000 items).',
  '',
  `Machine: ${process.platform} ${process.arch}, Node ${process.version}.`,
  '',
  '| strategy | items | fit time (s) | peak RSS growth during fit (MB) | per 1k items (MB) | retained after fit (MB) | note |',
  '|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.strategy} | ${r.items} | ${r.seconds.toFixed(2)} | ${mb(r.peakGrowth)} | ${((r.peakGrowth / 2 ** 20 / r.items) * 1000).toFixed(2)} | ${mb(r.retained)} | ${r.detail} |`),
  '',
  `Input matrix itself: ${mb(100_000 * 10 * 5 * 8 + 100_000 * 10)} MB at 100k items (dense Float64 probabilities + presence bytes).`,
];
const table = lines.join('\n');
console.log(table);
if (!values['no-write']) {
  const file = new URL('../BENCHMARKS.md', import.meta.url).pathname;
  const start = '<!-- fusion-scale:start -->';
  const end = '<!-- fusion-scale:end -->';
  const section = `${start}\n## Fusion scale\n\n${table}\n${end}`;
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const a = old.indexOf(start);
  const b = old.indexOf(end);
  writeFileSync(file, a >= 0 && b > a ? old.slice(0, a) + section + old.slice(b + end.length) : `${old.trimEnd()}\n\n${section}\n`);
}
