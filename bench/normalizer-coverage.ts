/**
 * Coverage of the classification normalizer on the recorded answers in ../shared/data (or --data):
 * per set the parsed share of the reference exact/alias parser and of the full normalizer (against
 * the README's `parsed` column), the smallest per-model accuracy change (abstentions count as wrong,
 * accuracy over all of a model's answers; it must never be negative), time per answer, and every
 * rejected output grouped by reason. Rejected outputs of sets without an open licence are printed
 * only; BENCHMARKS.md gets their counts, never their text.
 *
 *   npx tsx bench/normalizer-coverage.ts [--data DIR] [--sets a,b] [--no-write]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { groupRejected, type RejectedOutput } from '../src/normalize/audit.js';
import { createClassificationNormalizer } from '../src/normalize/classification.js';
import { createExactAliasNormalizer } from '../src/normalize/exact-alias.js';
import type { ClassificationNormalizer, NormalizedLabel } from '../src/normalize/types.js';
import { loadEvalFolder } from '../src/kinds/load-folder.js';
import { CASES } from '../test/normalize/cases.js';
import { TASKS } from '../test/normalize/fixtures.js';

const SETS = ['emotion', 'fiqa-sentiment', 'flute', 'ibc', 'implicit-hate', 'policy-topic-en', 'policy-topic-en-all', 'raop', 'toxicity-en', 'toxicity-en-all', 'wiki-politeness'];
/** Sets whose SOURCE.md names an open licence: their raw outputs may be quoted in the repository. */
const OPEN = /^(toxicity-en|policy-topic-en)(-all)?$/;

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: new URL('../../shared/data/', import.meta.url).pathname },
    sets: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const dataDir = values.data as string;
const sets = values.sets ? values.sets.split(',') : SETS;
const f3 = (x: number) => x.toFixed(3);

