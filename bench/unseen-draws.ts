/**
 * Pseudo-unseen sets drawn from the dev data (issue 19): does fusion keep its promises on sets whose
 * figures nobody looked at? Each draw is a new eval folder built in memory from a dev folder, never
 * written anywhere:
 * - `models`: a random subset of N models of a many-model set (every sample of each kept model);
 * - `items`: a random subsample of N items of a set (every model kept);
 * - `junk`: a QA set with voters added the way issue 19 met them on unseen sets: J program-of-thought
 *   voters whose answers are Python that was never run and that agree with each other (each writes the
 *   same code from the question's numbers), and C copies of the set's weakest model (wrong answers
 *   that agree); then a random subset of N of the set's own models.
 * Every figure comes from the kind plug-in's `evaluate` (the path `fusion eval` takes, as
 * bench/quality.ts), supervised strategies out-of-fold. Per draw: `auto` minus its best candidate
 * out-of-fold (among `best-model`, `majority-vote`, `weighted-vote`, `stacking`: a subset of `auto`'s
 * candidates, so a lower bound of the best one), `auto` minus the hindsight best single model, and
 * both Dawid-Skene variants minus the vote. The draw seeds are printed; a draw is reproduced by its
 * family, set, size and seed.
 *
 *   npx tsx bench/unseen-draws.ts --family models --sets toxicity-en-all --sizes 5,10 --draws 3 [--seed 1] [--folds 5] [--junk 6] [--copies 3] [--adaptive] [--strategies a,b] [--json FILE]
 *
 * Draw d of size n under --seed s uses the generator seeded 100000 s + 100 n + d (printed per row).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FALLBACK_PREFIX } from '../src/fuse/auto.js';
import { StrategyError } from '../src/fuse/strategy.js';
import { kindOf } from '../src/kinds/registry.js';
import type { FitStrategy, KindEntry, KindQuality } from '../src/kinds/task-kind.js';
import type { EvalFolder } from '../src/kinds/load-folder.js';
import { addJunk, keepItems, keepModels, modelsOf, sample, withResponses } from './unseen-folders.js';
import { loadEvalFolder } from '../src/kinds/load-folder.js';
import { seededRandom } from '../src/util/random.js';
import { allCalls as allCallsOf } from './call-share.js';
import { setArgs } from './set-args.js';

const { values } = parseArgs({
  options: {
    ...setArgs('sets', 'toxicity-en-all'),
    family: { type: 'string', default: 'models' },
    sizes: { type: 'string', default: '5,10,25,60' },
    draws: { type: 'string', default: '3' },
    junk: { type: 'string', default: '6' },
    copies: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1' },
    adaptive: { type: 'boolean', default: false },
    /** Only these of the measured strategies (e.g. majority-vote,dawid-skene,dawid-skene-one-coin for the unsupervised rows alone). */
    strategies: { type: 'string' },
    json: { type: 'string' },
  },
});
const family = values.family as 'models' | 'items' | 'junk';
if (!['models', 'items', 'junk'].includes(family)) throw new Error(`--family: models, items or junk, not ${family}`);
const folds = Number(values.folds);
const seed = Number(values.seed);
const sizes = (values.sizes as string).split(',').map(Number);
const draws = Number(values.draws);
const threads = Number(values.threads);

/** `auto`'s candidates measured beside it; the best of them out-of-fold is the oracle property's reference. */
const CANDIDATES = ['best-model', 'majority-vote', 'weighted-vote', 'stacking'];
const UNSUPERVISED = ['dawid-skene', 'dawid-skene-one-coin'];

interface Row {
  set: string;
  size: number;
  draw: number;
  drawSeed: number;
  items: number;
  models: number;
  best: { name: string; score: number };
  scores: Record<string, number | null>;
  autoFallbacks: string;
  adaptiveShare?: number;
  seconds: number;
}

async function evaluateAll(folder: EvalFolder, names: string[]): Promise<{ entries: Map<string, KindEntry | null>; best: Row['best']; quality: KindQuality; allCalls: number | undefined }> {
  const kind = kindOf(folder.task);
  const quality = kind.quality;
  if (!quality) throw new Error(`${folder.task.name}: the kind has no quality view`);
  const known = kind.strategyNames(folder.task);
  const strategies: FitStrategy[] = [];
  for (const n of names) {
    if (!known.includes(n)) continue;
    const s = kind.strategyToFit(n, folder, undefined);
    // The registry's own `auto` and `adaptive`: the evaluation then fits `auto` once per fold for both, as `fusion eval` does.
    strategies.push(s);
  }
  const entries = new Map<string, KindEntry | null>();
  const base = { folds, seed, threads };
  let result;
  try {
    result = (await kind.evaluate(folder, { ...base, strategies })).result;
  } catch (e) {
    if (!(e instanceof StrategyError)) throw e;
    // The kind refuses Dawid-Skene where the answers have no fixed label set (numeric QA): the others without it.
    for (const n of UNSUPERVISED) entries.set(n, null);
    const kept = strategies.filter((s) => !UNSUPERVISED.includes(s.name));
    result = (await kind.evaluate(folder, { ...base, strategies: kept })).result;
  }
  for (const x of result.strategies) entries.set(x.name, x);
  let best = { name: '', score: Number.NEGATIVE_INFINITY };
  for (const m of result.models) {
    const s = quality.score(m);
    if (s > best.score + 1e-12) best = { name: m.name, score: s };
  }
  return { entries, best, quality, allCalls: allCallsOf(result) };
}

