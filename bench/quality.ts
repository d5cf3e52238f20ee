/**
 * One quality table over every dev set in ../shared/data (or --data), whatever its task kind: per
 * folder, the hindsight best single model, the plain vote, `best-model`, `auto`, `adaptive` (with its
 * calls per item), `dawid-skene`, each on the figure its kind is judged on (the plug-in's `quality`
 * view: macro-F1 for classification, accuracy of the named answer for QA, Spearman for ratings),
 * with the kind's own strategy where it names the role otherwise (ratings: `mean` for the vote,
 * `judge-model` for Dawid-Skene), a kind's published reference beside it where the bench knows one
 * (ratings: the data README's ridge), and the change since the previous run. Every figure comes from
 * the kind plug-in's `evaluate`, the path `fusion eval` takes. The previous run's figures live in
 * bench/quality-last.json (per folds and seed), which this command reads and rewrites; a set whose
 * `auto` falls by more than 1 point prints a warning. Label-strategy `auto` fits (also `adaptive`'s
 * final stage, as in `fusion eval`) are cached on disk by code hash.
 *
 *   npm run bench:quality -- [--data DIR] [--sets a,b] [--strategies a,b] [--folds 5] [--seed 1] [--cache DIR] [--no-write]
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { adaptiveStrategy, createAdaptive } from '../src/fuse/adaptive/adaptive-strategy.js';
import { autoStrategy, FALLBACK_PREFIX } from '../src/fuse/auto.js';
import { StrategyError } from '../src/fuse/strategy.js';
import { kindOf } from '../src/kinds/registry.js';
import type { AnyTaskKind, FitStrategy, KindEntry, KindQuality } from '../src/kinds/task-kind.js';
import type { EvalResult } from '../src/eval/eval-result.js';
import { type EvalFolder, loadEvalFolder } from '../src/kinds/load-folder.js';
import { allCalls as allCallsOf, callShare, curveTop } from './call-share.js';
import { diskCachedFits } from './fit-cache.js';
import { referenceRidgeSpearman } from './rating-reference.js';

/** The table's columns, named after the label strategies; each kind maps a role to its own strategy (KindQuality.counterparts). */
const DEFAULT_ROLES = ['majority-vote', 'best-model', 'auto', 'adaptive', 'dawid-skene'];
/** Published baselines per task kind, on the same folds and on the kind's figure (ratings: the data README's ridge). */
const REFERENCES: Readonly<Record<string, { label: string; score(dir: string, folds: number, seed: number): number }>> = {
  rating: { label: 'ridge (data README)', score: referenceRidgeSpearman },
};
/** A fall of `auto` larger than this between two runs needs a written reason (issue 19). */
const WARN_FALL = 0.01;

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: fileURLToPath(new URL('../../shared/data/', import.meta.url)) },
    sets: { type: 'string' },
    strategies: { type: 'string' },
    folds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    cache: { type: 'string', default: fileURLToPath(new URL('../.bench-cache/quality/', import.meta.url)) },
    last: { type: 'string', default: fileURLToPath(new URL('./quality-last.json', import.meta.url)) },
    'no-write': { type: 'boolean', default: false },
  },
});
const dataDir = values.data as string;
const folds = Number(values.folds);
const seed = Number(values.seed);
const roles = values.strategies ? values.strategies.split(',').filter(Boolean) : DEFAULT_ROLES;
const runKey = `folds=${folds},seed=${seed}`;

if (!existsSync(dataDir)) {
  console.error(`bench:quality: no data folder at ${dataDir}: put the dev sets beside the clone (../shared/data) or give --data DIR`);
  process.exit(2);
}
const allSets = readdirSync(dataDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(dataDir, d.name, 'task.json')))
  .map((d) => d.name)
  .sort();
const sets = values.sets ? values.sets.split(',').filter(Boolean) : allSets;

/** Why a cell has no figure: the kind has no such strategy by design, not yet, or refused it on this set. */
type Absent = { absent: 'none' | 'not-yet' } | { absent: 'refused'; reason: string };
interface Cell {
  score: number;
  /** Recorded answers used per item, where the kind's evaluation reports it. */
  callsPerItem?: number;
  /** A policy that asks: its calls per item when it asks every model and sample (the top of its curve). */
  allCalls?: number;
  picks?: string[];
  /** The kind's strategy that filled the role, when it is named otherwise. */
  strategy?: string;
}
interface SetResult {
  set: string;
  kind: string;
  metric: string;
  items: number;
  models: number;
  best: { name: string; score: number };
  reference: { label: string; score: number } | null;
  cells: Record<string, Cell | Absent>;
  seconds: number;
}
const isCell = (c: Cell | Absent | undefined): c is Cell => c !== undefined && !('absent' in c);

