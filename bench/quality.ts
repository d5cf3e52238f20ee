/**
 * One quality table over every dev set in ../shared/data (or --data): per classification and QA
 * folder, the hindsight best single model, the plain vote, `auto`, `adaptive` (with its calls per
 * item), `dawid-skene`, each on the metric the project is judged on there (macro-F1 for
 * classification, accuracy of the named answer for QA), and the change since the previous run.
 * Rating folders are listed as not supported yet. The previous run's figures live in
 * bench/quality-last.json (per folds and seed), which this command reads and rewrites; a set whose
 * `auto` falls by more than 1 point prints a warning. Supervised strategies out-of-fold through the
 * path `fusion eval` takes (src/eval), unsupervised ones on all items without labels. `auto` fits
 * (also `adaptive`'s final stage, as in `fusion eval`) are cached on disk by code hash.
 *
 *   npm run bench:quality -- [--data DIR] [--sets a,b] [--strategies a,b] [--folds 5] [--seed 1] [--cache DIR] [--no-write]
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { scoreAnswers } from '../src/eval/answer-score.js';
import { buildAnswerMatrix } from '../src/eval/build-matrix.js';
import { estimateCallPrices } from '../src/eval/call-prices.js';
import { fusedPrediction, modelPrediction, scoreStrategy, strategyVoice } from '../src/eval/evaluate.js';
import { selectItems } from '../src/fuse/answer-matrix.js';
import { adaptiveStrategy, createAdaptive } from '../src/fuse/adaptive/adaptive-strategy.js';
import { foldUsage } from '../src/fuse/adaptive/usage.js';
import { autoStrategy, FALLBACK_PREFIX } from '../src/fuse/auto.js';
import { getStrategy } from '../src/fuse/registry.js';
import type { FittedStrategy, FusionStrategy } from '../src/fuse/strategy.js';
import { createClassificationNormalizer } from '../src/normalize/classification.js';
import { prepareQa } from '../src/qa/prepare.js';
import { loadEvalFolder } from '../src/task/load-folder.js';
import { scoreClassification } from '../src/validation/metrics.js';
import { diskCachedFits } from './fit-cache.js';

const DEFAULT_STRATEGIES = ['majority-vote', 'best-model', 'auto', 'adaptive', 'dawid-skene'];
/** A fall of `auto` larger than this between two runs needs a written reason (issue 19). */
const WARN_FALL = 0.01;

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: new URL('../../shared/data/', import.meta.url).pathname },
    sets: { type: 'string' },
    strategies: { type: 'string' },
    folds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    cache: { type: 'string', default: new URL('../.bench-cache/quality/', import.meta.url).pathname },
    last: { type: 'string', default: new URL('./quality-last.json', import.meta.url).pathname },
    'no-write': { type: 'boolean', default: false },
  },
});
const dataDir = values.data as string;
const folds = Number(values.folds);
const seed = Number(values.seed);
const names = values.strategies ? values.strategies.split(',').filter(Boolean) : DEFAULT_STRATEGIES;
const runKey = `folds=${folds},seed=${seed}`;

type Kind = 'classification' | 'qa' | 'rating' | string;
const kindOf = (dir: string): Kind => (JSON.parse(readFileSync(join(dir, 'task.json'), 'utf8')) as { kind?: string }).kind ?? 'classification';
const allSets = readdirSync(dataDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(dataDir, d.name, 'task.json')))
  .map((d) => d.name)
  .sort();
const sets = values.sets ? values.sets.split(',').filter(Boolean) : allSets;

/** `auto` cached on disk, and `adaptive` with that `auto` as its final stage (as `fusion eval` shares one `auto` fit). */
function strategiesFor(set: string): Map<string, FusionStrategy> {
  const auto = diskCachedFits(autoStrategy, values.cache as string, set);
  const out = new Map<string, FusionStrategy>();
  for (const n of names) {
    const s = getStrategy(n);
    out.set(n, s === autoStrategy ? auto : s === adaptiveStrategy ? createAdaptive({ final: auto }) : s);
  }
  return out;
}