function drawFolder(base: EvalFolder, size: number, rand: () => number, weakest: string): EvalFolder {
  if (family === 'items') return keepItems(base, sample(base.items.length, size, rand));
  const own = modelsOf(base);
  const keep = new Set(sample(own.length, size, rand).map((i) => own[i]!));
  const kept = keepModels(base, keep);
  if (family === 'models') return kept;
  return withResponses(kept, [...kept.responses, ...addJunk(base, Number(values.junk), Number(values.copies), weakest)]);
}

/** The model with the lowest hindsight figure on the whole set: the one whose copies issue 19 describes. */
async function weakestModel(f: EvalFolder): Promise<string> {
  const kind = kindOf(f.task);
  const { result } = await kind.evaluate(f, { folds, seed, strategies: [], threads });
  let worst = { name: '', score: Number.POSITIVE_INFINITY };
  for (const m of result.models) {
    const s = kind.quality!.score(m);
    if (s < worst.score) worst = { name: m.name, score: s };
  }
  return worst.name;
}

const only = values.strategies === undefined ? undefined : new Set((values.strategies as string).split(','));
const names = [...CANDIDATES, 'auto', ...UNSUPERVISED, ...(values.adaptive ? ['adaptive'] : [])].filter((n) => !only || only.has(n));
const rows: Row[] = [];
const f3 = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(3));
const pts = (a: number | null | undefined, b: number | null | undefined) => (a === null || a === undefined || b === null || b === undefined ? null : 100 * (a - b));
const p1 = (x: number | null) => (x === null ? '-' : `${x >= 0 ? '+' : ''}${x.toFixed(1)}`);

const bestCandidate = (r: Row): { name: string; score: number } => {
  let b = { name: '-', score: Number.NEGATIVE_INFINITY };
  for (const c of CANDIDATES) {
    const s = r.scores[c];
    if (s !== null && s !== undefined && s > b.score) b = { name: c, score: s };
  }
  return b;
};

console.log(`family ${family}, folds ${folds}, seed ${seed}, draws ${draws}, sizes ${sizes.join(',')}${family === 'junk' ? `, junk ${values.junk}, copies ${values.copies}` : ''}`);
console.log('| set | size | draw (seed) | items | models | best single (hindsight) | best-model / vote / weighted-vote / stacking OOF | best of them | auto | auto - best of them | auto - best single | auto fb | vote | DS - vote | DS1 - vote |' + (values.adaptive ? ' adaptive loss vs auto @ share |' : ''));
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|' + (values.adaptive ? '---|' : ''));
for (const set of (values.sets as string).split(',')) {
  const dir = join(values.data as string, set);
  if (!existsSync(join(dir, 'task.json'))) throw new Error(`${dir}: no task.json`);
  const base = loadEvalFolder(dir, { requireResponses: true });
  const weakest = family === 'junk' ? await weakestModel(base) : '';
  for (const size of sizes) {
    for (let d = 0; d < draws; d++) {
      // One seed per (set, size, draw), printed, so any row is redrawn alone.
      const drawSeed = 100_000 * seed + 100 * size + d;
      const folder = drawFolder(base, size, seededRandom(drawSeed), weakest);
      const t0 = performance.now();
      const { entries, best, quality, allCalls } = await evaluateAll(folder, names);
      const scores: Record<string, number | null> = {};
      for (const n of names) {
        const e = entries.get(n);
        scores[n] = e ? quality.score(e) : null;
      }
      const autoEntry = entries.get('auto');
      const picks = autoEntry ? (autoEntry as { picks?: string[] }).picks : undefined;
      const adaptive = entries.get('adaptive');
      const calls = adaptive ? (adaptive as { callsPerItem?: number }).callsPerItem : undefined;
      const row: Row = {
        set,
        size,
        draw: d,
        drawSeed,
        items: folder.items.length,
        models: modelsOf(folder).length,
        best,
        scores,
        autoFallbacks: picks ? `${picks.filter((p) => p.startsWith(FALLBACK_PREFIX)).length}/${picks.length}` : '-',
        ...(calls !== undefined && allCalls ? { adaptiveShare: calls / allCalls } : {}),
        seconds: (performance.now() - t0) / 1000,
      };
      rows.push(row);
      const bc = bestCandidate(row);
      const adaptiveCell = values.adaptive ? ` ${p1(pts(scores.auto, scores.adaptive))} @ ${row.adaptiveShare?.toFixed(2) ?? '-'} |` : '';
      console.log(
        `| ${set} | ${size} | ${d} (${drawSeed}) | ${row.items} | ${row.models} | ${best.name}: ${f3(best.score)} | ${CANDIDATES.map((c) => f3(scores[c])).join(' / ')} | ${bc.name} | ${f3(scores.auto)} | ${p1(pts(scores.auto, bc.score))} | ${p1(pts(scores.auto, best.score))} | ${row.autoFallbacks} | ${f3(scores['majority-vote'])} | ${p1(pts(scores['dawid-skene'], scores['majority-vote']))} | ${p1(pts(scores['dawid-skene-one-coin'], scores['majority-vote']))} |${adaptiveCell}`,
      );
      console.error(`${set} size ${size} draw ${d}: ${row.seconds.toFixed(1)} s`);
    }
  }
}