/** The README's `parsed` column, by set. */
function referenceParsed(): Map<string, number> {
  const out = new Map<string, number>();
  const readme = join(dataDir, 'README.md');
  if (!existsSync(readme)) return out;
  for (const line of readFileSync(readme, 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const v = Number(cells[4]);
    if (cells[1] && /^\d/.test(cells[4] ?? '') && Number.isFinite(v)) out.set(cells[1], v);
  }
  return out;
}

function argmax(d: Float64Array): number {
  let best = 0;
  for (let k = 1; k < d.length; k++) if ((d[k] as number) > (d[best] as number)) best = k;
  return best;
}

interface Row {
  set: string;
  answers: number;
  reference?: number;
  oldParsed: number;
  newParsed: number;
  meanModelParsed: number;
  minAccDelta: number;
  worstModel: string;
  gained: number;
  usPerAnswer: number;
  reasons: Record<string, number>;
  rejected: RejectedOutput[];
}

const reference = referenceParsed();
const rows: Row[] = [];
for (const set of sets) {
  const dir = join(dataDir, set);
  if (!existsSync(dir)) continue;
  const folder = loadEvalFolder(dir);
  if (folder.kind !== 'classification') continue;
  const oldNorm = createExactAliasNormalizer(folder.task);
  const newNorm: ClassificationNormalizer = createClassificationNormalizer(folder.task);
  const itemIndex = new Map(folder.items.map((it, i) => [it.id, i]));
  const answers = folder.responses.map((r) => (r.logprobs ? { output: r.output, logprobs: r.logprobs } : { output: r.output }));

  // Warm up, then time the full normalizer alone: the best of three passes, since the machine is shared.
  for (const a of answers.slice(0, 2000)) newNorm(a);
  let read: NormalizedLabel[] = [];
  let usPerAnswer = Infinity;
  for (let pass = 0; pass < 3; pass++) {
    const t0 = performance.now();
    read = answers.map((a) => newNorm(a));
    usPerAnswer = Math.min(usPerAnswer, ((performance.now() - t0) * 1000) / Math.max(1, answers.length));
  }
  const old = answers.map((a) => oldNorm(a));

  const perModel = new Map<string, { n: number; oldRight: number; newRight: number; parsed: number }>();
  const rejected: RejectedOutput[] = [];
  const reasons: Record<string, number> = {};
  let oldParsed = 0;
  let newParsed = 0;
  let gained = 0;
  folder.responses.forEach((r, idx) => {
    const gold = folder.gold[itemIndex.get(r.item) as number] as number;
    const o = old[idx] as NormalizedLabel;
    const n = read[idx] as NormalizedLabel;
    let m = perModel.get(r.model);
    if (!m) perModel.set(r.model, (m = { n: 0, oldRight: 0, newRight: 0, parsed: 0 }));
    m.n++;
    if (o.kind === 'label') {
      oldParsed++;
      if (argmax(o.dist) === gold) m.oldRight++;
    }
    if (n.kind === 'label') {
      newParsed++;
      m.parsed++;
      if (argmax(n.dist) === gold) m.newRight++;
      if (o.kind !== 'label') gained++;
    } else {
      reasons[n.reason] = (reasons[n.reason] ?? 0) + 1;
      rejected.push(n.detail === undefined ? { output: r.output, reason: n.reason } : { output: r.output, reason: n.reason, detail: n.detail });
    }
  });
  let minAccDelta = Infinity;
  let worstModel = '';
  let parsedShareSum = 0;
  for (const [model, m] of perModel) {
    const delta = (m.newRight - m.oldRight) / m.n;
    parsedShareSum += m.parsed / m.n;
    if (delta < minAccDelta) {
      minAccDelta = delta;
      worstModel = model;
    }
  }
  const total = folder.responses.length;
  const row: Row = {
    set,
    answers: total,
    oldParsed: oldParsed / total,
    newParsed: newParsed / total,
    meanModelParsed: parsedShareSum / perModel.size,
    minAccDelta,
    worstModel,
    gained,
    usPerAnswer,
    reasons,
    rejected,
  };
  const ref = reference.get(set);
  if (ref !== undefined) row.reference = ref;
  rows.push(row);
}

/** Time per answer on the hand-written test answers (chatty shapes the recorded sets lack). */
function chattyTiming(): { short: number; long: number; nShort: number; nLong: number } {
  const normalizers = new Map(Object.entries(TASKS).map(([name, task]) => [name, createClassificationNormalizer(task)]));
  const time = (cases: typeof CASES): number => {
    const reps = 50;
    for (const [task, output] of cases) normalizers.get(task)?.({ output });
    let best = Infinity;
    for (let round = 0; round < 7; round++) {
      const t0 = performance.now();
      for (let r = 0; r < reps; r++) for (const [task, output] of cases) normalizers.get(task)?.({ output });
      best = Math.min(best, ((performance.now() - t0) * 1000) / (reps * Math.max(1, cases.length)));
    }
    return best;
  };
  const short = CASES.filter(([, o]) => o.length <= 40);
  const long = CASES.filter(([, o]) => o.length > 40);
  return { short: time(short), long: time(long), nShort: short.length, nLong: long.length };
}
const chatty = chattyTiming();
const timingLine = `Time on the ${CASES.length} hand-written test answers (test/normalize/cases.ts): ${chatty.short.toFixed(2)} µs per answer up to 40 characters (best of 7 rounds) (${chatty.nShort}), ${chatty.long.toFixed(2)} µs per longer answer (${chatty.nLong}).`;

/**
 * Stress test on chain-of-thought text: the multiple-choice QA set mmlu-pro-dev (Apache-2.0) read
 * as one classification task per item (labels = the options, aliases = their letters), against the
 * README's reference extractor (first `answer is (X)`): parsed share, agreement, accuracy.
 */
function chainOfThought(): string | undefined {
  const dir = join(dataDir, 'mmlu-pro-dev');
  if (!existsSync(dir)) return undefined;
  const folder = loadEvalFolder(dir);
  if (folder.kind !== 'qa') return undefined;
  const items = new Map(folder.items.map((it) => [it.id, it]));
  const cache = new Map<string, ClassificationNormalizer>();
  let parsed = 0;
  let refParsed = 0;
  let both = 0;
  let agree = 0;
  let right = 0;
  let refRight = 0;
  const reasons: Record<string, number> = {};
  const t0 = performance.now();
  for (const r of folder.responses) {
    const item = items.get(r.item);
    const choices = item?.choices ?? [];
    let normalize = cache.get(r.item);
    if (!normalize) {
      normalize = createClassificationNormalizer({ labels: choices.map((c) => ({ name: c.text, aliases: [c.label] })) });
      cache.set(r.item, normalize);
    }
    const n = normalize({ output: r.output });
    const mine = n.kind === 'label' ? choices[argmax(n.dist)]?.label : undefined;
    const ref = /answer is \(?([A-J])\)?/.exec(r.output)?.[1];
    const gold = item?.answers?.[0];
    if (mine !== undefined) parsed++;
    else if (n.kind === 'abstain') reasons[n.reason] = (reasons[n.reason] ?? 0) + 1;
    if (ref !== undefined) refParsed++;
    if (mine !== undefined && ref !== undefined) {
      both++;
      if (mine === ref) agree++;
    }
    if (mine !== undefined && mine === gold) right++;
    if (ref !== undefined && ref === gold) refRight++;
  }
  const us = ((performance.now() - t0) * 1000) / folder.responses.length;
  const N = folder.responses.length;
  return [
    '| mmlu-pro-dev as classification | answers | parsed | agreement where both parse | accuracy (abstentions wrong) | µs/answer (incl. per-item setup) | abstentions by reason |',
    '|---|---|---|---|---|---|---|',
    `| reference \`answer is (X)\` | ${N} | ${f3(refParsed / N)} | - | ${f3(refRight / N)} | - | - |`,
    `| normalizer | ${N} | ${f3(parsed / N)} | ${f3(agree / Math.max(1, both))} | ${f3(right / N)} | ${us.toFixed(1)} | ${reasonText(reasons)} |`,
  ].join('\n');
}

const reasonText = (r: Record<string, number>) =>
  Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '-';
const table = [
  '| set | answers | README parsed | exact/alias parsed | normalizer parsed | mean per-model parsed | min per-model accuracy change | answers gained | µs/answer | abstentions by reason |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.set} | ${r.answers} | ${r.reference === undefined ? '-' : f3(r.reference)} | ${f3(r.oldParsed)} | ${f3(r.newParsed)} | ${f3(r.meanModelParsed)} | ${r.minAccDelta >= 0 ? '+' : ''}${r.minAccDelta.toFixed(4)} | ${r.gained} | ${r.usPerAnswer.toFixed(2)} | ${reasonText(r.reasons)} |`,
  ),
];