interface Cell {
  score: number;
  callsPerItem: number;
  picks?: string[];
}
interface SetResult {
  set: string;
  kind: 'classification' | 'qa';
  metric: 'macro-F1' | 'accuracy';
  items: number;
  models: number;
  best: { name: string; score: number };
  cells: Record<string, Cell | null>;
  seconds: number;
}

function picksOf(fitted: readonly FittedStrategy[]): string[] | undefined {
  const picks = fitted.map((f) => (f.state() as { picked?: unknown } | null)?.picked);
  return picks.every((p): p is string => typeof p === 'string') ? picks : undefined;
}

function classificationSet(set: string, dir: string): SetResult {
  const folder = loadEvalFolder(dir);
  if (folder.kind !== 'classification') throw new Error(`${set}: expected classification`);
  const built = buildAnswerMatrix(folder, createClassificationNormalizer(folder.task));
  const { matrix } = built;
  const { gold } = folder;
  let best = { name: '', score: -1 };
  matrix.models.forEach((name, j) => {
    const s = scoreClassification(gold, modelPrediction(matrix, j), matrix.labels).macroF1;
    if (s > best.score) best = { name, score: s };
  });
  const pricePerCall = estimateCallPrices(folder, matrix.models);
  const cells: Record<string, Cell | null> = {};
  for (const [n, s] of strategiesFor(set)) {
    const t0 = performance.now();
    const e = scoreStrategy(s, built, gold, { folds, seed, pricePerCall });
    cells[n] = { score: e.macroF1, callsPerItem: e.callsPerItem, ...(e.picks ? { picks: e.picks } : {}) };
    console.error(`${set} ${n}: ${e.macroF1.toFixed(3)} @ ${e.callsPerItem.toFixed(2)} (${((performance.now() - t0) / 1000).toFixed(1)} s)${e.picks ? ` picks ${e.picks.join(' | ')}` : ''}`);
  }
  return { set, kind: 'classification', metric: 'macro-F1', items: matrix.itemIds.length, models: matrix.models.length, best, cells, seconds: 0 };
}

function qaSet(set: string, dir: string): SetResult {
  const folder = loadEvalFolder(dir);
  if (folder.kind !== 'qa') throw new Error(`${set}: expected qa`);
  const p = prepareQa(folder);
  const { matrix } = p.candidates;
  const gold = p.goldColumn;
  let best = { name: '', score: -1 };
  p.models.forEach((name, j) => {
    const s = scoreAnswers(p, modelPrediction(matrix, j), { speaker: j }).accuracy;
    if (s > best.score + 1e-12) best = { name, score: s };
  });
  const prices = estimateCallPrices(folder, p.models);
  const n = p.built.length;
  const cells: Record<string, Cell | null> = {};
  for (const [name, s] of strategiesFor(set)) {
    // A strategy that needs a fixed label set is refused where candidates are answer clusters.
    if (s.needsSharedLabels === true && matrix.candidates !== undefined) {
      cells[name] = null;
      continue;
    }
    const t0 = performance.now();
    const { prediction, fitted, folds: testFolds } = fusedPrediction(s, matrix, gold, { folds, seed, right: p.rightColumns });
    const voice = strategyVoice(fitted, testFolds, matrix, p.models);
    const usage = testFolds ? testFolds.map((test, f) => foldUsage(fitted[f] as FittedStrategy, selectItems(matrix, test), prices)) : [foldUsage(fitted[0] as FittedStrategy, matrix, prices)];
    const picks = s.supervised ? picksOf(fitted) : undefined;
    const accuracy = scoreAnswers(p, prediction, voice).accuracy;
    cells[name] = { score: accuracy, callsPerItem: usage.reduce((a, u) => a + u.calls, 0) / Math.max(1, n), ...(picks ? { picks } : {}) };
    console.error(`${set} ${name}: ${accuracy.toFixed(3)} @ ${(cells[name]?.callsPerItem ?? 0).toFixed(2)} (${((performance.now() - t0) / 1000).toFixed(1)} s)${picks ? ` picks ${picks.join(' | ')}` : ''}`);
  }
  return { set, kind: 'qa', metric: 'accuracy', items: n, models: p.models.length, best, cells, seconds: 0 };
}