/**
 * Per family of draws (set, size): `auto` against the candidate that is best IN EXPECTATION over the
 * family's draws (the highest mean), paired per draw, with the standard error of that paired
 * difference over the draws: the oracle property's comparison. The per-draw "best of them" above is
 * the best of four noisy out-of-fold figures on the same items, biased upward on few items (the
 * winner's curse), so it overstates what `auto` could have picked.
 */
console.log(`\n| set | size | draws | best candidate in expectation | auto minus it: mean (SE), worst draw | auto - best of them per draw: mean, worst | auto - best single: mean, worst | DS - vote: mean, worst | DS1 - vote: mean, worst |${values.adaptive ? ' adaptive loss vs auto: mean, worst; share of calls: mean, largest |' : ''}`);
console.log(`|---|---|---|---|---|---|---|---|---|${values.adaptive ? '---|' : ''}`);
const groups = new Map<string, Row[]>();
for (const r of rows) groups.set(`${r.set} ${r.size}`, [...(groups.get(`${r.set} ${r.size}`) ?? []), r]);
const meanSe = (v: number[]) => {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, se: sd / Math.sqrt(v.length) };
};
const stats = (xs: (number | null)[], withSe = false) => {
  const v = xs.filter((x): x is number => x !== null);
  if (v.length === 0) return '-';
  const { mean, se } = meanSe(v);
  return `${p1(mean)}${withSe ? ` (${se.toFixed(1)})` : ''}, ${p1(Math.min(...v))}`;
};
/** `adaptive`'s loss against `auto` (points; positive = below `auto`) and its share of `auto`'s calls, over a family's draws. */
const adaptiveCell = (rs: Row[]): string => {
  const loss = rs.map((r) => pts(r.scores.auto, r.scores.adaptive)).filter((x): x is number => x !== null);
  const share = rs.map((r) => r.adaptiveShare).filter((x): x is number => x !== undefined);
  if (loss.length === 0 || share.length === 0) return '-';
  return `${p1(meanSe(loss).mean)}, ${p1(Math.max(...loss))}; ${meanSe(share).mean.toFixed(2)}, ${Math.max(...share).toFixed(2)}`;
};
for (const [key, rs] of groups) {
  const [set, size] = key.split(' ');
  let top = { name: '-', mean: Number.NEGATIVE_INFINITY };
  for (const c of CANDIDATES) {
    const v = rs.map((r) => r.scores[c]).filter((x): x is number => x !== null && x !== undefined);
    if (v.length === rs.length && meanSe(v).mean > top.mean) top = { name: c, mean: meanSe(v).mean };
  }
  console.log(
    `| ${set} | ${size} | ${rs.length} | ${top.name} | ${stats(rs.map((r) => pts(r.scores.auto, r.scores[top.name])), true)} | ${stats(rs.map((r) => pts(r.scores.auto, bestCandidate(r).score)))} | ${stats(rs.map((r) => pts(r.scores.auto, r.best.score)))} | ${stats(rs.map((r) => pts(r.scores['dawid-skene'], r.scores['majority-vote'])))} | ${stats(rs.map((r) => pts(r.scores['dawid-skene-one-coin'], r.scores['majority-vote'])))} |${values.adaptive ? ` ${adaptiveCell(rs)} |` : ''}`,
  );
}
if (values.json) writeFileSync(values.json as string, `${JSON.stringify(rows)}\n`);