/**
 * The strategy to evaluate for `name`: the kind's own, except that the label strategies' `auto` is
 * cached on disk and `adaptive` gets that cached `auto` as its final stage (as `fusion eval` shares one `auto` fit).
 */
function strategyFor(kind: AnyTaskKind, folder: EvalFolder, set: string, name: string): FitStrategy {
  const s = kind.strategyToFit(name, folder, undefined);
  if (s !== autoStrategy && s !== adaptiveStrategy) return s;
  const auto = diskCachedFits(autoStrategy, values.cache as string, set);
  return s === autoStrategy ? auto : createAdaptive({ final: auto });
}

const numberField = (e: KindEntry, field: string): number | undefined => {
  const v = (e as unknown as Record<string, unknown>)[field];
  return typeof v === 'number' ? v : undefined;
};
const picksField = (e: KindEntry): string[] | undefined => {
  const v = (e as { picks?: unknown }).picks;
  return Array.isArray(v) && v.every((p): p is string => typeof p === 'string') ? v : undefined;
};

async function measure(set: string, dir: string): Promise<SetResult | { set: string; kind: string; unsupported: string }> {
  const folder = loadEvalFolder(dir, { requireResponses: true });
  const kind = kindOf(folder.task);
  const quality: KindQuality | undefined = kind.quality;
  if (!quality) return { set, kind: folder.kind, unsupported: 'the kind has no quality view (TaskKind.quality)' };
  const base = { folds, seed };
  const known = kind.strategyNames(folder.task);
  const cells: Record<string, Cell | Absent> = {};
  const wanted: { role: string; strategy: FitStrategy }[] = [];
  for (const role of roles) {
    const mapped = quality.counterparts?.[role];
    if (mapped === null) cells[role] = { absent: 'none' };
    else if (!known.includes(mapped ?? role)) cells[role] = { absent: 'not-yet' };
    else wanted.push({ role, strategy: strategyFor(kind, folder, set, mapped ?? role) });
  }
  let t0 = performance.now();
  const onProgress = (_done: number, _total: number, what: string) => {
    console.error(`${set} ${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    t0 = performance.now();
  };
  // One evaluation for all; when the kind refuses one of them on this folder (a StrategyError, e.g. a
  // strategy that needs a fixed label set on free-form answers), each alone, so the others still count.
  let result: EvalResult;
  const entries = new Map<string, KindEntry | Absent>();
  try {
    result = (await kind.evaluate(folder, { ...base, strategies: wanted.map((w) => w.strategy), onProgress })).result;
  } catch (e) {
    if (!(e instanceof StrategyError)) throw e;
    result = (await kind.evaluate(folder, { ...base, strategies: [] })).result;
    for (const { strategy } of wanted) {
      try {
        const one = (await kind.evaluate(folder, { ...base, strategies: [strategy], onProgress })).result.strategies;
        for (const x of one) entries.set(x.name, x);
      } catch (e2) {
        if (!(e2 instanceof StrategyError)) throw e2;
        entries.set(strategy.name, { absent: 'refused', reason: e2.message });
        console.error(`${set} ${strategy.name}: refused (${e2.message})`);
      }
    }
  }
  for (const x of result.strategies) if (!entries.has(x.name)) entries.set(x.name, x);
  for (const { role, strategy } of wanted) {
    const entry = entries.get(strategy.name);
    if (!entry) throw new Error(`${set}: the evaluation of ${strategy.name} returned no entry`);
    if ('absent' in entry) {
      cells[role] = entry;
      continue;
    }
    const calls = numberField(entry, 'callsPerItem');
    const allCalls = allCallsOf(result) ?? curveTop(entry);
    const picks = picksField(entry);
    const cell: Cell = {
      score: quality.score(entry),
      ...(calls !== undefined ? { callsPerItem: calls } : {}),
      ...(allCalls !== undefined ? { allCalls } : {}),
      ...(picks ? { picks } : {}),
      ...(strategy.name !== role ? { strategy: strategy.name } : {}),
    };
    cells[role] = cell;
    console.error(`${set} ${strategy.name}: ${cell.score.toFixed(3)}${calls !== undefined ? ` @ ${calls.toFixed(2)}` : ''}${picks ? ` picks ${picks.join(' | ')}` : ''}`);
  }
  let best = { name: '', score: Number.NEGATIVE_INFINITY };
  for (const m of result.models) {
    const s = quality.score(m);
    if (s > best.score + 1e-12) best = { name: m.name, score: s };
  }
  const ref = REFERENCES[folder.kind];
  const reference = ref ? { label: ref.label, score: ref.score(dir, folds, seed) } : null;
  return { set, kind: folder.kind, metric: quality.metric, items: result.items, models: result.models.length, best, reference, cells, seconds: 0 };
}

type Last = Record<string, Record<string, { best: number; cells: Record<string, number | null> }>>;
const last: Last = existsSync(values.last as string) ? (JSON.parse(readFileSync(values.last as string, 'utf8')) as Last) : {};
const previous = last[runKey] ?? {};

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');
const delta = (now: number, before: number | null | undefined) => (before === undefined || before === null ? 'new' : `${now - before >= 0 ? '+' : ''}${(100 * (now - before)).toFixed(1)}`);
/** How often `auto` fell back from its mixture to its best candidate, over the outer folds. */
const fallbacks = (c: Cell) => (c.picks ? `${c.picks.filter((p) => p.startsWith(FALLBACK_PREFIX)).length}/${c.picks.length}` : '-');

const results: SetResult[] = [];
const unsupported: { set: string; kind: string; unsupported: string }[] = [];
for (const set of sets) {
  const dir = join(dataDir, set);
  if (!existsSync(join(dir, 'task.json'))) {
    console.error(`skip ${set}: ${dir} not found`);
    continue;
  }
  const t0 = performance.now();
  const r = await measure(set, dir);
  if ('unsupported' in r) {
    unsupported.push(r);
    continue;
  }
  r.seconds = (performance.now() - t0) / 1000;
  console.error(`${set}: ${r.seconds.toFixed(1)} s`);
  results.push(r);
  // Written after every set, so a long run stopped part-way keeps what it measured.
  report(false);
}
report(true);

/** The footnote marks of cells without a figure, and the notes they point to (refusals by their reason). */
function footnotes(): { mark(c: Absent): string; lines(): string[] } {
  const notes = new Map<string, string>();
  const noteOf = (c: Absent): string => {
    if (c.absent === 'refused') return `refused on this set: ${c.reason}`;
    return c.absent === 'none' ? 'the kind has no strategy in this role (the hindsight column shows its best single model)' : "not a strategy of this kind yet: the cell fills once the kind's plug-in lists it";
  };
  return {
    mark(c) {
      const note = noteOf(c);
      if (!notes.has(note)) notes.set(note, `[${notes.size + 1}]`);
      return `-${notes.get(note)}`;
    },
    lines: () => [...notes].map(([note, mark]) => `${mark} ${note}`),
  };
}

/** The table over the sets measured so far; written to bench/quality-last.json and BENCHMARKS.md unless --no-write. */
function report(final: boolean): void {
  const warnings: string[] = [];
  const notes = footnotes();
  const lines: string[] = [];
  const metrics = [...new Map(results.map((r) => [r.kind, r.metric]))].map(([k, m]) => `${k}: ${m}`).join('; ');
  const renamed = [...new Set(results.flatMap((r) => Object.entries(r.cells).flatMap(([role, c]) => (isCell(c) && c.strategy ? [`\`${c.strategy}\` as \`${role}\` (${r.kind})`] : []))))];
  lines.push(
    `Command: \`npm run bench:quality\` (folds ${folds}, seed ${seed}${values.sets ? `, sets ${values.sets}` : ''}). Figure per kind (\`metric\` column; higher is better): ${metrics || '-'}. QA accuracy is of the named answer (gold aliases, or the human judgement where responses carry one). Every figure from the kind plug-in's \`evaluate\` (as \`fusion eval\`): supervised strategies out-of-fold, the others on all items without labels; \`best single\` is picked with hindsight.${renamed.length ? ` A kind's own strategy fills a role it names otherwise: ${renamed.join(', ')}.` : ''} \`reference\`: a published baseline of the kind on the same folds (ratings: the data README's ridge stacking with its own reading rule, bench/rating-reference.ts). \`adaptive\` shows its calls per item after \`@\` and, in brackets, their share of every call \`auto\` makes (every model and sample on every item, readable or not; not the top of its own curve, which leaves out the calls it never makes), then its loss against \`auto\` in points; \`auto fb\` counts the outer folds where \`auto\` fell back from its mixture to its best candidate. \`Δ\` columns: points since the previous run with the same folds and seed (bench/quality-last.json).`,
    '',
  );
  const head = roles.flatMap((n) => (n === 'auto' ? ['auto', 'Δ auto', 'auto fb'] : n === 'adaptive' ? ["adaptive @ calls (share of all calls)", 'adaptive loss vs auto'] : [n]));
  const width = (n: string) => (n === 'auto' ? 3 : n === 'adaptive' ? 2 : 1);
  /** adaptive's loss against auto (points) and its calls as a share of every call auto makes (callShare). */
  const againstAuto = (r: SetResult): { loss: number; share: number | null } | null => {
    const a = r.cells.adaptive;
    const b = r.cells.auto;
    if (!isCell(a) || !isCell(b)) return null;
    const share = callShare(a, b);
    return { loss: 100 * (b.score - a.score), share };
  };
  lines.push(`| set | kind | metric | items | models | best single (hindsight) | reference | ${head.join(' | ')} |`);
  lines.push(`|---|---|---|---|---|---|---|${head.map(() => '---|').join('')}`);
  for (const r of results) {
    const before = previous[r.set];
    const cells = roles.flatMap((n) => {
      const c = r.cells[n];
      if (c === undefined) return new Array<string>(width(n)).fill('');
      if (!isCell(c)) return [notes.mark(c), ...new Array<string>(width(n) - 1).fill('')];
      if (n === 'adaptive') {
        const vs = againstAuto(r);
        const calls = c.callsPerItem !== undefined ? ` @ ${c.callsPerItem.toFixed(2)}` : '';
        return [`${f3(c.score)}${calls}${vs?.share != null ? ` (${vs.share.toFixed(2)})` : ''}`, vs ? vs.loss.toFixed(2) : ''];
      }
      const v = f3(c.score);
      if (n !== 'auto') return [v];
      const was = before?.cells.auto;
      if (was !== undefined && was !== null && was - c.score > WARN_FALL) warnings.push(`WARNING: ${r.set}: auto fell ${(100 * (was - c.score)).toFixed(1)} points since the previous run (${f3(was)} -> ${f3(c.score)}): write down why before committing.`);
      return [v, delta(c.score, was), fallbacks(c)];
    });
    lines.push(`| ${r.set} | ${r.kind} | ${r.metric} | ${r.items} | ${r.models} | ${r.best.name}: ${f3(r.best.score)} | ${r.reference ? f3(r.reference.score) : '-'} | ${cells.join(' | ')} |`);
  }
  for (const u of unsupported) lines.push(`| ${u.set} | ${u.kind} | | | | ${u.unsupported} | | ${head.map(() => '').join(' | ')} |`);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  for (const kind of [...new Set(results.map((r) => r.kind))]) {
    const rs = results.filter((r) => r.kind === kind);
    const means = roles.flatMap((n) => {
      const xs = rs.map((r) => r.cells[n]).filter(isCell);
      const v = xs.length === rs.length ? f3(mean(xs.map((c) => c.score))) : '';
      if (n === 'adaptive') {
        const vs = rs.map(againstAuto).filter((x): x is { loss: number; share: number | null } => x !== null);
        if (vs.length !== rs.length) return [v, ''];
        const shares = vs.map((x) => x.share).filter((x): x is number => x !== null);
        return [`${v}${shares.length === vs.length ? ` (${mean(shares).toFixed(2)})` : ''}`, mean(vs.map((x) => x.loss)).toFixed(2)];
      }
      return n === 'auto' ? [v, '', ''] : [v];
    });
    const refs = rs.map((r) => r.reference?.score).filter((x): x is number => x !== undefined);
    lines.push(`| **mean ${kind}** | | | | | ${f3(mean(rs.map((r) => r.best.score)))} | ${refs.length === rs.length ? f3(mean(refs)) : ''} | ${means.join(' | ')} |`);
  }
  lines.push('');
  const footnoteLines = notes.lines();
  if (footnoteLines.length > 0) lines.push(...footnoteLines.map((l) => `${l}  `), '');
  if (roles.includes('auto')) {
    const below = results.filter((r) => {
      const a = r.cells.auto;
      return isCell(a) && a.score < r.best.score;
    });
    const measured = results.filter((r) => isCell(r.cells.auto)).length;
    lines.push(`\`auto\` below the hindsight best single model on ${below.length} of ${measured} set(s)${below.length ? `: ${below.map((r) => `${r.set} (${(100 * ((r.cells.auto as Cell).score - r.best.score)).toFixed(1)})`).join(', ')}` : ''}.`, '');
  }
  lines.push(`Seconds per set (auto fits cached; shared machine): ${results.map((r) => `${r.set} ${r.seconds.toFixed(0)}`).join(', ')}.`);
  if (warnings.length > 0) lines.push('', ...warnings.map((w) => `**${w}**`));
  const table = lines.join('\n');
  if (final) {
    console.log(table);
    for (const w of warnings) console.error(`\n!!! ${w} !!!\n`);
  }

  if (!values['no-write']) {
    // Merged per set: a run on some sets (or some strategies) keeps the others' figures for the next comparison.
    const now = { ...previous };
    for (const r of results) {
      const measured = Object.fromEntries(Object.entries(r.cells).map(([n, c]) => [n, isCell(c) ? c.score : null]));
      now[r.set] = { best: r.best.score, cells: { ...(previous[r.set]?.cells ?? {}), ...measured } };
    }
    writeFileSync(values.last as string, `${JSON.stringify({ ...last, [runKey]: now }, null, 1)}\n`);
    const file = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));
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