type Last = Record<string, Record<string, { best: number; cells: Record<string, number | null> }>>;
const last: Last = existsSync(values.last as string) ? (JSON.parse(readFileSync(values.last as string, 'utf8')) as Last) : {};
const previous = last[runKey] ?? {};

const f3 = (x: number) => x.toFixed(3);
const delta = (now: number, before: number | null | undefined) => (before === undefined || before === null ? 'new' : `${now - before >= 0 ? '+' : ''}${(100 * (now - before)).toFixed(1)}`);
/** How often `auto` fell back from its mixture to its best candidate, over the outer folds. */
const fallbacks = (c: Cell | null | undefined) => (c?.picks ? `${c.picks.filter((p) => p.startsWith(FALLBACK_PREFIX)).length}/${c.picks.length}` : '-');


const results: SetResult[] = [];
const unsupported: { set: string; kind: string }[] = [];
for (const set of sets) {
  const dir = join(dataDir, set);
  if (!existsSync(join(dir, 'task.json'))) {
    console.error(`skip ${set}: ${dir} not found`);
    continue;
  }
  const kind = kindOf(dir);
  if (kind !== 'classification' && kind !== 'qa') {
    unsupported.push({ set, kind });
    continue;
  }
  const t0 = performance.now();
  const r = kind === 'qa' ? qaSet(set, dir) : classificationSet(set, dir);
  r.seconds = (performance.now() - t0) / 1000;
  results.push(r);
  // Written after every set, so a long run stopped part-way keeps what it measured.
  report(false);
}
report(true);