const lists: string[] = [];
for (const r of rows) {
  if (r.rejected.length === 0) continue;
  const open = OPEN.test(r.set);
  lists.push(`### ${r.set}${open ? '' : ' (no open licence: counts only)'}`, '');
  for (const [reason, outs] of groupRejected(r.rejected)) {
    const shown = outs.slice(0, 15).map((o) => `\`${JSON.stringify(o.output).slice(0, 80)}\` ×${o.count}${o.detail ? ` (${o.detail})` : ''}`);
    const more = outs.length > 15 ? `, … ${outs.length - 15} more distinct` : '';
    lists.push(open ? `- ${reason}: ${shown.join(', ')}${more}` : `- ${reason}: ${outs.reduce((s, o) => s + o.count, 0)} answers, ${outs.length} distinct`);
  }
  lists.push('');
}

const cot = chainOfThought();
console.log(table.join('\n'));
if (cot) console.log(`\n${cot}`);
console.log(`\n${timingLine}`);
console.log('\nRejected outputs by reason (all sets, printed in full here):');
for (const r of rows) {
  if (r.rejected.length === 0) continue;
  console.log(`\n## ${r.set}`);
  for (const [reason, outs] of groupRejected(r.rejected)) {
    console.log(`  ${reason}: ${outs.map((o) => `${JSON.stringify(o.output).slice(0, 100)} x${o.count}${o.detail ? ` [${o.detail}]` : ''}`).join(', ')}`);
  }
}
const drops = rows.filter((r) => r.minAccDelta < 0);
const short = rows.filter((r) => r.reference !== undefined && Number(f3(r.newParsed)) < (r.reference as number));
console.log(`\nper-model accuracy drops: ${drops.length === 0 ? 'none' : drops.map((r) => `${r.set} (${r.worstModel} ${r.minAccDelta})`).join(', ')}`);
console.log(`sets parsed below the README figure: ${short.length === 0 ? 'none' : short.map((r) => `${r.set} ${f3(r.newParsed)} < ${r.reference}`).join(', ')}`);

if (!values['no-write']) {
  const file = new URL('../BENCHMARKS.md', import.meta.url).pathname;
  const start = '<!-- normalizer-coverage:start -->';
  const end = '<!-- normalizer-coverage:end -->';
  const section = [
    start,
    '## Normalizer coverage',
    '',
    'Reproduce: `npx tsx bench/normalizer-coverage.ts` (reads ../shared/data). Parsed = share of all recorded answers read as a label; accuracy change = per model, (normalizer − exact/alias parser) correct answers over all its answers, abstentions counting as wrong; the smallest over the set\'s models is shown and must not be negative.',
    '',
    ...table,
    '',
    timingLine,
    '',
    ...(cot ? ['Chain-of-thought stress test (answers that reason at length, multi-option; the normalizer reads the final stated answer, the reference extractor the first `answer is (X)`):', '', cot, ''] : []),
    'Rejected outputs by reason (quoted only for openly licensed sets):',
    '',
    ...lists,
    end,
  ].join('\n');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const a = current.indexOf(start);
  const b = current.indexOf(end);
  const next = a >= 0 && b > a ? current.slice(0, a) + section + current.slice(b + end.length) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
