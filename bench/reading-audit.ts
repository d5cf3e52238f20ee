/**
 * The readers (classification labels, QA answers, rating scores) on every recorded answer of the dev
 * sets: per set how many answers are read, how many of those match the gold (label equal, QA answer
 * right by the gold aliases, score within the scale), abstentions by reason; and a seeded sample to
 * read by hand against what the reader made of each answer (`--show`), or a file of every reading
 * (`--save`) to list the answers whose reading a change moved (`--compare`).
 *
 *   npx tsx bench/reading-audit.ts [--data ../shared/data] [--sets a,b] [--seed 1] [--sample 150]
 *     [--abstentions 40] [--show] [--save FILE] [--compare FILE]
 *
 * `--show` prints each sampled answer (the sample, then every abstention up to `--abstentions`);
 * answer texts are for the reader's eyes, never for BENCHMARKS.md unless the set's SOURCE.md names
 * an open licence.
 */
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readScore } from '../src/kinds/rating/read-score.js';
import { createClassificationNormalizer } from '../src/normalize/classification.js';
import { extractQaAnswer } from '../src/normalize/qa/extract.js';
import { goldCorrect } from '../src/qa/scoring.js';
import { type EvalFolder, loadEvalFolder } from '../src/kinds/load-folder.js';
import { seededRandom } from '../src/util/random.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: new URL('../../shared/data/', import.meta.url).pathname },
    sets: { type: 'string' },
    seed: { type: 'string', default: '1' },
    sample: { type: 'string', default: '150' },
    abstentions: { type: 'string', default: '40' },
    show: { type: 'boolean', default: false },
    save: { type: 'string' },
    compare: { type: 'string' },
  },
});

/** One answer as read: `=X` a reading, `!reason` an abstention; `right` when the gold can say. */
interface Read {
  shown: string;
  right: boolean | undefined;
  gold: string;
}

type Reader = (folder: EvalFolder) => (item: number, output: string) => Read;

/** Per kind, how an answer is read and checked against the item's gold. */
const READERS: Record<EvalFolder['kind'], Reader> = {
  classification: (f) => {
    const folder = f as Extract<EvalFolder, { kind: 'classification' }>;
    const read = createClassificationNormalizer(folder.task);
    const names = folder.task.labels.map((l) => l.name);
    return (i, output) => {
      const n = read({ output });
      const g = folder.gold[i] as number;
      const gold = g >= 0 ? (names[g] as string) : '?';
      if (n.kind === 'abstain') return { shown: `!${n.reason}`, right: undefined, gold };
      let best = 0;
      for (let k = 1; k < n.dist.length; k++) if ((n.dist[k] as number) > (n.dist[best] as number)) best = k;
      return { shown: `=${names[best]}`, right: g >= 0 ? best === g : undefined, gold };
    };
  },
  qa: (f) => {
    const folder = f as Extract<EvalFolder, { kind: 'qa' }>;
    const ctx = { answerType: folder.task.answerType };
    return (i, output) => {
      const item = folder.items[i] as (typeof folder.items)[number];
      const r = extractQaAnswer(output, { ...ctx, ...(item.choices ? { choices: item.choices } : {}) });
      const gold = (item.answers ?? []).slice(0, 3).join(' | ');
      if (r.kind === 'abstain') return { shown: `!${r.reason}`, right: undefined, gold };
      return { shown: `=${r.key}`, right: goldCorrect(r, item.answers ?? []), gold };
    };
  },
  rating: (f) => {
    const folder = f as Extract<EvalFolder, { kind: 'rating' }>;
    return (i, output) => {
      const r = readScore(output, folder.task.scale);
      const gold = String(folder.gold[i]);
      return r.kind === 'abstain' ? { shown: `!${r.reason}`, right: undefined, gold } : { shown: `=${Number(r.score.toFixed(4))}`, right: undefined, gold };
    };
  },
};

const dataDir = values.data as string;
const sets = values.sets ? values.sets.split(',') : readdirSync(dataDir).filter((d) => existsSync(join(dataDir, d, 'task.json'))).sort();
const sampleSize = Number(values.sample);
const abstentionCap = Number(values.abstentions);
const saved: Record<string, string[]> = {};
const before: Record<string, string[]> | undefined = values.compare ? (JSON.parse(readFileSync(values.compare, 'utf8')) as Record<string, string[]>) : undefined;

console.log('| set | kind | answers | read | read and right | abstentions by reason | readings changed |');
console.log('|---|---|---|---|---|---|---|');
for (const set of sets) {
  const folder = loadEvalFolder(join(dataDir, set), { requireResponses: true });
  const index = new Map(folder.items.map((it, i) => [it.id, i]));
  const read = READERS[folder.kind](folder);
  const readings: Read[] = [];
  const rows = folder.responses.filter((r) => index.has(r.item));
  for (const r of rows) readings.push(read(index.get(r.item) as number, r.output));
  saved[set] = readings.map((r) => r.shown);
  const reasons = new Map<string, number>();
  for (const r of readings) if (r.shown.startsWith('!')) reasons.set(r.shown.slice(1), (reasons.get(r.shown.slice(1)) ?? 0) + 1);
  const nRead = readings.filter((r) => r.shown.startsWith('=')).length;
  const checkable = readings.some((r) => r.right !== undefined);
  const nRight = readings.filter((r) => r.right === true).length;
  const old = before?.[set];
  const changed = old ? readings.flatMap((r, k) => (old[k] !== r.shown ? [k] : [])) : [];
  const reasonText = [...reasons].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ') || '-';
  console.log(`| ${set} | ${folder.kind} | ${readings.length} | ${nRead} | ${checkable ? nRight : '-'} | ${reasonText} | ${old ? changed.length : '-'} |`);
  if (values.show) {
    // A seeded draw without replacement, then every abstention (up to the cap), then every changed reading.
    const rand = seededRandom(Number(values.seed));
    const order = rows.map((_, k) => k);
    for (let k = order.length - 1; k > 0; k--) {
      const j = Math.floor(rand() * (k + 1));
      [order[k], order[j]] = [order[j] as number, order[k] as number];
    }
    const picked = order.slice(0, sampleSize);
    const abstained = order.filter((k) => (readings[k] as Read).shown.startsWith('!')).slice(0, abstentionCap);
    const show = (tag: string, k: number): void => {
      const r = readings[k] as Read;
      const row = rows[k] as (typeof rows)[number];
      const text = row.output.length > 700 ? `${row.output.slice(0, 250)} [...] ${row.output.slice(-400)}` : row.output;
      console.log(`### ${set} ${tag} #${k} ${row.item} ${row.model} -> ${r.shown}${old ? ` (was ${old[k]})` : ''} gold ${r.gold}${r.right === undefined ? '' : r.right ? ' RIGHT' : ' WRONG'}\n${JSON.stringify(text)}`);
    };
    for (const k of picked) show('sample', k);
    for (const k of abstained) show('abstention', k);
    for (const k of changed) show('changed', k);
  }
}
if (values.save) writeFileSync(values.save, JSON.stringify(saved));