/** The table over the sets measured so far; written to bench/quality-last.json and BENCHMARKS.md unless --no-write. */
function report(final: boolean): void {
  const warnings: string[] = [];
  const lines: string[] = [];
  lines.push(
    `Command: \`npm run bench:quality\` (folds ${folds}, seed ${seed}${values.sets ? `, sets ${values.sets}` : ''}). Classification: macro-F1; QA: accuracy of the named answer (gold aliases, or the human judgement where responses carry one). Supervised strategies out-of-fold, the others on all items without labels; \`best single\` is picked with hindsight. \`adaptive\` shows its calls per item after \`@\` and, in brackets, their share of \`auto\`'s (every recorded answer), then its loss against \`auto\` in points; \`auto fb\` counts the outer folds where \`auto\` fell back from its mixture to its best candidate. \`Δ\` columns: points since the previous run with the same folds and seed (bench/quality-last.json).`,
    '',
  );
  const head = names.flatMap((n) => (n === 'auto' ? ['auto', 'Δ auto', 'auto fb'] : n === 'adaptive' ? ['adaptive @ calls (share of auto\'s)', 'adaptive loss vs auto'] : [n]));
  const width = (n: string) => (n === 'auto' ? 3 : n === 'adaptive' ? 2 : 1);
  /** adaptive's loss against auto (points) and its calls as a share of auto's, where both were measured. */
  const againstAuto = (r: SetResult): { loss: number; share: number } | null => {
    const a = r.cells.adaptive;
    const b = r.cells.auto;
    return a && b ? { loss: 100 * (b.score - a.score), share: a.callsPerItem / Math.max(1e-9, b.callsPerItem) } : null;
  };
  lines.push(`| set | kind | items | models | best single (hindsight) | ${head.join(' | ')} |`);
  lines.push(`|---|---|---|---|---|${head.map(() => '---|').join('')}`);
  for (const r of results) {
    const before = previous[r.set];
    const cells = names.flatMap((n) => {
      const c = r.cells[n];
      if (c === undefined) return new Array<string>(width(n)).fill('');
      if (c === null) return ['-', ...new Array<string>(width(n) - 1).fill('')];
      if (n === 'adaptive') {
        const vs = againstAuto(r);
        return [`${f3(c.score)} @ ${c.callsPerItem.toFixed(2)}${vs ? ` (${vs.share.toFixed(2)})` : ''}`, vs ? vs.loss.toFixed(2) : ''];
      }
      const v = f3(c.score);
      if (n !== 'auto') return [v];
      const was = before?.cells.auto;
      if (was !== undefined && was !== null && was - c.score > WARN_FALL) warnings.push(`WARNING: ${r.set}: auto fell ${(100 * (was - c.score)).toFixed(1)} points since the previous run (${f3(was)} -> ${f3(c.score)}): write down why before committing.`);
      return [v, delta(c.score, was), fallbacks(c)];
    });
    lines.push(`| ${r.set} | ${r.kind} | ${r.items} | ${r.models} | ${r.best.name}: ${f3(r.best.score)} | ${cells.join(' | ')} |`);
  }
  for (const u of unsupported) lines.push(`| ${u.set} | ${u.kind} | | | not supported yet | ${head.map(() => '').join(' | ')} |`);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  for (const kind of ['classification', 'qa'] as const) {
    const rs = results.filter((r) => r.kind === kind);
    if (rs.length === 0) continue;
    const means = names.flatMap((n) => {
      const xs = rs.map((r) => r.cells[n]).filter((c): c is Cell => c !== null && c !== undefined);
      const v = xs.length === rs.length ? f3(mean(xs.map((c) => c.score))) : '';
      if (n === 'adaptive') {
        const vs = rs.map(againstAuto).filter((x): x is { loss: number; share: number } => x !== null);
        return vs.length === rs.length ? [`${v} (${mean(vs.map((x) => x.share)).toFixed(2)})`, mean(vs.map((x) => x.loss)).toFixed(2)] : [v, ''];
      }
      return n === 'auto' ? [v, '', ''] : [v];
    });
    lines.push(`| **mean ${kind}** | | | | ${f3(mean(rs.map((r) => r.best.score)))} | ${means.join(' | ')} |`);
  }
  lines.push('');
  if (names.includes('auto')) {
    const below = results.filter((r) => (r.cells.auto?.score ?? Infinity) < r.best.score).map((r) => `${r.set} (${(100 * ((r.cells.auto?.score ?? 0) - r.best.score)).toFixed(1)})`);
    lines.push(`\`auto\` below the hindsight best single model on ${below.length} of ${results.length} set(s)${below.length ? `: ${below.join(', ')}` : ''}.`, '');
  }
  lines.push(`Seconds per set (auto fits cached; shared machine): ${results.map((r) => `${r.set} ${r.seconds.toFixed(0)}`).join(', ')}.`);
  if (warnings.length > 0) lines.push('', ...warnings.map((w) => `**${w}**`));
  const table = lines.join('\n');
  if (final) {
    console.log(table);
    for (const w of warnings) console.error(`\n!!! ${w} !!!\n`);
  }

  if (!values['no-write']) {
    const now = { ...previous };
    for (const r of results) now[r.set] = { best: r.best.score, cells: Object.fromEntries(Object.entries(r.cells).map(([n, c]) => [n, c === null ? null : c.score])) };
    // Merged per set: a run on some sets keeps the others' figures for the next comparison.
    for (const r of results) now[r.set] = { best: r.best.score, cells: { ...(previous[r.set]?.cells ?? {}), ...now[r.set]?.cells } };
    writeFileSync(values.last as string, `${JSON.stringify({ ...last, [runKey]: now }, null, 1)}\n`);
    const file = new URL('../BENCHMARKS.md', import.meta.url).pathname;
    const start = `<!-- quality:${runKey}:start -->`;
    const end = `<!-- quality:${runKey}:end -->`;
    const section = `${start}\n### Folds ${folds}, seed ${seed}\n\n${table}\n${end}`;
    const old = readFileSync(file, 'utf8');
    const a = old.indexOf(start);
    const b = old.indexOf(end);
    const next = a >= 0 && b > a ? old.slice(0, a) + section + old.slice(b + end.length) : `${old.trimEnd()}\n\n${section}\n`;
    writeFileSync(file, next);
  }
}
