/**
 * One Markdown row per `fusion eval --json` result (any kind that scores QA accuracy or macro-F1):
 * the hindsight best single model, the vote, `auto` (with the outer folds it fell back in) and its
 * margin over that model, `adaptive`'s loss against `auto` and its calls as a share of every call
 * `auto` makes (every model and sample on every item: allCalls), and of every recorded answer
 * readable or not (recordedCalls; lower where not every sample was recorded on every item), and, for comparison, the fewest calls of one
 * setting for every fold whose test-fold loss is within `--max-loss` points (picked with hindsight on
 * the test folds themselves: a floor no rule chosen on training folds can be expected to reach).
 * Then, per fold seed, the means.
 *
 *   fusion eval SET --strategies auto,adaptive,best-model,majority-vote --seed S --json out-SET-sS.json
 *   npx tsx bench/adaptive-seeds-table.ts [--max-loss 0.5] out-*.json
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { allCalls, callShare, curveTop, recordedCalls } from './call-share.js';

interface Point {
  setting: string;
  callsPerItem: number;
  score: number;
}
interface Entry {
  name: string;
  accuracy?: number | null;
  macroF1?: number | null;
  callsPerItem?: number;
  picks?: string[];
  curve?: Point[];
}
interface Result {
  task: string;
  seed: number;
  kind: string;
  strategies: Entry[];
  models: Entry[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'max-loss': { type: 'string', default: '0.5' } } });
const maxLoss = Number(values['max-loss']);
const score = (r: Result, e: Entry): number => ((r.kind === 'qa' ? e.accuracy : e.macroF1) ?? Number.NaN) as number;
const f3 = (x: number) => x.toFixed(3);
const signed = (x: number, d: number) => `${x >= 0 ? '+' : ''}${x.toFixed(d)}`;

console.log('| set | seed | best single (hindsight) | majority-vote | auto (fell back) | auto margin (points) | adaptive | loss vs auto (points) | calls per item / all calls (share) | recorded calls per item (share) | fewest calls of one setting within the loss on the test folds (hindsight) |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
const bySeed = new Map<number, { margin: number; loss: number; share: number; recordedShare: number }[]>();
for (const file of positionals) {
  const r = JSON.parse(readFileSync(file, 'utf8')) as Result;
  const get = (name: string) => {
    const e = r.strategies.find((s) => s.name === name);
    if (!e) throw new Error(`${file}: no ${name} entry`);
    return e;
  };
  const auto = get('auto');
  const adaptive = get('adaptive');
  const vote = get('majority-vote');
  const best = r.models.reduce((a, m) => (score(r, m) > score(r, a) + 1e-12 ? m : a));
  const fellBack = (auto.picks ?? []).filter((p) => p.startsWith('fallback:')).length;
  const top = allCalls(r) ?? curveTop(adaptive) ?? Number.NaN;
  const recorded = recordedCalls(r) ?? Number.NaN;
  const share = callShare({ callsPerItem: adaptive.callsPerItem, allCalls: top }, auto) ?? Number.NaN;
  const margin = 100 * (score(r, auto) - score(r, best));
  const loss = 100 * (score(r, auto) - score(r, adaptive));
  const within = (adaptive.curve ?? []).filter((p) => 100 * (score(r, auto) - p.score) <= maxLoss + 1e-9);
  const floor = within.reduce<Point | null>((a, p) => (a === null || p.callsPerItem < a.callsPerItem ? p : a), null);
  console.log(
    `| ${r.task} | ${r.seed} | ${best.name}: ${f3(score(r, best))} | ${f3(score(r, vote))} | ${f3(score(r, auto))} (${fellBack}/${auto.picks?.length ?? 0}) | ${signed(margin, 2)} | ${f3(score(r, adaptive))} | ${signed(loss, 2)} | ${(adaptive.callsPerItem ?? Number.NaN).toFixed(2)} / ${top.toFixed(2)} (${share.toFixed(3)}) | ${recorded.toFixed(2)} (${((adaptive.callsPerItem ?? Number.NaN) / recorded).toFixed(3)}) | ${floor ? `${floor.callsPerItem.toFixed(2)} (${(floor.callsPerItem / top).toFixed(2)}), ${floor.setting}` : '-'} |`,
  );
  const list = bySeed.get(r.seed) ?? [];
  list.push({ margin, loss, share, recordedShare: (adaptive.callsPerItem ?? Number.NaN) / recorded });
  bySeed.set(r.seed, list);
}
console.log('');
for (const [seed, xs] of [...bySeed].sort((a, b) => a[0] - b[0])) {
  const mean = (f: (x: { margin: number; loss: number; share: number; recordedShare: number }) => number) => xs.reduce((a, x) => a + f(x), 0) / xs.length;
  console.log(
    `- seed ${seed} (${xs.length} sets): \`auto\` margin mean ${signed(mean((x) => x.margin), 2)} points, lowest ${signed(Math.min(...xs.map((x) => x.margin)), 2)}; \`adaptive\` mean loss ${signed(mean((x) => x.loss), 2)} points at a mean share of calls of ${mean((x) => x.share).toFixed(3)} (of recorded answers: ${mean((x) => x.recordedShare).toFixed(3)})`,
  );
}
